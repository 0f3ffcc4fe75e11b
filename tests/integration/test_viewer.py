"""The map viewer at /viewer in a real browser.

The Can Tho sample is generated with vnsdi-samplegen, served with a copy of
samples/vnsdi.yaml, and test_viewer.mjs drives Debian's Chromium through
playwright-core against it (see that file for the steps). This script picks
the parcels that the browser test uses. It then checks the parcels that the
viewer found in a drawn polygon: OGC API items are fetched by the polygon's
bbox and tested with OGR (GEOS), a second implementation of the question.

Needs node, /usr/bin/chromium and playwright-core in
$VNSDI_BUILD/browser-test/node_modules, which the build installs from
tests/browser/package-lock.json. Without node or chromium the test is
skipped with a message; a missing playwright-core is a failure.
Screenshots and the downloaded CSV are kept in
$VNSDI_BUILD/test-output/viewer/.
"""

import json
import os
import shutil
import subprocess
import sys
import unittest
import urllib.parse

import harness
from osgeo import ogr

CHROMIUM = "/usr/bin/chromium"
NODE_TIMEOUT = 420


def missing_tools():
    """Return why the browser test cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (Debian package chromium)"
    return None


def modules_dir():
    return os.path.join(harness.BUILD, "browser-test", "node_modules")


def ring_polygon(ring):
    """Return an OGR polygon from a list of [lon, lat]."""
    polygon = ogr.Geometry(ogr.wkbPolygon)
    line = ogr.Geometry(ogr.wkbLinearRing)
    for lon, lat in ring:
        line.AddPoint_2D(lon, lat)
    line.CloseRings()
    polygon.AddGeometry(line)
    return polygon


def interior_point(geometry):
    """Return [lon, lat] of a point inside a GeoJSON polygon."""
    point = ogr.CreateGeometryFromJson(json.dumps(geometry)).PointOnSurface()
    return [point.GetX(), point.GetY()]


class Viewer(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(harness.workdir(), "sample")
        data = os.path.join(cls.root, "data")
        os.makedirs(cls.root)
        generator = os.path.join(harness.BUILD, "vnsdi-samplegen")
        result = harness.run([generator, data], timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"vnsdi-samplegen failed ({result.returncode}):\n"
                               f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        config = os.path.join(cls.root, "vnsdi.yaml")
        shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), config)
        cls.srv = harness.start_server(config, harness.free_port())
        cls.out = os.path.join(harness.BUILD, "test-output", "viewer")
        os.makedirs(cls.out, exist_ok=True)

    def get_json(self, path):
        response = self.srv.get(path)
        self.assertEqual(response.status, 200, response.describe())
        return response.json()

    def items(self, query):
        """Return every parcel of an items query, paging by 1000."""
        features, offset = [], 0
        while True:
            page = self.get_json(f"/collections/parcels/items?f=json&limit=1000&offset={offset}&{query}")
            features.extend(page["features"])
            offset += len(page["features"])
            if not page["features"] or offset >= page["numberMatched"]:
                return features

    def parcel(self, offset):
        page = self.get_json(f"/collections/parcels/items?f=json&limit=1&offset={offset}")
        self.assertTrue(page["features"], f"no parcel at offset {offset}")
        return page["features"][0]

    def to_zone(self, crs, lonlat):
        """Return (easting, northing) of a CRS84 point with `vnsdi crs convert`."""
        result = harness.vnsdi("crs", "convert", "--from", "CRS:84", "--to", crs,
                               f"{lonlat[0]:.9f}", f"{lonlat[1]:.9f}")
        self.assertEqual(result.returncode, 0, result.stderr)
        easting, northing = (float(v) for v in result.stdout.split()[:2])
        return easting, northing

    def browser_input(self):
        """Pick the parcels of the browser test from the served data."""
        config = self.get_json("/viewer/config.json")
        clicked = self.parcel(500)
        searched = self.parcel(1500)
        typed = self.parcel(2500)
        sheet = searched["properties"]["SoHieuToBanDo"]
        number = searched["properties"]["SoThuTuThua"]
        matched = self.get_json(f"/collections/parcels/items?f=json&limit=1"
                                f"&SoHieuToBanDo={sheet}&SoThuTuThua={number}")["numberMatched"]
        zone = config["storage_crs"]
        typed_point = interior_point(typed["geometry"])
        easting, northing = self.to_zone(zone, typed_point)
        click_props = clicked["properties"]
        return {
            "storage_crs": zone,
            "click": {"point": interior_point(clicked["geometry"]),
                      **{k: click_props[k] for k in ("MaThua", "SoHieuToBanDo", "SoThuTuThua",
                                                     "KyHieuMucDichSuDung")}},
            "search": {"SoHieuToBanDo": sheet, "SoThuTuThua": number, "matched": matched},
            "coordinates": {"crs": zone, "easting": round(easting, 3), "northing": round(northing, 3),
                            "MaThua": typed["properties"]["MaThua"]},
            "area": {"centre": interior_point(self.parcel(3000)["geometry"])},
        }

    def expected_in_area(self, ring):
        """Return the MaThua of the parcels that the polygon intersects (OGR)."""
        polygon = ring_polygon(ring)
        west, east, south, north = polygon.GetEnvelope()
        found = set()
        for feature in self.items(f"bbox={west:.7f},{south:.7f},{east:.7f},{north:.7f}"):
            geometry = ogr.CreateGeometryFromJson(json.dumps(feature["geometry"]))
            if geometry is not None and geometry.Intersects(polygon):
                found.add(feature["properties"]["MaThua"])
        return found

    def test_viewer_in_chromium(self):
        input_path = os.path.join(self.out, "input.json")
        with open(input_path, "w", encoding="utf-8") as f:
            json.dump(self.browser_input(), f, ensure_ascii=False, indent=1)
        area_path = os.path.join(self.out, "area.json")
        if os.path.exists(area_path):
            os.remove(area_path)

        env = harness.client_env()
        env.update({
            "VIEWER_BASE": self.srv.base_url,
            "VIEWER_INPUT": input_path,
            "VIEWER_OUT": self.out,
            "PLAYWRIGHT_MODULES": modules_dir(),
        })
        script = os.path.join(harness.SOURCE, "tests", "integration", "test_viewer.mjs")
        result = subprocess.run(["node", script], capture_output=True, text=True, errors="replace",
                                timeout=NODE_TIMEOUT, stdin=subprocess.DEVNULL, env=env)
        print(result.stdout)
        print(result.stderr, file=sys.stderr)
        print(f"screenshots and CSV: {self.out}")
        self.assertEqual(result.returncode, 0, "browser test failed (output above)")

        with open(area_path, encoding="utf-8") as f:
            area = json.load(f)
        expected = self.expected_in_area(area["ring"])
        self.assertEqual(area["count"], len(expected),
                         f"parcels in the drawn polygon {area['ring']}")
        self.assertEqual(set(area["ids"]), expected)
        # The same polygon as a CQL2 filter on items gives the same parcels.
        self.assertEqual(set(area["ids"]), self.server_in_area(area["ring"]))

    def server_in_area(self, ring):
        """Return the MaThua of items?filter=S_INTERSECTS(geometry, ring)."""
        points = [tuple(p) for p in ring]
        if points[0] != points[-1]:
            points.append(points[0])
        wkt = "POLYGON((" + ",".join(f"{x:.9f} {y:.9f}" for x, y in points) + "))"
        query = "filter-lang=cql2-text&filter=" + urllib.parse.quote(
            f"S_INTERSECTS(geometry,{wkt})")
        return {f["properties"]["MaThua"] for f in self.items(query)}


if __name__ == "__main__":
    reason = missing_tools()
    if reason is not None:
        print(f"test_viewer: skipped: {reason}")
        sys.exit(0)
    if not os.path.isdir(os.path.join(modules_dir(), "playwright-core")):
        print(f"test_viewer: playwright-core is missing from {modules_dir()}; "
              "build the viewer-test-deps target (npm ci of tests/browser)", file=sys.stderr)
        sys.exit(1)
    harness.main()
