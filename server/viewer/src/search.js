// Search: a parcel by map sheet and parcel number, by address, or a point
// typed in WGS 84 or in a VN-2000 zone.
import GeoJSON from 'ol/format/GeoJSON.js';
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import { transform, transformExtent } from 'ol/proj.js';
import { apiUrl, getAllItems, getJson } from './api.js';
import { insideArea } from './crs.js';
import { formatNumber, t } from './i18n.js';

export const PARCELS = 'parcels';
const LIST_MAX = 50;
// Parcels scanned in the current view when no address matches exactly.
const ADDRESS_SCAN_MAX = 5000;

// Lower-case text without Vietnamese diacritics, for address matching.
export function foldText(text) {
  return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().replace(/\s+/g, ' ').trim();
}

function strictNumber(text) {
  const trimmed = String(text).trim().replace(',', '.');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) return null;
  return Number(trimmed);
}

export class Search {
  constructor(app, elements) {
    this.app = app;
    this.el = elements;
    this.results = [];
    this.message = null; // [key, values] of the last status, for a language switch
    elements.parcelForm.addEventListener('submit', (e) => { e.preventDefault(); this.run(() => this.byParcel()); });
    elements.addressForm.addEventListener('submit', (e) => { e.preventDefault(); this.run(() => this.byAddress()); });
    elements.coordForm.addEventListener('submit', (e) => { e.preventDefault(); this.run(() => this.byCoordinates()); });
    elements.coordCrs.addEventListener('change', () => this.labelCoordinates());
  }

  async run(task) {
    this.say('searching');
    try {
      await task();
    } catch (error) {
      this.say('loadError', { detail: error.message });
    }
  }

  say(key, values = {}) {
    this.message = [key, values];
    this.el.status.textContent = t(key, values);
  }

  async byParcel() {
    const sheet = strictNumber(this.el.sheet.value);
    const number = strictNumber(this.el.parcel.value);
    if (!Number.isInteger(sheet) || !Number.isInteger(number)) {
      this.say('coordBad');
      return;
    }
    const doc = await getJson(apiUrl(`collections/${PARCELS}/items`, {
      f: 'json', SoHieuToBanDo: sheet, SoThuTuThua: number, limit: LIST_MAX,
    }));
    this.showResults(doc.features || [], doc.numberMatched ?? 0);
  }

  async byAddress() {
    const query = this.el.address.value.trim();
    if (!query) return;
    const doc = await getJson(apiUrl(`collections/${PARCELS}/items`, { f: 'json', DiaChi: query, limit: LIST_MAX }));
    if ((doc.features || []).length > 0) {
      this.showResults(doc.features, doc.numberMatched ?? doc.features.length);
      return;
    }
    // NOTE: the server's CQL2 LIKE compares case and diacritics exactly (it
    // has no CASEI or ACCENTI), and people often type addresses without
    // diacritics. So a partial address is matched here, folded, among the
    // parcels of the current view only.
    const view = this.app.map.getView();
    const box = transformExtent(view.calculateExtent(this.app.map.getSize()), view.getProjection(), 'EPSG:4326');
    const { features } = await getAllItems(PARCELS, { bbox: box.map((v) => v.toFixed(7)).join(',') },
      this.app.config.max_features, ADDRESS_SCAN_MAX);
    const key = foldText(query);
    const found = features.filter((f) => foldText(f.properties?.DiaChi ?? '').includes(key));
    this.showResults(found, found.length, () => t('addressNearby', { n: found.length, q: query }));
  }

  showResults(features, matched, summary) {
    this.results = features.slice(0, LIST_MAX);
    this.summary = summary;
    this.matched = matched;
    this.renderResults();
    if (this.results.length > 0) this.select(this.results[0]);
  }

  renderResults() {
    const list = this.el.results;
    list.replaceChildren();
    if (this.matched === undefined) return;
    if (this.results.length === 0) {
      this.say('noResult');
    } else if (this.summary) {
      this.message = null;
      this.el.status.textContent = this.summary();
    } else if (this.matched > this.results.length) {
      this.say('resultsMore', { n: this.matched, shown: this.results.length });
    } else {
      this.say('results', { n: this.matched });
    }
    for (const feature of this.results) {
      const p = feature.properties || {};
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'result';
      button.textContent = `${t('parcelLabel', { sheet: p.SoHieuToBanDo, no: p.SoThuTuThua })}${p.DiaChi ? ` — ${p.DiaChi}` : ''}`;
      button.addEventListener('click', () => this.select(feature));
      item.append(button);
      list.append(item);
    }
  }

  // Zoom to an items feature (CRS84) and show its attributes.
  select(feature) {
    const projection = this.app.map.getView().getProjection();
    const format = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: projection });
    const geometry = format.readGeometry(feature.geometry);
    const asView = new GeoJSON({ dataProjection: projection, featureProjection: projection });
    this.app.info.show([{ layer: PARCELS, properties: feature.properties || {}, geometry: asView.writeGeometryObject(geometry) }], projection);
    this.app.map.getView().fit(geometry.getExtent(), { padding: [80, 80, 80, 80], maxZoom: 20, duration: 0 });
  }

  labelCoordinates() {
    const wgs = this.el.coordCrs.value === 'wgs84';
    this.el.coordALabel.textContent = t(wgs ? 'latitude' : 'northing');
    this.el.coordBLabel.textContent = t(wgs ? 'longitude' : 'easting');
  }

  // Vietnamese survey order: X is the northing, Y the easting.
  async byCoordinates() {
    const a = strictNumber(this.el.coordA.value);
    const b = strictNumber(this.el.coordB.value);
    if (a === null || b === null) {
      this.say('coordBad');
      return;
    }
    const crsId = this.el.coordCrs.value;
    const lonlat = crsId === 'wgs84' ? [b, a] : transform([b, a], crsId, 'EPSG:4326');
    const zone = this.app.zones.find((z) => z.id === (crsId === 'wgs84' ? this.app.zoneId() : crsId));
    if (!Number.isFinite(lonlat[0]) || !Number.isFinite(lonlat[1]) || (zone && !insideArea(zone, lonlat[0], lonlat[1]))) {
      this.say('coordOutside');
      return;
    }
    const view = this.app.map.getView();
    const point = transform(lonlat, 'EPSG:4326', view.getProjection());
    this.app.marker.clear();
    this.app.marker.addFeature(new Feature(new Point(point)));
    view.setCenter(point);
    if (view.getZoom() < 17) view.setZoom(18);
    const xy = zone ? transform(lonlat, 'EPSG:4326', zone.id) : null;
    this.say('coordFound', {
      wgs: `${formatNumber(lonlat[1], 7)}° N, ${formatNumber(lonlat[0], 7)}° E`,
      vn: xy ? `${zone.id}: X ${formatNumber(xy[1], 2)} m, Y ${formatNumber(xy[0], 2)} m` : '',
    });
    await this.app.info.queryAt(point);
  }

  // Redraw texts after a language switch.
  relabel() {
    this.labelCoordinates();
    this.renderResults();
    if (this.message) this.say(...this.message);
  }
}
