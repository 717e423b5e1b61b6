// The facet groups, built from the facets endpoint's answer ({facets: [{name, label, values}]}):
// the page knows no facet by name except the year, which the year chart shows. A value's `depth`
// places it in a hierarchy (concepts): deeper values are indented under their broader one.
import { el } from './dom.js';
import { formatNumber, t } from './i18n.js';

/** Render `facets` in `container`; `onToggle(name, value, checked)` reports a change. */
export function renderFacets(container, facets, state, options) {
  const focused = document.activeElement?.dataset?.facetKey;
  const groups = facets
    .filter((facet) => facet.name !== 'year')
    .filter((facet) => !(options.fixedPole && facet.name === 'pole'))
    .filter((facet) => facet.values.length)
    .map((facet) => group(facet, state, options.onToggle));
  container.replaceChildren(...groups);
  // A long list scrolls to its first chosen value (a concept chosen deep in its tree, say).
  for (const list of container.querySelectorAll('.facet__values--long')) {
    const chosen = list.querySelector('input:checked')?.closest('li');
    if (chosen) list.scrollTop = chosen.offsetTop - list.offsetTop;
  }
  if (focused) container.querySelector(`[data-facet-key="${CSS.escape(focused)}"]`)?.focus();
}

function group(facet, state, onToggle) {
  const items = facet.values.map((value, index) => {
    const id = `facet-${facet.name}-${index}`;
    const input = el('input', {
      type: 'checkbox',
      id,
      value: value.value,
      checked: value.selected,
      'data-facet': facet.name,
      'data-facet-key': `${facet.name}=${value.value}`,
    });
    input.addEventListener('change', () => onToggle(facet.name, value.value, input.checked));
    const count = value.count === null || value.count === undefined ? null
      : el('span', { className: 'facet__count', text: formatNumber(value.count), 'aria-label': t('facet.count', { count: value.count }) });
    const depth = Math.min(value.depth || 0, 4);
    return el('li', { className: `facet__value facet__value--depth-${depth}` }, input, el('label', { for: id }, el('span', { className: 'facet__label', text: value.label }), count));
  });
  const list = el('ul', { className: `facet__values${facet.values.length > 8 ? ' facet__values--long' : ''}` }, items);
  return el('fieldset', { className: 'facet', 'data-facet-group': facet.name }, el('legend', { text: facet.label }), list);
}
