// Browser test of the map viewer at /viewer, run by test_viewer.py.
//
// Debian's /usr/bin/chromium, driven by playwright-core, loads the viewer
// from a vnsdi server on 127.0.0.1 and goes through a land officer's work.
// It switches the language, toggles a layer, clicks a parcel, searches a
// parcel and a typed point, draws an area and downloads its CSV, and draws
// a polygon that crosses itself. It zooms
// out to the imagery secrecy notice, switches to a VN-2000 display, and uses
// the map from the keyboard and at 360 px width. Every request to a host other than
// 127.0.0.1 is aborted and reported as a failure.
//
// Environment: VIEWER_BASE (http://127.0.0.1:PORT), VIEWER_INPUT (JSON with
// the parcels to use, written by test_viewer.py), VIEWER_OUT (folder for
// screenshots, the CSV and area.json), PLAYWRIGHT_MODULES (node_modules
// holding playwright-core).
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.env.PLAYWRIGHT_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');

const BASE = process.env.VIEWER_BASE;
const OUT = process.env.VIEWER_OUT;
const INPUT = JSON.parse(readFileSync(process.env.VIEWER_INPUT, 'utf8'));
const TIMEOUT = 30000;

const results = [];
const blocked = [];
const failedResponses = [];

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${error.stack || error}`);
  }
}

function expectEqual(obtained, expected, what) {
  if (obtained !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, obtained ${JSON.stringify(obtained)}`);
  }
}

function expectTrue(condition, what) {
  if (!condition) throw new Error(what);
}

// Centre the map on a CRS84 point at a zoom level and wait for it to settle.
async function centreOn(page, lonlat, zoom) {
  await page.evaluate(([point, z]) => {
    const viewer = window.vnsdiViewer;
    const view = viewer.map.getView();
    const projection = view.getProjection().getCode();
    view.setCenter(window.vnsdiViewer.transform(point, 'EPSG:4326', projection));
    view.setZoom(z);
  }, [lonlat, zoom]);
  await page.waitForTimeout(300);
}

// Pixel of a CRS84 point on the page.
async function pagePixel(page, lonlat) {
  const pixel = await page.evaluate((point) => {
    const viewer = window.vnsdiViewer;
    const view = viewer.map.getView();
    const xy = window.vnsdiViewer.transform(point, 'EPSG:4326', view.getProjection().getCode());
    return viewer.map.getPixelFromCoordinate(xy);
  }, lonlat);
  const box = await page.locator('#map').boundingBox();
  return [box.x + pixel[0], box.y + pixel[1]];
}

// Wait until OpenLayers has drawn every layer of the current view.
async function rendered(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const map = window.vnsdiViewer.map;
    map.once('rendercomplete', () => resolve());
    map.render();
  }));
}

async function panelValue(page, attribute) {
  return (await page.locator(`#info-body dd[data-attribute="${attribute}"]`).first().textContent()).trim();
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'vnsdi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));

  try {
    await run(page);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function run(page) {
  await step('load /viewer in Vietnamese', async () => {
    const response = await page.goto(`${BASE}/viewer`);
    expectEqual(response.status(), 200, 'status of /viewer after the redirect');
    expectTrue(page.url().endsWith('/viewer/'), `redirected to ${page.url()}`);
    await page.waitForSelector('body[data-ready="true"]');
    expectEqual(await page.getAttribute('html', 'lang'), 'vi', 'html lang');
    expectEqual((await page.textContent('h1')).trim(), 'Bản đồ đất đai', 'heading');
    await page.waitForSelector('#layer-list label:text-is("Thửa đất")');
  });

  await step('switch to English and back', async () => {
    await page.click('#lang-toggle');
    await page.waitForSelector('h1:text-is("Land map")');
    expectEqual(await page.getAttribute('html', 'lang'), 'en', 'html lang after the switch');
    await page.waitForSelector('#layer-list label:text-is("Land parcels")');
    expectEqual((await page.textContent('#search-parcel legend')).trim(), 'Parcel by map sheet and parcel number', 'search legend');
    await page.click('#lang-toggle');
    await page.waitForSelector('h1:text-is("Bản đồ đất đai")');
    await page.waitForSelector('#layer-list label:text-is("Thửa đất")');
  });

  await step('toggle the land-use layer', async () => {
    const checkbox = page.locator('#layer-land_use');
    expectEqual(await checkbox.isChecked(), false, 'land_use shown at start');
    const request = page.waitForResponse((r) => r.url().includes('REQUEST=GetMap') && r.url().includes('LAYERS=land_use'));
    await checkbox.check();
    const response = await request;
    expectEqual(response.status(), 200, 'GetMap of land_use');
    expectEqual(response.headers()['content-type'], 'image/png', 'GetMap content type');
    expectTrue(await page.evaluate(() => window.vnsdiViewer.layers.byId('land_use').layer.getVisible()), 'land_use visible');
    await checkbox.uncheck();
    expectTrue(!(await page.evaluate(() => window.vnsdiViewer.layers.byId('land_use').layer.getVisible())), 'land_use hidden again');
    const legend = page.locator('li[data-layer="parcels"] details.legend');
    await legend.locator('summary').click();
    await page.waitForFunction(() => {
      const img = document.querySelector('li[data-layer="parcels"] details.legend img');
      return img && img.complete && img.naturalWidth > 0;
    });
    const opacity = page.locator('li[data-layer="parcels"] input.opacity');
    await opacity.fill('50');
    expectEqual(await page.evaluate(() => window.vnsdiViewer.layers.byId('parcels').layer.getOpacity()), 0.5, 'parcels opacity');
    await opacity.fill('100');
  });

  await step('click a parcel shows its attributes', async () => {
    const parcel = INPUT.click;
    await centreOn(page, parcel.point, 19);
    const [x, y] = await pagePixel(page, parcel.point);
    const request = page.waitForResponse((r) => r.url().includes('REQUEST=GetFeatureInfo'));
    await page.mouse.click(x, y);
    expectEqual((await request).status(), 200, 'GetFeatureInfo status');
    await page.waitForSelector('#info:not([hidden]) #info-body dd[data-attribute="SoThuTuThua"]');
    expectEqual(await panelValue(page, 'SoThuTuThua'), String(parcel.SoThuTuThua), 'parcel number in the panel');
    expectEqual(await panelValue(page, 'SoHieuToBanDo'), String(parcel.SoHieuToBanDo), 'map sheet in the panel');
    const use = await panelValue(page, 'KyHieuMucDichSuDung');
    expectTrue(use.startsWith(parcel.KyHieuMucDichSuDung), `land-use code ${parcel.KyHieuMucDichSuDung} in "${use}"`);
    expectTrue(use.length > parcel.KyHieuMucDichSuDung.length + 3, `land-use name after the code: "${use}"`);
    const label = (await page.locator('#info-body dt[title="SoThuTuThua"]').first().textContent()).trim();
    expectEqual(label, 'Số thửa', 'Vietnamese label of SoThuTuThua');
    await rendered(page);
    await page.screenshot({ path: join(OUT, 'viewer-click.png') });
  });

  await step('search a parcel by map sheet and number', async () => {
    const parcel = INPUT.search;
    await page.click('#info-close');
    await page.fill('#sheet', String(parcel.SoHieuToBanDo));
    await page.fill('#parcel', String(parcel.SoThuTuThua));
    await page.click('#search-parcel button[type="submit"]');
    await page.waitForSelector('#search-results li');
    expectEqual(await page.locator('#search-results li').count(), Math.min(parcel.matched, 50), 'results listed');
    await page.waitForSelector('#info:not([hidden]) #info-body dd[data-attribute="SoThuTuThua"]');
    expectEqual(await panelValue(page, 'SoThuTuThua'), String(parcel.SoThuTuThua), 'parcel number of the result');
    expectEqual(await panelValue(page, 'SoHieuToBanDo'), String(parcel.SoHieuToBanDo), 'map sheet of the result');
    expectTrue((await page.textContent('#search-status')).includes(String(parcel.matched)), 'result count in the status');
  });

  await step('search by VN-2000 coordinates', async () => {
    const point = INPUT.coordinates;
    await page.click('#info-close');
    await page.selectOption('#coord-crs', point.crs);
    expectEqual((await page.textContent('#coord-a-label')).trim(), 'X — tọa độ Bắc (m)', 'label of X');
    await page.fill('#coord-a', String(point.northing));
    await page.fill('#coord-b', String(point.easting));
    await page.click('#search-coord button[type="submit"]');
    await page.waitForSelector('#info:not([hidden]) #info-body dd[data-attribute="SoThuTuThua"]');
    expectEqual(await panelValue(page, 'MaThua'), String(point.MaThua), 'parcel at the typed point');
  });

  await step('draw a polygon and list its parcels', async () => {
    await page.click('#info-close');
    await centreOn(page, INPUT.area.centre, 18);
    await page.click('#area-draw');
    const box = await page.locator('#map').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const r = 0.3 * Math.min(box.width, box.height);
    const points = [[cx - r, cy - r * 0.6], [cx + r * 0.8, cy - r], [cx + r, cy + r * 0.7], [cx - r * 0.5, cy + r]];
    for (const [x, y] of points) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(150);
    }
    await page.mouse.click(points[0][0], points[0][1]);
    await page.waitForSelector('#area-status[data-count]');
    const state = await page.evaluate(() => ({
      ring: window.vnsdiViewer.area.ring,
      count: window.vnsdiViewer.area.parcels.length,
      ids: window.vnsdiViewer.area.parcels.map((f) => f.properties.MaThua),
    }));
    expectTrue(state.count > 0, 'no parcel in the drawn area');
    expectTrue((await page.textContent('#area-status')).includes(String(state.count)), 'count in the status');
    writeFileSync(join(OUT, 'area.json'), JSON.stringify(state));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#area-csv')]);
    const csvPath = join(OUT, 'area.csv');
    await download.saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8');
    expectTrue(csv.startsWith('\ufeff'), 'CSV starts with a byte order mark');
    const lines = csv.replace(/\r\n$/, '').split('\r\n');
    expectEqual(lines.length, state.count + 1, 'CSV lines (header and one per parcel)');
    expectTrue(lines[0].includes('SoThuTuThua') && lines[0].includes('KyHieuMucDichSuDung'), `CSV header: ${lines[0]}`);
    await rendered(page);
    await page.screenshot({ path: join(OUT, 'viewer-area.png') });
  });

  await step('a polygon that crosses itself is refused in words', async () => {
    await page.click('#area-draw');
    const box = await page.locator('#map').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const r = 0.25 * Math.min(box.width, box.height);
    // A bow tie: the first and third edges cross.
    const points = [[cx - r, cy - r], [cx + r, cy + r], [cx + r, cy - r], [cx - r, cy + r]];
    for (const [x, y] of points) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(150);
    }
    await page.mouse.click(points[0][0], points[0][1]);
    await page.waitForFunction(() => document.querySelector('#area-status').textContent.includes('các cạnh cắt nhau'));
    expectTrue(!(await page.locator('#area-status').getAttribute('data-count')), 'a count for a refused area');
    await page.click('#area-clear');
  });

  await step('imagery secrecy notice when zoomed out', async () => {
    await centreOn(page, INPUT.area.centre, 10);
    await page.waitForSelector('#imagery-notice:not([hidden])');
    await rendered(page);
    await page.screenshot({ path: join(OUT, 'viewer-imagery-notice.png') });
    const text = await page.textContent('#imagery-notice');
    expectTrue(text.includes('200 km²') && text.includes('bảo mật'), `notice text: ${text}`);
    await centreOn(page, INPUT.area.centre, 17);
    await page.waitForSelector('#imagery-notice[hidden]', { state: 'attached' });
  });

  await step('display in a VN-2000 zone', async () => {
    const zone = await page.inputValue('#zone');
    expectEqual(zone, INPUT.storage_crs, 'default zone');
    const request = page.waitForResponse((r) => r.url().includes('REQUEST=GetMap') && r.url().includes(`CRS=${encodeURIComponent(zone)}`));
    await page.check('input[name="display"][value="zone"]');
    expectEqual((await request).status(), 200, `GetMap in ${zone}`);
    expectEqual(await page.evaluate(() => window.vnsdiViewer.map.getView().getProjection().getCode()), zone, 'view projection');
    await rendered(page);
    await page.screenshot({ path: join(OUT, 'viewer-vn2000.png') });
    await page.check('input[name="display"][value="webmercator"]');
  });

  await step('keyboard: pan and feature information', async () => {
    await centreOn(page, INPUT.click.point, 19);
    await page.focus('#map');
    const before = await page.evaluate(() => window.vnsdiViewer.map.getView().getCenter());
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(400);
    const after = await page.evaluate(() => window.vnsdiViewer.map.getView().getCenter());
    expectTrue(after[0] < before[0], `ArrowLeft pans west: ${before} -> ${after}`);
    await centreOn(page, INPUT.click.point, 19);
    await page.focus('#map');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#info:not([hidden]) #info-body dd[data-attribute="SoThuTuThua"]');
    expectEqual(await panelValue(page, 'MaThua'), String(INPUT.click.MaThua), 'parcel at the centre');
    const label = await page.getAttribute('#map', 'aria-label');
    expectTrue(label && label.length > 20, 'map has an aria-label');
  });

  await step('usable at 360 px width', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expectTrue(overflow <= 360, `page is ${overflow} px wide at 360 px`);
    expectTrue(await page.isVisible('#menu-toggle'), 'menu button visible');
    await rendered(page);
    await page.screenshot({ path: join(OUT, 'viewer-360-map.png') });
    await page.click('#menu-toggle');
    expectEqual(await page.getAttribute('#menu-toggle', 'aria-expanded'), 'true', 'menu expanded');
    expectTrue(await page.isVisible('#sheet'), 'search form visible in the menu');
    await page.screenshot({ path: join(OUT, 'viewer-360-menu.png') });
  });

  await step('no request left 127.0.0.1', async () => {
    expectEqual(blocked.length, 0, `blocked requests: ${blocked.join(', ')}`);
  });
}

main().then(() => {
  const failed = results.filter((r) => !r.ok).length;
  if (failedResponses.length) console.log(`responses >= 400: ${failedResponses.join('; ')}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}, (error) => {
  console.log(`FAIL browser test: ${error.stack || error}`);
  process.exit(1);
});
