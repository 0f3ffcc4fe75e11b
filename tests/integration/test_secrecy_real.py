"""Secrecy rules on real data: the Da Nang parcels with a restricted polygon
over their west edge (written in VN-2000 TM-3 107-45, EPSG:5899), and the
three real imagery scenes: Landsat (53,100 km² box, always dropped), the
0.6 m aerial COG (0.23 km², EPSG:3857) and Ben Tre (127 km² box).
"""

import json
import math
import os
import unittest
import urllib.parse

import harness
import secrecy_util as su
from osgeo import ogr

LANDSAT = "imagery/landsat7_bahamas_RGB.byte.tif"
AERIAL = "imagery/aerial_0p6m_cogeo.tif"
BENTRE = "imagery/bentre_man_s2_20191127_clip.tif"
DANANG_LAYERS = ["danang_wgs84", "danang_vn2000"]
# Over the west edge of the Nam Duong parcels (lon, lat).
AREA = (108.2130, 16.0585, 108.2150, 16.0620)
CRSS = ["EPSG:3857", "EPSG:4326", "EPSG:5897", "EPSG:5899"]
# Centres of the scenes (lon, lat).
AERIAL_CENTRE = (128.6581, 37.6686)
LANDSAT_CENTRE = (-77.77, 24.56)
BENTRE_CENTRE = (106.375, 10.237)


def write_area(path):
    """The restricted polygon as GeoJSON in EPSG:5899."""
    west, south, east, north = AREA
    ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    tr = su.osr.CoordinateTransformation(su.srs("CRS:84"), su.srs("EPSG:5899"))
    coords = [list(tr.TransformPoint(x, y)[:2]) for x, y in ring]
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5899"}},
           "features": [{"type": "Feature",
                         "properties": {"Ten": "Khu vực thử", "MaLyDo": "QP"},
                         "geometry": {"type": "Polygon", "coordinates": [coords]}}]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


def config():
    port = harness.free_port()
    work = harness.workdir()
    area = os.path.join(work, "restricted_5899.geojson")
    write_area(area)
    layers = [l for l in harness.LAYERS if l["id"] in DANANG_LAYERS]
    text = harness.config_text(port, os.path.join(work, "var"), layers=layers)
    text += "\n".join([
        "  - id: imagery",
        "    kind: raster",
        "    title: {vi: \"Ảnh\", en: \"Imagery\"}",
        "    scenes:",
        f"      - path: {harness.yaml_quote(harness.real_path(LANDSAT))}",
        f"      - path: {harness.yaml_quote(harness.real_path(AERIAL))}",
        f"      - path: {harness.yaml_quote(harness.real_path(BENTRE))}",
        "",
        "secrecy:",
        "  imagery_max_km2: 200",
        "  restricted_areas:",
        f"    - source: {harness.yaml_quote(area)}",
        "      name_attribute: Ten",
        "      reason_attribute: MaLyDo",
        "",
    ]) + "\n"
    return harness.write_config(text), port, area


class RealSecrecy(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.config, port, cls.area_path = config()
        cls.area = su.polygon_crs84(cls.area_path)
        cls.dropped, cls.kept_extent = set(), None
        path = harness.real_path(harness.DANANG_GEOJSON)
        kept = []
        for items, g, _ in su.layer_features(path):
            if g.Intersects(cls.area):
                cls.dropped.add(int(items["OBJECTID"]))
            else:
                kept.append(g.GetEnvelope())
        cls.kept_extent = (min(e[0] for e in kept), min(e[2] for e in kept),
                           max(e[1] for e in kept), max(e[3] for e in kept))
        cls.srv = harness.start_server(cls.config, port)

    def test_area_drops_some_parcels(self):
        self.assertGreater(len(self.dropped), 10)
        self.assertLess(len(self.dropped), 1955 // 2)

    def test_items_and_paging(self):
        for layer in DANANG_LAYERS:
            with self.subTest(layer=layer):
                ids, matched = su.all_item_ids(self, self.srv, layer)
                self.assertEqual(set(ids) & self.dropped, set())
                self.assertEqual(len(ids), 1955 - len(self.dropped))
                self.assertEqual(matched, len(ids))
                # Small pages see the same set, without repeats.
                small, offset = [], 0
                while True:
                    r = self.srv.get(f"/collections/{layer}/items?f=json&limit=500&offset={offset}")
                    page = [f["id"] for f in r.json()["features"]]
                    small += page
                    if len(page) < 500:
                        break
                    offset += 500
                self.assertEqual(sorted(small), sorted(ids))

    def test_bbox_crs_and_crs(self):
        west, east, south, north = self.area.GetEnvelope()
        # Twice the area's size, so kept parcels are found beside it.
        dx, dy = (east - west) / 2, (north - south) / 2
        box = (west - dx, south - dy, east + dx, north + dy)
        for crs in CRSS:
            with self.subTest(crs=crs):
                b = su.transform_box(box, "CRS:84", crs)
                if crs == "EPSG:4326":
                    b = (b[1], b[0], b[3], b[2])
                uri = "http://www.opengis.net/def/crs/EPSG/0/" + crs.split(":")[1]
                extra = ("&bbox=" + ",".join(repr(v) for v in b) + "&bbox-crs="
                         + urllib.parse.quote(uri, safe="") + "&crs="
                         + urllib.parse.quote(uri, safe=""))
                for layer in DANANG_LAYERS:
                    r = self.srv.get(f"/collections/{layer}/items?f=json&limit=1000{extra}")
                    if r.status == 400 and crs not in harness.OUTPUT_CRS:
                        continue   # a CRS the config does not offer
                    self.assertEqual(r.status, 200, r.describe())
                    ids = {f["id"] for f in r.json()["features"]}
                    self.assertFalse(ids & self.dropped, (layer, crs))
                    self.assertTrue(ids, "the box also holds kept parcels")

    def test_cql2_s_intersects(self):
        west, east, south, north = self.area.GetEnvelope()
        wkt = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
        r = self.srv.get("/collections/danang_wgs84/items?f=json&limit=1000&filter-lang=cql2-text"
                         "&filter=" + urllib.parse.quote(f"S_INTERSECTS(geometry,{wkt})"))
        if r.status == 400 and b"filter" in r.body and b"S_INTERSECTS" not in r.body:
            self.skipTest("CQL2 filter not served yet: " + r.describe(200))
        self.assertEqual(r.status, 200, r.describe())
        ids = {f["id"] for f in r.json()["features"]}
        self.assertFalse(ids & self.dropped)

    def test_extents_from_served_features(self):
        for layer in DANANG_LAYERS:
            with self.subTest(layer=layer):
                doc = self.srv.get(f"/collections/{layer}?f=json").json()
                bbox = doc["extent"]["spatial"]["bbox"][0]
                # The west edge moved east: the dropped parcels are not in it.
                self.assertAlmostEqual(bbox[0], self.kept_extent[0], delta=1e-6)
                self.assertAlmostEqual(bbox[3], self.kept_extent[3], delta=1e-6)
        r = self.srv.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        start = r.text.index("<Name>danang_wgs84</Name>")
        west = float(r.text[start:].split("<westBoundLongitude>")[1].split("<")[0])
        self.assertAlmostEqual(west, self.kept_extent[0], delta=2e-7)

    def test_getmap_empty_over_area(self):
        inner = su.inner_box(self.area)
        for crs in CRSS:
            for layer in DANANG_LAYERS:
                with self.subTest(crs=crs, layer=layer):
                    r = self.srv.get(su.getmap_path(layer, inner, crs))
                    self.assertEqual(su.opaque_pixels(self, r), 0)
        shifted = (inner[0] + 0.003, inner[1], inner[2] + 0.003, inner[3])
        r = self.srv.get(su.getmap_path("danang_wgs84", shifted, "EPSG:3857"))
        self.assertGreater(su.opaque_pixels(self, r), 100)

    def test_landsat_never_served(self):
        lon, lat = LANDSAT_CENTRE
        for km2 in (0.01, 1, 100, 150):
            for crs in ("EPSG:3857", "EPSG:4326", "CRS:84"):
                with self.subTest(km2=km2, crs=crs):
                    r = self.srv.get(su.getmap_path("imagery", su.box_around(lon, lat, km2), crs))
                    self.assertEqual(su.opaque_pixels(self, r), 0)

    def test_aerial_fine_zoom_only(self):
        lon, lat = AERIAL_CENTRE
        for crs in ("EPSG:3857", "EPSG:4326"):
            with self.subTest(crs=crs):
                r = self.srv.get(su.getmap_path("imagery", su.box_around(lon, lat, 0.1), crs))
                self.assertGreater(su.opaque_pixels(self, r), 5000)
                r = self.srv.get(su.getmap_path("imagery", su.box_around(lon, lat, 210), crs, size=512))
                self.assertEqual(su.opaque_pixels(self, r), 0)
        lon, lat = BENTRE_CENTRE
        r = self.srv.get(su.getmap_path("imagery", su.box_around(lon, lat, 20), "EPSG:3857"))
        self.assertGreater(su.opaque_pixels(self, r), 1000)

    def test_tiles_imagery_rule(self):
        lon, lat = AERIAL_CENTRE

        def tile(z):
            n = 2 ** z
            x = int((lon + 180) / 360 * n)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            return x, y

        x, y = tile(17)
        fine = self.srv.get(f"/tiles/imagery/17/{x}/{y}.png")
        if fine.status == 404:
            self.skipTest("XYZ tiles not served yet: " + fine.describe(200))
        self.assertGreater(su.opaque_pixels(self, fine), 1000)
        # z=8 tiles are about 24,000 km² at 37.7° N: never imagery.
        x, y = tile(8)
        r = self.srv.get(f"/tiles/imagery/8/{x}/{y}.png")
        self.assertEqual(r.status, 404, r.describe(200))
        r = self.srv.get("/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=imagery"
                         "&STYLE=default&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=8"
                         f"&TILEROW={y}&TILECOL={x}&FORMAT=image/png")
        self.assertEqual(r.status, 400, r.describe(200))
        self.assertIn(b"TileOutOfRange", r.body)

    def test_check_lists_dropped_scenes(self):
        result = harness.vnsdi("check", "--config", self.config)
        out = result.stdout
        self.assertEqual(result.returncode, 0, out + result.stderr)
        landsat = [line for line in out.splitlines() if "landsat7" in line]
        self.assertEqual(len(landsat), 1)
        self.assertIn("dropped: diện tích phủ", landsat[0])
        self.assertIn("(state secret)", landsat[0])
        self.assertRegex([l for l in out.splitlines() if "aerial_0p6m" in l][0], r": 0\.2 km², served")
        self.assertRegex([l for l in out.splitlines() if "bentre" in l][0], r": 12\d\.\d km², served")
        self.assertIn(f"{len(self.dropped)} dropped by restricted areas", out)

    def test_config_serving_restricted_source_rejected(self):
        with open(self.config, encoding="utf-8") as f:
            text = f.read()
        leak = text.replace("secrecy:", "\n".join([
            "  - id: leak",
            "    title: {vi: \"Rò rỉ\", en: \"Leak\"}",
            f"    source: {harness.yaml_quote(self.area_path)}",
            "", "secrecy:"]), 1)
        path = harness.write_config(leak, "leak.yaml")
        result = harness.vnsdi("check", "--config", path)
        self.assertEqual(result.returncode, 1)
        # Vietnamese unless VNSDI_LANG asks for English.
        self.assertIn("là dữ liệu khu vực hạn chế", result.stdout + result.stderr)


if __name__ == "__main__":
    harness.require_environment()
    harness.main()
