// Building DOM nodes from data: text always goes through text nodes, never through HTML parsing,
// because the titles, abstracts and keywords come from harvested (untrusted) records.

const ATTRIBUTES = new Set(['href', 'id', 'type', 'role', 'for', 'name', 'value', 'lang', 'title', 'tabindex']);

/**
 * A new element: `attrs` sets attributes (`text` sets the text content, `className` the class,
 * `data-*`/`aria-*` and the usual attributes as attributes, anything else as a property such as
 * `checked`); children are nodes or strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || ATTRIBUTES.has(key)) {
      node.setAttribute(key, value === true ? '' : String(value));
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** `text` cut at a word boundary near `length` characters, with an ellipsis when cut. */
export function truncate(text, length) {
  if (!text || text.length <= length) return text || '';
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > length * 0.6 ? space : length)}…`;
}
