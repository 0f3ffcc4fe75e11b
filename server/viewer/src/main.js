// The vnsdi map viewer: start-up, display projection, imagery notice,
// language switch and keyboard access. Everything comes from this server:
// no external tiles, fonts or scripts.
import 'ol/ol.css';
import './viewer.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';
import { defaults as defaultControls, ScaleLine } from 'ol/control.js';
import { fromExtent } from 'ol/geom/Polygon.js';
import { getArea } from 'ol/sphere.js';
import { transform, transformExtent } from 'ol/proj.js';
import { apiUrl, getJson, viewerBase } from './api.js';
import { registerCatalogue } from './crs.js';
import { formatNumber, lang, setLang, t, translateDom } from './i18n.js';
import { LayerList } from './layers.js';
import { InfoPanel } from './info.js';
import { PARCELS, Search } from './search.js';
import { AreaQuery } from './area.js';

const $ = (id) => document.getElementById(id);
// Whole Vietnam, shown when the server lists no extent.
const VIETNAM = [102.14, 8.18, 109.47, 23.39];
// Maximum pause between the two clicks of a double-click (OpenLayers uses 250 ms).
const DOUBLE_CLICK_MS = 250;

function vectorLayer(source, color, width, fill) {
  return new VectorLayer({
    source,
    zIndex: 1000,
    style: new Style({
      stroke: new Stroke({ color, width }),
      fill: new Fill({ color: fill }),
      image: new Circle({ radius: 7, stroke: new Stroke({ color, width: 3 }), fill: new Fill({ color: fill }) }),
    }),
  });
}

class Viewer {
  constructor() {
    this.config = null;
    this.zones = [];
    this.highlight = new VectorSource();
    this.areaSource = new VectorSource();
    this.areaParcels = new VectorSource();
    this.marker = new VectorSource();
    this.map = new Map({
      target: 'map',
      controls: defaultControls({ attribution: false }).extend([new ScaleLine()]),
      layers: [
        vectorLayer(this.highlight, '#00e5ff', 3, 'rgba(0,229,255,0.15)'),
        vectorLayer(this.areaParcels, '#6a1b9a', 1.5, 'rgba(106,27,154,0.18)'),
        vectorLayer(this.areaSource, '#ff6f00', 2.5, 'rgba(255,111,0,0.08)'),
        vectorLayer(this.marker, '#d50000', 3, 'rgba(213,0,0,0.3)'),
      ],
      view: new View({ center: [0, 0], zoom: 2 }),
      keyboardEventTarget: $('map'),
    });
    this.layers = new LayerList(this.map, $('layer-list'));
    this.info = new InfoPanel(this.map, this.layers, this.highlight, { panel: $('info'), body: $('info-body'), close: $('info-close') });
  }

  zoneId() {
    return $('zone').value;
  }

  async start() {
    const params = new URLSearchParams(window.location.search);
    setLang(params.get('lang') || window.localStorage?.getItem('vnsdi.lang') || 'vi');
    translateDom();
    this.config = await getJson(new URL('config.json', viewerBase));
    this.zones = registerCatalogue(this.config.crs || []);
    this.fillZoneLists();
    await this.layers.load((info) => info.raster || info.id === PARCELS);
    await this.fitToData();
    this.search = new Search(this, {
      parcelForm: $('search-parcel'), sheet: $('sheet'), parcel: $('parcel'),
      addressForm: $('search-address'), address: $('address'),
      coordForm: $('search-coord'), coordCrs: $('coord-crs'), coordA: $('coord-a'), coordB: $('coord-b'),
      coordALabel: $('coord-a-label'), coordBLabel: $('coord-b-label'),
      status: $('search-status'), results: $('search-results'),
    });
    this.search.labelCoordinates();
    this.area = new AreaQuery(this, this.areaSource, this.areaParcels, {
      start: $('area-draw'), view: $('area-view'), clear: $('area-clear'),
      csv: $('area-csv'), status: $('area-status'), list: $('area-list'),
    });
    this.wire();
    this.relabelControls();
    this.updateImageryNotice();
    document.body.dataset.ready = 'true';
  }

  fillZoneLists() {
    const zone = $('zone');
    const coord = $('coord-crs');
    const keepZone = zone.value || this.config.storage_crs || this.zones[0]?.id;
    const keepCoord = coord.value || keepZone;
    zone.replaceChildren();
    coord.replaceChildren(new Option(t('wgs84'), 'wgs84'));
    for (const crs of this.zones) {
      const name = lang() === 'en' ? crs.name_en : crs.name_vi;
      zone.append(new Option(`${crs.id} — ${name}`, crs.id));
      coord.append(new Option(`${crs.id} — ${name}`, crs.id));
    }
    zone.value = keepZone;
    coord.value = keepCoord;
  }

  async fitToData() {
    let box = VIETNAM;
    try {
      const doc = await getJson(apiUrl(`collections/${PARCELS}`, { f: 'json' }));
      const b = doc.extent?.spatial?.bbox?.[0];
      if (b && b.length >= 4) box = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
    } catch {
      // No parcels collection: show Vietnam.
    }
    const view = this.map.getView();
    view.fit(transformExtent(box, 'EPSG:4326', view.getProjection()), { padding: [20, 20, 20, 20] });
  }

  // Switch the display projection, keeping the area in view. The WMS draws
  // directly in the new CRS; drawn features are reprojected.
  setDisplay(projectionId) {
    const old = this.map.getView();
    const from = old.getProjection();
    if (from.getCode() === projectionId) return;
    const extent = transformExtent(old.calculateExtent(this.map.getSize()), from, projectionId);
    for (const source of [this.highlight, this.areaSource, this.areaParcels, this.marker]) {
      for (const feature of source.getFeatures()) feature.getGeometry().transform(from, projectionId);
    }
    const view = new View({ projection: projectionId });
    this.map.setView(view);
    view.fit(extent);
    view.on('change', () => this.updateImageryNotice());
    this.layers.refreshSources();
    document.body.dataset.projection = projectionId;
  }

  displayChanged() {
    const zone = document.querySelector('input[name="display"]:checked').value === 'zone';
    this.setDisplay(zone ? this.zoneId() : 'EPSG:3857');
  }

  // Say in words when the secrecy rule empties the imagery layer: the
  // server draws no imagery in a request box over imagery_max_km2, measured
  // on the CRS84 box of the request.
  updateImageryNotice() {
    const notice = $('imagery-notice');
    const imagery = this.layers.entries.filter((e) => e.raster && e.layer.getVisible());
    const limit = this.config?.imagery_max_km2;
    if (!limit || imagery.length === 0 || !this.map.getSize()) {
      notice.hidden = true;
      return;
    }
    const view = this.map.getView();
    const box = transformExtent(view.calculateExtent(this.map.getSize()), view.getProjection(), 'EPSG:4326', 20);
    const km2 = getArea(fromExtent(box), { projection: 'EPSG:4326' }) / 1e6;
    // NOTE: ol/sphere measures on a sphere and the server on the WGS 84
    // ellipsoid; near the limit the two may differ by about 0.5 %.
    notice.hidden = km2 <= limit;
    notice.textContent = notice.hidden ? '' : t('imagerySecret', { area: formatNumber(km2, 0), limit: formatNumber(limit, 0) });
    notice.dataset.km2 = km2.toFixed(1);
  }

  showPointer(coordinate) {
    const projection = this.map.getView().getProjection();
    const lonlat = transform(coordinate, projection, 'EPSG:4326');
    const zone = this.zoneId();
    const xy = zone ? transform(lonlat, 'EPSG:4326', zone) : null;
    $('pointer').textContent = `${t('pointer')}: ${formatNumber(lonlat[1], 6)}° N, ${formatNumber(lonlat[0], 6)}° E` +
      (xy ? ` · ${zone} X ${formatNumber(xy[1], 1)} Y ${formatNumber(xy[0], 1)}` : '');
  }

  wire() {
    const map = this.map;
    // Query the features under a click unless a second click (a double-click
    // zoom) follows. OpenLayers 10.11 drops its own 'singleclick' when the
    // pressed canvas is replaced during the wait, as new images arrive.
    let pendingClick;
    map.on('click', (event) => {
      if (pendingClick !== undefined) {
        clearTimeout(pendingClick);
        pendingClick = undefined;
        return;
      }
      // The click that closes a polygon is no feature query.
      if (this.area.draw || Date.now() - this.area.finishedAt < 600) return;
      const coordinate = event.coordinate;
      pendingClick = setTimeout(() => {
        pendingClick = undefined;
        this.info.queryAt(coordinate).catch((error) => this.search.say('loadError', { detail: error.message }));
      }, DOUBLE_CLICK_MS);
    });
    map.on('pointermove', (event) => { if (!event.dragging) this.showPointer(event.coordinate); });
    map.on('moveend', () => this.updateImageryNotice());
    map.on('vnsdi:layers', () => this.updateImageryNotice());
    $('map').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !this.area.draw) {
        event.preventDefault();
        this.info.queryAt(map.getView().getCenter());
      } else if (event.key === 'Escape' && this.area.cancelKey()) {
        event.preventDefault();
      }
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !$('info').hidden && !this.area.draw) this.info.close();
    });
    for (const radio of document.querySelectorAll('input[name="display"]')) {
      radio.addEventListener('change', () => this.displayChanged());
    }
    $('zone').addEventListener('change', () => this.displayChanged());
    $('lang-toggle').addEventListener('click', () => this.switchLanguage(lang() === 'vi' ? 'en' : 'vi'));
    $('menu-toggle').addEventListener('click', () => {
      const open = document.body.classList.toggle('menu-open');
      $('menu-toggle').setAttribute('aria-expanded', String(open));
      setTimeout(() => map.updateSize(), 0);
    });
  }

  relabelControls() {
    const tips = lang() === 'en' ? ['Zoom in', 'Zoom out'] : ['Phóng to', 'Thu nhỏ'];
    const buttons = [document.querySelector('.ol-zoom-in'), document.querySelector('.ol-zoom-out')];
    buttons.forEach((button, i) => {
      if (!button) return;
      button.title = tips[i];
      button.setAttribute('aria-label', tips[i]);
    });
  }

  switchLanguage(code) {
    setLang(code);
    try {
      window.localStorage?.setItem('vnsdi.lang', code);
    } catch {
      // Storage may be off; the language still switches for this page.
    }
    const url = new URL(window.location.href);
    url.searchParams.set('lang', code);
    window.history.replaceState(null, '', url);
    translateDom();
    this.fillZoneLists();
    this.layers.render();
    this.info.render();
    this.search.relabel();
    this.area.relabel();
    this.relabelControls();
    this.updateImageryNotice();
  }
}

const viewer = new Viewer();
// The browser test drives the map and reads the area query through these.
window.vnsdiViewer = viewer;
viewer.transform = transform;
viewer.start().catch((error) => {
  const status = $('search-status');
  status.textContent = t('loadError', { detail: error.message });
  document.body.dataset.ready = 'error';
});
