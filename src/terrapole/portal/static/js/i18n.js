// The page's configuration and interface strings, embedded by the server as JSON data blocks.

function readBlock(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export const config = readBlock('tp-config');
const messages = readBlock('tp-messages');

/** The interface string `key` in the page's language, `{name}` fields filled from `values`. */
export function t(key, values = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (field, name) => (name in values ? String(values[name]) : field));
}

/** A number written the way the page's language writes it. */
export function formatNumber(value) {
  return new Intl.NumberFormat(config.lang).format(value);
}
