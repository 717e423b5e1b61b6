// Entry point of every page: starts the modules the page declares in its configuration block.
import { initDataset } from './dataset.js';
import { config } from './i18n.js';
import { initSearch } from './search.js';

if (config.page === 'search') initSearch(config);
else if (config.page === 'dataset') initDataset(config);
