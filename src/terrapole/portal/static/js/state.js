// The search state, kept in the page's URL so that a search can be bookmarked, shared and
// navigated with the browser's back button, and its translation into STAC API requests.

const LIST_FACETS = ['pole', 'license', 'concept', 'collection'];
// The queryable each facet filters on in the collection search (CQL2); concepts go through the
// search's `concept` parameter (any of them, or a narrower concept, matches).
const QUERYABLES = { pole: 'pole', license: 'license', collection: 'id' };
const SORTS = { relevance: '', newest: '-datetime', oldest: 'datetime' };

/** A search state with nothing asked (the thematic portal's pole kept). */
export function emptyState(fixedPole) {
  return {
    q: '', sort: 'relevance', from: '', to: '', filter: '', bbox: null, token: '', page: 1,
    pole: fixedPole ? [fixedPole] : [], license: [], concept: [], collection: [],
  };
}

/** The state a query string describes. */
export function readState(search, fixedPole) {
  const params = new URLSearchParams(search);
  const state = emptyState(fixedPole);
  for (const key of ['q', 'from', 'to', 'filter', 'token']) state[key] = params.get(key) || '';
  state.sort = params.get('sort') in SORTS ? params.get('sort') : 'relevance';
  state.page = Math.max(1, Number.parseInt(params.get('page'), 10) || 1);
  state.bbox = parseBbox(params.get('bbox'));
  for (const name of LIST_FACETS) {
    state[name] = params.getAll(name).flatMap((value) => value.split(',')).filter(Boolean);
  }
  if (fixedPole) state.pole = [fixedPole];
  return state;
}

/** The query string of a state (the fixed pole and the language left out: the page has them). */
export function writeState(state, fixedPole) {
  const params = new URLSearchParams();
  for (const key of ['q', 'from', 'to', 'filter']) if (state[key]) params.set(key, state[key]);
  if (state.sort !== 'relevance') params.set('sort', state.sort);
  if (state.bbox) params.set('bbox', state.bbox.join(','));
  for (const name of LIST_FACETS) {
    if (name === 'pole' && fixedPole) continue;
    for (const value of state[name]) params.append(name, value);
  }
  if (state.token) {
    params.set('token', state.token);
    params.set('page', String(state.page));
  }
  return params.toString();
}

function parseBbox(text) {
  if (!text) return null;
  const numbers = text.split(',').map(Number);
  return numbers.length === 4 && numbers.every(Number.isFinite) ? numbers : null;
}

/** The STAC datetime interval of the period asked (years), or ''. The API checks the values. */
export function datetimeOf(state) {
  const from = state.from.trim();
  const to = state.to.trim();
  if (!from && !to) return '';
  const start = from ? `${from}-01-01T00:00:00Z` : '..';
  const end = to ? `${to}-12-31T23:59:59Z` : '..';
  return `${start}/${end}`;
}

function quoted(value) {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The CQL2 text filter of the facet selections, joined with the advanced filter typed in. */
export function filterOf(state) {
  const parts = state.filter.trim() ? [`(${state.filter.trim()})`] : [];
  for (const name of Object.keys(QUERYABLES)) {
    if (!state[name].length) continue;
    const each = state[name].map((value) => `${QUERYABLES[name]} = ${quoted(value)}`);
    parts.push(`(${each.join(' OR ')})`);
  }
  return parts.join(' AND ');
}

function common(state) {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q.trim());
  if (state.bbox) params.set('bbox', state.bbox.join(','));
  const datetime = datetimeOf(state);
  if (datetime) params.set('datetime', datetime);
  return params;
}

/** The `concept` parameter of the search: the concepts chosen, comma-separated. */
function conceptOf(state) {
  return state.concept.join(',');
}

/** The STAC API collection-search URL of the state's current page. */
export function searchUrl(state, limit) {
  const params = common(state);
  const filter = filterOf(state);
  if (filter) params.set('filter', filter);
  if (state.concept.length) params.set('concept', conceptOf(state));
  if (SORTS[state.sort]) params.set('sortby', SORTS[state.sort]);
  params.set('limit', String(limit));
  if (state.token) params.set('token', state.token);
  return `/stac/collections?${params}`;
}

/** The facet-count URL of the state (selections as their own parameters). */
export function facetsUrl(state, lang) {
  const params = common(state);
  if (state.filter.trim()) params.set('filter', state.filter.trim());
  for (const name of LIST_FACETS) for (const value of state[name]) params.append(name, value);
  params.set('lang', lang);
  return `/portal/facets?${params}`;
}
