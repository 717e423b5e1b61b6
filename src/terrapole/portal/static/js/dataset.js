// The dataset page: the extent map and the buttons copying a citation.
import { t } from './i18n.js';
import { extentMap } from './map.js';

function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const done = () => {
    button.textContent = t('citation.copied');
    window.setTimeout(() => { button.textContent = t('citation.copy'); }, 2000);
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent).then(done, () => select(source));
  } else {
    select(source);
  }
}

function select(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

export function initDataset(config) {
  const element = document.getElementById('extent-map');
  if (element && config.extent?.features?.length) extentMap(element, config, config.extent);
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', () => copy(button));
  }
}
