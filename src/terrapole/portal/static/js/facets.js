// The facet groups, built from the facets endpoint's answer ({facets: [{name, label, values}]}):
// the page knows no facet by name except the year, which sets the period.
import { el } from './dom.js';
import { formatNumber, t } from './i18n.js';

/** Render `facets` in `container`; `onToggle(name, value, checked)` reports a change. */
export function renderFacets(container, facets, state, options) {
  const focused = document.activeElement?.dataset?.facetKey;
  const groups = facets
    .filter((facet) => !(options.fixedPole && facet.name === 'pole'))
    .filter((facet) => facet.values.length)
    .map((facet) => group(facet, state, options.onToggle));
  container.replaceChildren(...groups);
  if (focused) container.querySelector(`[data-facet-key="${CSS.escape(focused)}"]`)?.focus();
}

function isChecked(facet, value, state) {
  if (facet.name === 'year') return state.from === value.value && state.to === value.value;
  return value.selected;
}

function group(facet, state, onToggle) {
  const items = facet.values.map((value, index) => {
    const id = `facet-${facet.name}-${index}`;
    const input = el('input', {
      type: 'checkbox',
      id,
      value: value.value,
      checked: isChecked(facet, value, state),
      'data-facet': facet.name,
      'data-facet-key': `${facet.name}=${value.value}`,
    });
    input.addEventListener('change', () => onToggle(facet.name, value.value, input.checked));
    const count = value.count === null || value.count === undefined ? null
      : el('span', { className: 'facet__count', text: formatNumber(value.count), 'aria-label': t('facet.count', { count: value.count }) });
    return el('li', { className: 'facet__value' }, input, el('label', { for: id }, el('span', { className: 'facet__label', text: value.label }), count));
  });
  const list = el('ul', { className: `facet__values${facet.values.length > 8 ? ' facet__values--long' : ''}` }, items);
  return el('fieldset', { className: 'facet', 'data-facet-group': facet.name }, el('legend', { text: facet.label }), list);
}
