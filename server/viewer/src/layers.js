// The WMS layers: read from GetCapabilities (titles in both languages),
// drawn as one OpenLayers image layer each, listed with on/off, opacity and
// the GetLegendGraphic legend.
import ImageLayer from 'ol/layer/Image.js';
import ImageWMS from 'ol/source/ImageWMS.js';
import { apiUrl, getText } from './api.js';
import { lang, t } from './i18n.js';

const WMS_NS = 'http://www.opengis.net/wms';

function childText(el, name) {
  for (const child of el.children) {
    if (child.localName === name) return child.textContent.trim();
  }
  return '';
}

// Return [{ id, title, abstract, queryable, raster }] of the named layers.
function parseCapabilities(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const out = [];
  for (const el of doc.getElementsByTagNameNS(WMS_NS, 'Layer')) {
    const id = childText(el, 'Name');
    if (!id) continue;
    const queryable = el.getAttribute('queryable') === '1';
    out.push({ id, title: childText(el, 'Title') || id, abstract: childText(el, 'Abstract'), queryable, raster: !queryable });
  }
  return out;
}

async function capabilities(language) {
  const url = apiUrl('wms', { SERVICE: 'WMS', REQUEST: 'GetCapabilities', VERSION: '1.3.0', lang: language });
  return parseCapabilities(await getText(url));
}

export function legendUrl(id) {
  return apiUrl('wms', {
    SERVICE: 'WMS', REQUEST: 'GetLegendGraphic', VERSION: '1.3.0', LAYER: id, FORMAT: 'image/png', lang: lang(),
  }).href;
}

export class LayerList {
  constructor(map, listElement) {
    this.map = map;
    this.listElement = listElement;
    this.entries = []; // { id, titles: {vi, en}, queryable, raster, layer, source, item }
  }

  // Load the capabilities in both languages and add the layers to the map.
  async load(defaultVisible) {
    const [vi, en] = await Promise.all([capabilities('vi'), capabilities('en')]);
    const english = new Map(en.map((l) => [l.id, l]));
    let z = 10;
    // Imagery at the bottom; the vector layers keep the capabilities order,
    // with the first one (parcels) on top of the polygons.
    const ordered = [...vi.filter((l) => l.raster), ...vi.filter((l) => !l.raster).reverse()];
    for (const info of ordered) {
      const source = new ImageWMS({
        url: apiUrl('wms').href,
        params: { LAYERS: info.id, STYLES: '', FORMAT: 'image/png', TRANSPARENT: true, VERSION: '1.3.0' },
        // The imagery request covers the view exactly, so the secrecy
        // notice computes the same footprint as the server.
        ratio: info.raster ? 1 : 1.25,
      });
      const layer = new ImageLayer({ source, visible: defaultVisible(info), zIndex: z++ });
      layer.set('vnsdiId', info.id);
      this.map.addLayer(layer);
      this.entries.push({
        id: info.id,
        titles: { vi: info.title, en: english.get(info.id)?.title || info.title },
        queryable: info.queryable,
        raster: info.raster,
        layer,
        source,
      });
    }
    this.render();
  }

  title(entry) {
    return entry.titles[lang()] || entry.id;
  }

  byId(id) {
    return this.entries.find((e) => e.id === id);
  }

  visibleQueryable() {
    return this.entries.filter((e) => e.queryable && e.layer.getVisible());
  }

  // Draw the list, top layer first.
  render() {
    const list = this.listElement;
    list.replaceChildren();
    for (const entry of [...this.entries].reverse()) {
      const title = this.title(entry);
      const item = document.createElement('li');
      item.className = 'layer';
      item.dataset.layer = entry.id;

      const toggle = document.createElement('input');
      toggle.type = 'checkbox';
      toggle.id = `layer-${entry.id}`;
      toggle.checked = entry.layer.getVisible();
      toggle.addEventListener('change', () => {
        entry.layer.setVisible(toggle.checked);
        this.map.dispatchEvent('vnsdi:layers');
      });
      const label = document.createElement('label');
      label.htmlFor = toggle.id;
      label.textContent = title;

      const opacity = document.createElement('input');
      opacity.type = 'range';
      opacity.min = '0';
      opacity.max = '100';
      opacity.step = '10';
      opacity.value = String(Math.round(entry.layer.getOpacity() * 100));
      opacity.className = 'opacity';
      opacity.setAttribute('aria-label', t('opacityOf', { title }));
      opacity.addEventListener('input', () => {
        entry.layer.setOpacity(Number(opacity.value) / 100);
        opacity.setAttribute('aria-valuetext', `${opacity.value} %`);
      });

      const legend = document.createElement('details');
      legend.className = 'legend';
      const summary = document.createElement('summary');
      summary.textContent = t('legend');
      summary.setAttribute('aria-label', t('legendOf', { title }));
      legend.append(summary);
      legend.addEventListener('toggle', () => {
        if (legend.open && !legend.querySelector('img')) {
          const img = document.createElement('img');
          img.src = legendUrl(entry.id);
          img.alt = t('legendOf', { title });
          legend.append(img);
        }
      });

      const head = document.createElement('div');
      head.className = 'layer-head';
      head.append(toggle, label);
      const row = document.createElement('div');
      row.className = 'opacity-row';
      const caption = document.createElement('span');
      caption.textContent = t('opacity');
      caption.setAttribute('aria-hidden', 'true');
      row.append(caption, opacity);
      item.append(head, row, legend);
      list.append(item);
    }
  }

  // Point every source at a new display projection: the WMS draws in it.
  refreshSources() {
    for (const entry of this.entries) entry.source.refresh();
  }
}
