// Maps on Leaflet (vendored, loaded before the modules as the global L): the offline Natural Earth
// basemap or an operator's XYZ tiles, result footprints, and a box-drawing tool for the area filter.
import { el } from './dom.js';

const L = window.L;
const WORLD = [[-60, -170], [78, 175]];
const FOOTPRINT = { color: '#0b4f8a', weight: 2, fillOpacity: 0.08 };
const HIGHLIGHT = { color: '#b34700', weight: 4, fillOpacity: 0.25 };
const AREA = { color: '#6a1b9a', weight: 2, dashArray: '6 4', fillOpacity: 0.05, interactive: false };

/**
 * A Leaflet map in `element`. The basemap is drawn when `drawBasemap()` is called: the search
 * pages call it once their first results are shown, so that decoding and drawing the countries
 * does not hold the results back.
 */
export function baseMap(element, config) {
  const map = L.map(element, { minZoom: 1, maxBounds: [[-90, -230], [90, 230]], zoomSnap: 0.5 });
  map.attributionControl.setPrefix(false);
  map.fitBounds(WORLD);
  let drawn = false;
  map.drawBasemap = () => {
    if (drawn) return;
    drawn = true;
    if (config.basemapUrl) {
      // The attribution is the operator's own setting (Leaflet writes it as HTML).
      L.tileLayer(config.basemapUrl, { attribution: config.basemapAttribution || '' }).addTo(map);
    } else {
      loadCountries(map, config.static);
    }
  };
  return map;
}

async function loadCountries(map, staticPrefix) {
  const response = await fetch(`${staticPrefix}/vendor/world-atlas/countries-110m.json`);
  const topology = await response.json();
  const countries = window.topojson.feature(topology, topology.objects.countries);
  for (const feature of countries.features) unwrapGeometry(feature.geometry);
  // One canvas for the ~180 countries: far fewer DOM nodes than SVG paths, and no GPU needed.
  const style = { color: '#7d7d7d', weight: 0.6, fillColor: '#f2efe6', fillOpacity: 1 };
  // In a pane of its own between the tiles (200) and the footprints (400), whenever it is drawn.
  map.createPane('basemap').style.zIndex = '250';
  const renderer = L.canvas({ padding: 0.5, pane: 'basemap' });
  L.geoJSON(countries, { interactive: false, style, renderer, pane: 'basemap' }).addTo(map);
  map.attributionControl.addAttribution('Natural Earth');
  map.getContainer().dataset.basemap = 'ready';
}

// Rings crossing the antimeridian (Russia, Fiji...) jump from +180 to -180; made continuous,
// they run past the map's edge instead of drawing a line across the whole world.
function unwrapRing(ring) {
  for (let i = 1; i < ring.length; i += 1) {
    const jump = ring[i][0] - ring[i - 1][0];
    if (jump > 180) ring[i][0] -= 360;
    else if (jump < -180) ring[i][0] += 360;
  }
}

function unwrapGeometry(geometry) {
  if (!geometry) return;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  for (const polygon of polygons) for (const ring of polygon) unwrapRing(ring);
}

/** Rectangles of a STAC bbox, split at the antimeridian. */
function boxBounds(bbox) {
  const [west, south, east, north] = bbox;
  if (west <= east) return [[[south, west], [north, east]]];
  return [[[south, west], [north, 180]], [[south, -180], [north, east]]];
}

/** The boxes to draw for a collection: its territories when it lists several, else its overall box. */
export function collectionBoxes(collection) {
  const boxes = collection?.extent?.spatial?.bbox || [];
  return boxes.length > 1 ? boxes.slice(1) : boxes;
}

/** The footprints layer of the search results. */
export class Footprints {
  constructor(map, onSelect) {
    this.map = map;
    this.onSelect = onSelect;
    this.layer = L.featureGroup().addTo(map);
    this.byId = new Map();
  }

  /** Show `results` ([{id, title, boxes}]) in place of the previous ones. */
  show(results) {
    this.layer.clearLayers();
    this.byId.clear();
    for (const result of results) {
      const shapes = result.boxes.flatMap(boxBounds).map((bounds) => L.rectangle(bounds, { ...FOOTPRINT, className: 'footprint' }));
      for (const shape of shapes) {
        shape.bindTooltip(el('span', { text: result.title }), { sticky: true });
        shape.on('click', () => this.onSelect(result.id));
        this.layer.addLayer(shape);
        shape.getElement().dataset.id = result.id;
      }
      this.byId.set(result.id, shapes);
    }
  }

  /** Emphasise (or not) the footprint of one result. */
  highlight(id, on) {
    for (const shape of this.byId.get(id) || []) {
      shape.setStyle(on ? HIGHLIGHT : FOOTPRINT);
      if (on) shape.bringToFront();
    }
  }

  /** Fit the map to the footprints shown. */
  fit() {
    const bounds = this.layer.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [16, 16], maxZoom: 6 });
  }
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}

/** [west, south, east, north] of map bounds, clamped to valid longitudes and latitudes. */
export function bboxOf(bounds) {
  const clampLon = (lon) => Math.max(-180, Math.min(180, lon));
  const clampLat = (lat) => Math.max(-90, Math.min(90, lat));
  return [
    round(clampLon(bounds.getWest())), round(clampLat(bounds.getSouth())),
    round(clampLon(bounds.getEast())), round(clampLat(bounds.getNorth())),
  ];
}

/**
 * The area filter: a toggle button to draw a box by dragging on the map (Escape cancels), a
 * button taking the current map view (the keyboard way), a button clearing the area.
 */
export class AreaTool {
  constructor(map, controls, onArea) {
    this.map = map;
    this.controls = controls; // {draw, useView, clear, hint}
    this.onArea = onArea;
    this.drawing = false;
    this.start = null;
    this.sketch = null;
    this.area = null;
    controls.draw.addEventListener('click', () => this.setDrawing(!this.drawing));
    controls.useView.addEventListener('click', () => this.choose(bboxOf(map.getBounds())));
    controls.clear.addEventListener('click', () => this.choose(null));
    map.on('mousedown', (event) => this.begin(event));
    map.on('mousemove', (event) => this.extend(event));
    map.on('mouseup', (event) => this.finish(event));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.drawing) this.setDrawing(false);
    });
  }

  setDrawing(on) {
    this.drawing = on;
    this.controls.draw.setAttribute('aria-pressed', String(on));
    this.controls.hint.hidden = !on;
    this.map.getContainer().classList.toggle('is-drawing', on);
    if (on) this.map.dragging.disable();
    else this.map.dragging.enable();
    if (!on && this.sketch) {
      this.sketch.remove();
      this.sketch = null;
      this.start = null;
    }
  }

  begin(event) {
    if (!this.drawing) return;
    this.start = event.latlng;
    this.sketch = L.rectangle(L.latLngBounds(this.start, this.start), AREA).addTo(this.map);
  }

  extend(event) {
    if (this.drawing && this.start) this.sketch.setBounds(L.latLngBounds(this.start, event.latlng));
  }

  finish(event) {
    if (!this.drawing || !this.start) return;
    const bounds = L.latLngBounds(this.start, event.latlng);
    this.setDrawing(false);
    const [west, south, east, north] = bboxOf(bounds);
    if (west === east || south === north) return; // a click, not a box
    this.choose([west, south, east, north]);
  }

  /** Show `bbox` as the area (null clears it) and report it. */
  choose(bbox) {
    this.show(bbox);
    this.onArea(bbox);
  }

  /** Fit the map to the area. */
  fit() {
    if (this.area) this.map.fitBounds(this.area.getBounds(), { padding: [16, 16], maxZoom: 8 });
  }

  /** Draw the area without reporting it (the state already has it). */
  show(bbox) {
    if (this.area) this.area.remove();
    this.area = null;
    if (bbox) {
      this.area = L.featureGroup(boxBounds(bbox).map((b) => L.rectangle(b, AREA))).addTo(this.map);
    }
  }
}

/** A small map showing a dataset's extent (GeoJSON features). */
export function extentMap(element, config, extent) {
  const map = baseMap(element, config);
  map.drawBasemap();
  const layer = L.geoJSON(extent, { style: { ...FOOTPRINT, fillOpacity: 0.15, className: 'extent' }, interactive: false });
  layer.addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 7 });
  return map;
}
