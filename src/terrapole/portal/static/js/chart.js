// The year chart: datasets per year covered (the year facet) as bars, drawn by uPlot (vendored,
// loaded before the modules as the global uPlot). Dragging across the bars chooses a period,
// clicking a bar chooses its year (clicking it again clears the period); the From and To fields
// beside the search box do the same from the keyboard, and the chart's text alternative says
// what it shows.
import { formatNumber, t } from './i18n.js';

const HEIGHT = 120;
const OUTSIDE = '#8b949e';
const INSIDE = '#0b4f8a';
const CLICK_SLOP = 3; // pixels a press may move and still be a click

function yearRange(first, last) {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The `{years, counts}` of the year facet's values, years without data counting 0. */
export function yearSeries(values) {
  const counts = new Map(values.map((v) => [Number(v.value), v.count || 0]));
  if (!counts.size) return { years: [], counts: [] };
  const years = yearRange(Math.min(...counts.keys()), Math.max(...counts.keys()));
  return { years, counts: years.map((y) => counts.get(y) || 0) };
}

function summary(years, counts) {
  const peak = counts.indexOf(Math.max(...counts));
  return t('chart.summary', {
    first: years[0], last: years[years.length - 1], peak: years[peak], count: formatNumber(counts[peak]),
  });
}

export class YearChart {
  /** A chart in `container`; `onPeriod(from, to)` reports a period chosen on it ('' for none). */
  constructor(container, onPeriod) {
    this.container = container;
    this.plotArea = container.querySelector('.year-chart__plot');
    this.onPeriod = onPeriod;
    this.plot = null;
    this.years = [];
    this.period = { from: '', to: '' };
    this.pressed = null;
    if (window.ResizeObserver) {
      new ResizeObserver(() => this.resize()).observe(this.plotArea);
    }
  }

  /** Show the year facet's `values`, the years of the period `from`-`to` emphasised. */
  show(values, from, to) {
    const { years, counts } = yearSeries(values);
    this.years = years;
    this.period = { from, to };
    if (this.plot) this.plot.destroy();
    this.plot = null;
    this.container.dataset.years = String(years.length);
    this.container.dataset.total = String(counts.reduce((a, b) => a + b, 0));
    if (!years.length) {
      this.plotArea.setAttribute('aria-label', t('chart.empty'));
      this.plotArea.textContent = t('chart.empty');
      return;
    }
    this.plotArea.textContent = '';
    this.plotArea.setAttribute('aria-label', summary(years, counts));
    // With no period chosen every year is in it.
    const chosen = (y) => (!from || y >= Number(from)) && (!to || y <= Number(to));
    const outside = counts.map((n, i) => (chosen(years[i]) ? null : n));
    const inside = counts.map((n, i) => (chosen(years[i]) ? n : null));
    this.plot = new window.uPlot(this.options(), [years, outside, inside], this.plotArea);
    this.listen(this.plot);
    this.container.dataset.drawn = String(Number(this.container.dataset.drawn || 0) + 1);
  }

  options() {
    const bars = window.uPlot.paths.bars({ size: [0.8, 48] });
    const series = (label, colour) => ({ label, fill: colour, stroke: colour, width: 0, paths: bars, points: { show: false } });
    return {
      width: Math.max(200, this.plotArea.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, y: false },
      select: { show: true },
      scales: {
        x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (u, min, max) => [0, Math.max(1, max)] },
      },
      axes: [
        { stroke: '#4a5360', grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50], values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        { stroke: '#4a5360', size: 44, space: 24, grid: { stroke: '#e3e7eb' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000], values: (u, splits) => splits.map((v) => formatNumber(v)) },
      ],
      series: [{}, series(t('chart.outside'), OUTSIDE), series(t('chart.inside'), INSIDE)],
      hooks: { setSelect: [(u) => this.selected(u)] },
    };
  }

  listen(plot) {
    plot.over.addEventListener('mousedown', (event) => { this.pressed = [event.clientX, event.clientY]; });
    plot.over.addEventListener('click', (event) => {
      const [x, y] = this.pressed || [event.clientX, event.clientY];
      this.pressed = null;
      if (Math.abs(event.clientX - x) > CLICK_SLOP || Math.abs(event.clientY - y) > CLICK_SLOP) return;
      const index = plot.cursor.idx;
      if (index === null || index === undefined) return;
      const year = String(this.years[index]);
      const again = this.period.from === year && this.period.to === year;
      this.onPeriod(again ? '' : year, again ? '' : year);
    });
  }

  selected(u) {
    const { left, width } = u.select;
    if (width < CLICK_SLOP) return;
    const clamp = (v) => Math.min(this.years[this.years.length - 1], Math.max(this.years[0], Math.round(v)));
    const from = clamp(u.posToVal(left, 'x'));
    const to = clamp(u.posToVal(left + width, 'x'));
    u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
    this.onPeriod(String(from), String(to));
  }

  resize() {
    if (this.plot) this.plot.setSize({ width: Math.max(200, this.plotArea.clientWidth), height: HEIGHT });
  }
}
