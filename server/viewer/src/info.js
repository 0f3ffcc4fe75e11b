// The attribute panel: WMS GetFeatureInfo (application/json) on a click,
// or a feature found by a search, shown with Vietnamese labels and the
// names of land-use codes.
import GeoJSON from 'ol/format/GeoJSON.js';
import ImageWMS from 'ol/source/ImageWMS.js';
import { apiUrl, getJson, viewerBase } from './api.js';
import { attributeLabel, formatNumber, landUseAttributes, lang, t } from './i18n.js';

const landUseNames = new Map(); // code -> {vi, en} or null

async function loadLandUseNames(features) {
  const wanted = new Set();
  for (const f of features) {
    for (const name of landUseAttributes) {
      const code = f.properties?.[name];
      if (typeof code === 'string' && code && !landUseNames.has(code)) wanted.add(code);
    }
  }
  if (wanted.size === 0) return;
  const url = new URL('landuse.json', viewerBase);
  url.searchParams.set('codes', [...wanted].slice(0, 64).join(','));
  try {
    const names = await getJson(url);
    for (const [code, value] of Object.entries(names)) landUseNames.set(code, value);
  } catch {
    // The codes are still shown, without their names.
  }
}

function formatValue(name, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (typeof value === 'number') {
    return name === 'MaThua' || name === 'SoHieuToBanDo' || name === 'SoThuTuThua' || name === 'Nam'
      ? String(value) : formatNumber(value);
  }
  if (landUseAttributes.includes(name)) {
    const names = landUseNames.get(value);
    if (names) return `${value} — ${names[lang()]}`;
  }
  return String(value);
}

export class InfoPanel {
  // `layers` is the LayerList (titles), `highlight` a vector source.
  constructor(map, layers, highlight, elements) {
    this.map = map;
    this.layers = layers;
    this.highlight = highlight;
    this.panel = elements.panel;
    this.body = elements.body;
    this.closeButton = elements.close;
    this.current = []; // [{ layer, properties }]
    this.request = 0;
    this.closeButton.addEventListener('click', () => this.close());
  }

  close() {
    this.panel.hidden = true;
    this.current = [];
    this.highlight.clear();
    this.map.getTargetElement().focus();
  }

  // Query the visible layers at `coordinate` (view projection).
  async queryAt(coordinate) {
    const queryable = this.layers.visibleQueryable().map((e) => e.id);
    const serial = ++this.request;
    if (queryable.length === 0) {
      this.show([], null);
      return;
    }
    const view = this.map.getView();
    const helper = new ImageWMS({
      url: apiUrl('wms').href,
      params: { LAYERS: queryable.join(','), STYLES: '', VERSION: '1.3.0', FORMAT: 'image/png' },
    });
    const url = helper.getFeatureInfoUrl(coordinate, view.getResolution(), view.getProjection(), {
      INFO_FORMAT: 'application/json', QUERY_LAYERS: queryable.join(','), FEATURE_COUNT: 5, lang: lang(),
    });
    const doc = await getJson(new URL(url));
    if (serial !== this.request) return;
    const features = (doc.features || []).map((f) => ({ layer: f.layer, properties: f.properties || {}, geometry: f.geometry }));
    await this.show(features, view.getProjection());
  }

  // Show features whose geometry is in `projection` (null: none drawn).
  async show(features, projection) {
    await loadLandUseNames(features);
    this.current = features;
    this.highlight.clear();
    if (projection) {
      const format = new GeoJSON({ dataProjection: projection, featureProjection: projection });
      for (const f of features) {
        if (f.geometry) this.highlight.addFeature(format.readFeature({ type: 'Feature', geometry: f.geometry, properties: {} }));
      }
    }
    this.render();
    this.panel.hidden = false;
  }

  render() {
    this.body.replaceChildren();
    if (this.current.length === 0) {
      const p = document.createElement('p');
      p.textContent = t('infoNone');
      this.body.append(p);
      return;
    }
    for (const feature of this.current) {
      const entry = this.layers.byId(feature.layer);
      const section = document.createElement('section');
      section.className = 'feature';
      section.dataset.layer = feature.layer || '';
      const heading = document.createElement('h3');
      heading.textContent = entry ? this.layers.title(entry) : (feature.layer || '');
      const list = document.createElement('dl');
      for (const [name, value] of Object.entries(feature.properties)) {
        const dt = document.createElement('dt');
        dt.textContent = attributeLabel(name);
        dt.title = name;
        const dd = document.createElement('dd');
        dd.dataset.attribute = name;
        dd.textContent = formatValue(name, value);
        list.append(dt, dd);
      }
      section.append(heading, list);
      this.body.append(section);
    }
  }
}
