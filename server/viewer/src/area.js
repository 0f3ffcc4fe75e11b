// The planners' question: which parcels lie in an area drawn on the map (or
// the current view), listed with a CSV download.
import Draw from 'ol/interaction/Draw.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import Feature from 'ol/Feature.js';
import { fromExtent } from 'ol/geom/Polygon.js';
import { getAllItems } from './api.js';
import { downloadText, featuresToCsv } from './csv.js';
import { t } from './i18n.js';
import { PARCELS } from './search.js';

const LIST_MAX = 100;
// Maximum number of parcels fetched for one area.
const AREA_MAX = 20000;
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

// CQL2 text of "intersects the ring", the ring in CRS84 longitude, latitude.
function intersectsFilter(ring) {
  const points = ring.map(([x, y]) => `${x.toFixed(9)} ${y.toFixed(9)}`).join(',');
  return `S_INTERSECTS(geometry,POLYGON((${points})))`;
}

export class AreaQuery {
  // `source` contains the drawn area, `found` the outlines of its parcels.
  constructor(app, source, found, elements) {
    this.app = app;
    this.source = source;
    this.found = found;
    this.el = elements;
    this.draw = null;
    this.parcels = [];
    this.message = null;
    this.ring = null; // CRS84 ring of the last area, read by the browser test
    this.finishedAt = 0; // time of the last drawend, in ms
    elements.start.addEventListener('click', () => (this.draw ? this.stop() : this.start()));
    elements.view.addEventListener('click', () => this.useView());
    elements.clear.addEventListener('click', () => this.clear());
    elements.csv.addEventListener('click', () => this.download());
  }

  start() {
    this.clear();
    this.draw = new Draw({ source: this.source, type: 'Polygon' });
    this.draw.on('drawend', (event) => {
      this.finishedAt = Date.now();
      this.stop();
      this.query(event.feature.getGeometry());
    });
    this.app.map.addInteraction(this.draw);
    this.el.start.textContent = t('drawCancel');
    this.el.start.setAttribute('aria-pressed', 'true');
    this.say('drawHelp');
    this.app.map.getTargetElement().focus();
  }

  stop() {
    if (!this.draw) return;
    this.app.map.removeInteraction(this.draw);
    this.draw = null;
    this.el.start.textContent = t('drawStart');
    this.el.start.setAttribute('aria-pressed', 'false');
  }

  // Esc while drawing: cancel the drawing. Returns whether one was running.
  cancelKey() {
    if (!this.draw) return false;
    this.stop();
    this.say('drawHelp');
    return true;
  }

  clear() {
    this.stop();
    this.source.clear();
    this.found.clear();
    this.parcels = [];
    this.ring = null;
    this.message = null;
    this.el.status.textContent = '';
    delete this.el.status.dataset.count;
    this.el.list.replaceChildren();
    this.el.csv.hidden = true;
  }

  useView() {
    this.clear();
    const map = this.app.map;
    const polygon = fromExtent(map.getView().calculateExtent(map.getSize()));
    this.source.addFeature(new Feature(polygon));
    this.query(polygon);
  }

  say(key, values = {}) {
    this.message = [key, values];
    this.el.status.textContent = t(key, values);
  }

  // Ask the server for the parcels that the polygon intersects (a CQL2
  // S_INTERSECTS filter, evaluated there with GEOS).
  async query(polygon) {
    const projection = this.app.map.getView().getProjection();
    const area = polygon.clone().transform(projection, 'EPSG:4326');
    this.ring = area.getCoordinates()[0];
    this.say('searching');
    let result;
    try {
      result = await getAllItems(PARCELS, {
        filter: intersectsFilter(this.ring), 'filter-lang': 'cql2-text', 'filter-crs': CRS84,
      }, this.app.config.max_features, AREA_MAX);
    } catch (error) {
      // The server rejects a ring that crosses itself, or has no area, as
      // an invalid filter.
      if (error.status === 400) this.say('areaInvalid');
      else this.say('loadError', { detail: error.message });
      return;
    }
    if (!result.complete) {
      this.say('areaTooLarge', { max: AREA_MAX });
      return;
    }
    this.parcels = [];
    const shown = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: projection });
    for (const feature of result.features) {
      this.parcels.push(feature);
      if (feature.geometry) this.found.addFeature(new Feature(shown.readGeometry(feature.geometry)));
    }
    this.render();
  }

  render() {
    const n = this.parcels.length;
    if (n > LIST_MAX) this.say('inAreaMore', { n, shown: LIST_MAX });
    else this.say('inArea', { n });
    this.el.status.dataset.count = String(n);
    this.el.list.replaceChildren();
    for (const feature of this.parcels.slice(0, LIST_MAX)) {
      const p = feature.properties || {};
      const item = document.createElement('li');
      item.textContent = `${t('parcelLabel', { sheet: p.SoHieuToBanDo, no: p.SoThuTuThua })} (${p.KyHieuMucDichSuDung ?? ''})`;
      this.el.list.append(item);
    }
    this.el.csv.hidden = n === 0;
  }

  download() {
    const stamp = new Date().toISOString().slice(0, 10);
    downloadText(featuresToCsv(this.parcels), `thua-dat-${stamp}.csv`, 'text/csv;charset=utf-8');
  }

  relabel() {
    this.el.start.textContent = t(this.draw ? 'drawCancel' : 'drawStart');
    if (this.parcels.length > 0) this.render();
    else if (this.message) this.say(...this.message);
  }
}
