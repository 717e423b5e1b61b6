// The dataset search of the home page and the thematic portals: the form, facets, map and
// results are kept in step with one state object that also lives in the page's URL.
import { ApiError, getJson, pageToken } from './api.js';
import { YearChart } from './chart.js';
import { renderFacets } from './facets.js';
import { t } from './i18n.js';
import { AreaTool, Footprints, baseMap, collectionBoxes } from './map.js';
import { localized, resultItem } from './results.js';
import { emptyState, facetsUrl, readState, searchUrl, writeState } from './state.js';
import { ConceptSuggestions } from './suggest.js';

const PAGE_SIZE = 10;
const byId = (id) => document.getElementById(id);

export function initSearch(config) {
  const fixedPole = config.pole || null;
  const ui = {
    form: byId('search-form'), q: byId('q'), sort: byId('sort'), from: byId('from'), to: byId('to'),
    filter: byId('filter'), reset: byId('reset'), facets: byId('facets'), list: byId('results'),
    status: byId('results-status'), error: byId('results-error'), prev: byId('prev'), next: byId('next'),
    pageNumber: byId('page-number'), areaText: byId('area-text'),
  };
  let state = readState(window.location.search, fixedPole);
  let tokens = { next: '', prev: '' };
  let controller = null;
  let firstResults = true;

  const map = baseMap(byId('map'), config);
  const footprints = new Footprints(map, (id) => focusResult(id));
  const area = new AreaTool(
    map,
    { draw: byId('draw-area'), useView: byId('use-view'), clear: byId('clear-area'), hint: byId('draw-hint') },
    (bbox) => { state.bbox = bbox; restart(); },
  );
  const chart = new YearChart(byId('year-chart'), (from, to) => {
    Object.assign(state, { from, to });
    restart();
  });
  // A suggested concept becomes the search: its concept chosen (shown checked in the topics), the text cleared.
  new ConceptSuggestions(ui.q, byId('q-suggestions'), byId('q-suggestions-status'), ({ uri }) => {
    readForm();
    state.q = '';
    if (!state.concept.includes(uri)) state.concept = [...state.concept, uri];
    restart();
  });

  function fillForm() {
    ui.q.value = state.q;
    ui.sort.value = state.sort;
    ui.from.value = state.from;
    ui.to.value = state.to;
    ui.filter.value = state.filter;
    area.show(state.bbox);
    ui.areaText.textContent = state.bbox ? t('map.area', { area: state.bbox.join(', ') }) : t('map.no_area');
  }

  function readForm() {
    Object.assign(state, {
      q: ui.q.value, sort: ui.sort.value, from: ui.from.value.trim(), to: ui.to.value.trim(), filter: ui.filter.value,
    });
  }

  function restart() {
    state.token = '';
    state.page = 1;
    run(true);
  }

  function focusResult(id) {
    const link = ui.list.querySelector(`li[data-id="${CSS.escape(id)}"] a`);
    if (link) link.focus();
  }

  async function run(push) {
    const query = writeState(state, fixedPole);
    const url = `${window.location.pathname}${query ? `?${query}` : ''}`;
    if (push) window.history.pushState(null, '', url);
    fillForm();
    if (controller) controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    ui.status.textContent = t('results.loading');
    ui.list.setAttribute('aria-busy', 'true');
    await Promise.all([loadResults(signal), loadFacets(signal)]);
    // The page says when a search's results and facets are both shown (tests and screenshots wait for it).
    if (signal.aborted) return;
    if (!document.body.dataset.searches) {
      performance.mark('terrapole:first-results');
      map.drawBasemap();
    }
    document.body.dataset.searches = String(Number(document.body.dataset.searches || 0) + 1);
  }

  async function loadResults(signal) {
    try {
      const body = await getJson(searchUrl(state, PAGE_SIZE), signal);
      showResults(body);
    } catch (error) {
      if (error.name === 'AbortError') return;
      showError(error);
    }
  }

  function showResults(body) {
    ui.error.hidden = true;
    ui.list.removeAttribute('aria-busy');
    const collections = body.collections || [];
    ui.list.replaceChildren(...collections.map((c) => resultItem(c, (id, on) => footprints.highlight(id, on))));
    const matched = body.numberMatched;
    if (!collections.length) ui.status.textContent = t('results.none');
    else if (matched === 1) ui.status.textContent = t('results.count_one');
    else if (matched !== undefined) ui.status.textContent = t('results.count', { count: matched });
    else ui.status.textContent = t('results.shown', { count: collections.length });
    tokens = { next: pageToken(body.links, 'next'), prev: pageToken(body.links, 'prev') };
    ui.next.disabled = !tokens.next;
    ui.prev.disabled = !tokens.prev && state.page <= 1;
    ui.pageNumber.textContent = tokens.next || state.page > 1 ? t('results.page', { page: state.page }) : '';
    footprints.show(collections.map((c) => ({ id: c.id, title: localized(c).title, boxes: collectionBoxes(c) })));
    if (firstResults) {
      if (state.bbox) area.fit();
      else footprints.fit();
    }
    firstResults = false;
    finished('ready');
  }

  function finished(outcome) {
    document.body.dataset.results = outcome;
  }

  function showError(error) {
    ui.list.removeAttribute('aria-busy');
    ui.list.replaceChildren();
    footprints.show([]);
    ui.status.textContent = '';
    ui.error.textContent = error instanceof ApiError && error.status
      ? t('results.refused', { message: error.message })
      : t('results.unreachable');
    ui.error.hidden = false;
    ui.next.disabled = true;
    ui.prev.disabled = true;
    finished('error');
  }

  async function loadFacets(signal) {
    try {
      const body = await getJson(facetsUrl(state, config.lang), signal);
      renderFacets(ui.facets, body.facets || [], state, { fixedPole, onToggle: toggleFacet });
      const years = (body.facets || []).find((facet) => facet.name === 'year');
      chart.show(years ? years.values : [], state.from, state.to);
    } catch (error) {
      if (error.name === 'AbortError') return;
      ui.facets.replaceChildren();  // the result list already explains a refused search
    }
  }

  function toggleFacet(name, value, checked) {
    const values = new Set(state[name]);
    if (checked) values.add(value);
    else values.delete(value);
    state[name] = [...values];
    restart();
  }

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    readForm();
    restart();
  });
  ui.sort.addEventListener('change', () => { readForm(); restart(); });
  ui.reset.addEventListener('click', () => {
    state = emptyState(fixedPole);
    restart();
  });
  ui.next.addEventListener('click', () => {
    state.token = tokens.next;
    state.page += 1;
    run(true).then(() => ui.list.querySelector('a')?.focus());
  });
  ui.prev.addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    state.token = state.page > 1 ? tokens.prev : '';
    run(true).then(() => ui.list.querySelector('a')?.focus());
  });
  window.addEventListener('popstate', () => {
    state = readState(window.location.search, fixedPole);
    run(false);
  });

  run(false);
}
