// The result list: one entry per dataset (STAC collection), in the page's language when the
// record has a translation. Every value is set as text (records are untrusted).
import { el, truncate } from './dom.js';
import { config, t } from './i18n.js';

/** Title and description of a STAC collection in the page's language. */
export function localized(collection) {
  const translated = collection['terrapole:translations']?.[config.lang] || {};
  return {
    title: translated.title || collection.title || collection.id,
    description: translated.description || collection.description || '',
  };
}

function year(instant) {
  return instant ? instant.slice(0, 4) : null;
}

function period(collection) {
  const [start, end] = collection?.extent?.temporal?.interval?.[0] || [];
  if (!start && !end) return t('result.unknown');
  return `${year(start) || '…'} – ${year(end) || t('result.ongoing')}`;
}

/** The list item of one collection; `hover(id, on)` follows pointer and keyboard focus. */
export function resultItem(collection, hover) {
  const text = localized(collection);
  const pole = collection['terrapole:pole'];
  const link = el('a', { href: `/datasets/${encodeURIComponent(collection.id)}`, text: text.title, className: 'result__link' });
  const meta = el(
    'p',
    { className: 'result__meta' },
    pole ? el('span', { className: `badge badge--${pole}`, text: config.poles?.[pole] || pole }) : null,
    el('span', { text: t('result.period', { period: period(collection) }) }),
    collection.license ? el('span', { className: 'result__licence', text: collection.license }) : null,
  );
  const item = el(
    'li',
    { className: 'result', 'data-id': collection.id },
    el('h3', { className: 'result__title' }, link),
    meta,
    el('p', { className: 'result__description', text: truncate(text.description, 240) }),
  );
  item.addEventListener('mouseenter', () => hover(collection.id, true));
  item.addEventListener('mouseleave', () => hover(collection.id, false));
  link.addEventListener('focus', () => hover(collection.id, true));
  link.addEventListener('blur', () => hover(collection.id, false));
  return item;
}
