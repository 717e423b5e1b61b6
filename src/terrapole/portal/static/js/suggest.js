// Suggestions under the search box: concepts of the catalog's vocabularies whose labels complete
// what is typed (/vocab/suggest, in the page's language), in the ARIA combobox pattern: the box
// keeps the focus, the arrow keys move through the listbox (aria-activedescendant), Enter
// chooses, Escape closes; a live region says how many suggestions there are.
import { getJson } from './api.js';
import { el } from './dom.js';
import { config, t } from './i18n.js';

const MIN_CHARACTERS = 2;
const DELAY_MS = 150;
const LIMIT = 8;

export class ConceptSuggestions {
  /**
   * Suggestions for the combobox `input`, shown in the listbox `list`, announced in `status`;
   * `onChoose({uri, label})` receives the concept chosen.
   */
  constructor(input, list, status, onChoose) {
    Object.assign(this, { input, list, status, onChoose });
    this.suggestions = [];
    this.active = -1;
    this.timer = 0;
    this.controller = null;
    input.addEventListener('input', () => this.schedule());
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('blur', () => window.setTimeout(() => this.close(), 150));
    // A press on an option must not take the focus from the box before the click chooses it.
    list.addEventListener('mousedown', (event) => event.preventDefault());
  }

  schedule() {
    window.clearTimeout(this.timer);
    const typed = this.input.value.trim();
    if (typed.length < MIN_CHARACTERS) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(() => this.fetch(typed), DELAY_MS);
  }

  async fetch(typed) {
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    const params = new URLSearchParams({ q: typed, lang: config.lang, limit: String(LIMIT) });
    try {
      const body = await getJson(`/vocab/suggest?${params}`, this.controller.signal);
      if (this.input.value.trim() === typed) this.open(body.suggestions || []);
    } catch (error) {
      if (error.name !== 'AbortError') this.close();
    }
  }

  open(suggestions) {
    this.suggestions = suggestions;
    this.active = -1;
    this.list.replaceChildren(...suggestions.map((s, i) => this.option(s, i)));
    const shown = suggestions.length > 0 && document.activeElement === this.input;
    this.list.hidden = !shown;
    this.input.setAttribute('aria-expanded', String(shown));
    this.input.removeAttribute('aria-activedescendant');
    this.status.textContent = shown ? t('suggest.count', { count: suggestions.length }) : '';
  }

  option(suggestion, index) {
    const broader = (suggestion.broader || []).map((b) => b.label).filter(Boolean).join(', ');
    const context = [broader, suggestion.schemeTitle].filter(Boolean).join(' · ');
    const option = el(
      'li',
      { id: `q-suggestion-${index}`, role: 'option', 'aria-selected': 'false', className: 'suggestion', 'data-uri': suggestion.uri },
      el('span', { className: 'suggestion__label', text: suggestion.label }),
      context ? el('span', { className: 'suggestion__context', text: context }) : null,
    );
    option.addEventListener('click', () => this.choose(index));
    return option;
  }

  key(event) {
    const open = !this.list.hidden;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!open) {
        if (this.suggestions.length) this.open(this.suggestions);
        else this.schedule();
        event.preventDefault();
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const count = this.suggestions.length;
      this.highlight(this.active < 0 && step < 0 ? count - 1 : (this.active + step + count) % count);
      event.preventDefault();
    } else if (event.key === 'Enter' && open && this.active >= 0) {
      event.preventDefault(); // the concept is the search, not the text typed so far
      this.choose(this.active);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      this.close();
    } else if (event.key === 'Enter') {
      window.clearTimeout(this.timer);
      this.close();
    }
  }

  highlight(index) {
    this.active = index;
    for (const [i, option] of [...this.list.children].entries()) {
      option.setAttribute('aria-selected', String(i === index));
      option.classList.toggle('is-active', i === index);
      if (i === index) option.scrollIntoView({ block: 'nearest' });
    }
    this.input.setAttribute('aria-activedescendant', `q-suggestion-${index}`);
  }

  choose(index) {
    const suggestion = this.suggestions[index];
    this.close();
    if (suggestion) this.onChoose({ uri: suggestion.uri, label: suggestion.label });
  }

  close() {
    window.clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.active = -1;
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.status.textContent = '';
  }
}
