"""Query side of OGC API - Features and WMS on real data and on 200 000
generated parcels: paging, bbox-crs, CQL2, injection, personal attributes,
GetFeatureInfo with a tolerance, downloads read back by GDAL, and a large
result streamed in bounded memory."""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Under AddressSanitizer, freed memory waits in a quarantine (256 MiB by
# default) before it is reused, which the streaming check below would read
# as growth. A small quarantine keeps use-after-free detection for recent
# frees and lets the memory bound mean the same in both builds.
if "ASAN_OPTIONS" in os.environ:
    os.environ["ASAN_OPTIONS"] += ":quarantine_size_mb=8"

BIG = 200_000
PLANNER_TOKEN = "query-test-planner"


def make_big_layer(folder):
    """Write BIG square parcels (10 m) in VN-2000 TM-3 105-00 with ogr2ogr."""
    csv_path = os.path.join(folder, "big.csv")
    gpkg_path = os.path.join(folder, "big.gpkg")
    with open(csv_path, "w", encoding="utf-8") as out:
        out.write("WKT,MaThua,DienTich,DiaChi\n")
        for i in range(BIG):
            x = 580000 + (i % 500) * 12.0
            y = 1105000 + (i // 500) * 12.0
            out.write(f"\"POLYGON(({x} {y},{x + 10} {y},{x + 10} {y + 10},{x} {y + 10},{x} {y}))\","
                      f"{i + 1},{100 + i % 7},\"Phường Cái Khế, Quận Ninh Kiều\"\n")
    done = harness.run(["ogr2ogr", "-f", "GPKG", gpkg_path, csv_path, "-nln", "big",
                        "-a_srs", "EPSG:5897", "-oo", "GEOM_POSSIBLE_NAMES=WKT",
                        "-oo", "KEEP_GEOM_COLUMNS=NO",
                        "-oo", "AUTODETECT_TYPE=YES"], timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    os.remove(csv_path)
    return gpkg_path


def config(port, data_dir, big_path):
    layers = [dict(harness.LAYERS[0]), dict(harness.LAYERS[3]),
              {"id": "big", "title_vi": "Thửa đất sinh thử", "title_en": "Generated parcels",
               "abstract_vi": "", "abstract_en": "", "source": big_path,
               "source_layer": "big", "id_attribute": "MaThua"}]
    text = harness.config_text(port, data_dir, layers=layers, max_features=BIG)
    digest = hashlib.sha256(PLANNER_TOKEN.encode()).hexdigest()
    # Personal data on the Da Nang parcels: MaXa for planners only.
    text = text.replace('    id_attribute: "OBJECTID"\n',
                        '    id_attribute: "OBJECTID"\n    personal: [MaXa]\n'
                        '    personal_roles: [planner]\n', 1)
    return text + f"users:\n  - name: planner\n    role: planner\n    token_sha256: {digest}\n"


def q(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Sample the server's resident set every 10 ms; keep the maximum."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = status_kb(pid, "VmRSS")
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, status_kb(self.pid, "VmRSS"))
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


class QueryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        folder = harness.workdir()
        big = make_big_layer(folder)
        port = harness.free_port()
        data_dir = os.path.join(folder, "var")
        os.makedirs(data_dir, exist_ok=True)
        path = harness.write_config(config(port, data_dir, big))
        cls.srv = harness.start_server(path, port)

    def get(self, path, status=200, headers=None):
        response = self.srv.get(path, headers=headers)
        self.assertEqual(response.status, status, response.describe())
        return response

    def items(self, collection, **params):
        params.setdefault("f", "json")
        return self.get(f"/collections/{collection}/items?{q(params)}").json()

    def ids(self, collection, **params):
        params.setdefault("limit", harness.MAX_FEATURES)
        return {f["id"] for f in self.items(collection, **params)["features"]}

    def test_paging_walk_filtered(self):
        path = "/collections/danang_wgs84/items?" + q({"filter": "DienTich > 80", "limit": 37, "f": "json"})
        seen, matched = [], None
        while path:
            doc = self.get(path.replace(self.srv.base_url, "")).json()
            matched = doc["numberMatched"]
            seen += [f["id"] for f in doc["features"]]
            path = next((l["href"] for l in doc["links"] if l["rel"] == "next"), None)
        self.assertEqual(len(seen), len(set(seen)), "duplicate features across pages")
        self.assertEqual(len(seen), matched)
        self.assertGreater(matched, 100)

    def test_bbox_in_every_crs(self):
        box = (108.2150, 16.0590, 108.2170, 16.0610)
        reference = self.ids("danang_wgs84", bbox=",".join(map(str, box)))
        self.assertGreater(len(reference), 20)
        swapped = (box[1], box[0], box[3], box[2])
        self.assertEqual(self.ids("danang_wgs84", bbox=",".join(map(str, swapped)),
                                  **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"}), reference)
        for epsg in (4756, 3405, 5899):
            corners = self.transform([(box[0], box[1]), (box[2], box[3])], epsg)
            if epsg == 4756:
                (a, b), (c, d) = corners
                text = f"{b},{a},{d},{c}"  # latitude first
            else:
                (a, b), (c, d) = corners
                text = f"{a},{b},{c},{d}"
            got = self.ids("danang_wgs84", bbox=text,
                           **{"bbox-crs": f"http://www.opengis.net/def/crs/EPSG/0/{epsg}"})
            if epsg == 4756:
                self.assertEqual(got, reference, f"EPSG:{epsg}")
            else:
                # A projected box is rotated against CRS84 by the meridian
                # convergence (about 0.9 degree for UTM 48N at Da Nang), so
                # the expected parcels are those that intersect the box
                # polygon itself, densified and moved to CRS84 with OGR.
                expected = self.ids_in_polygon(harness.real_path(harness.DANANG_GEOJSON), epsg,
                                               (a, b, c, d))
                self.assertLessEqual(len(got ^ expected), 1,
                                     f"EPSG:{epsg}: {sorted(got ^ expected)}")
                self.assertLessEqual(len(got ^ reference), 40, f"EPSG:{epsg}")

    def ids_in_polygon(self, path, epsg, box):
        """OBJECTID of the source features that intersect `box` (in EPSG:epsg)."""
        from osgeo import ogr, osr
        ring = ogr.Geometry(ogr.wkbLinearRing)
        x0, y0, x1, y1 = box
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
            ring.AddPoint_2D(x, y)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        polygon.Segmentize((x1 - x0) / 50)
        source = osr.SpatialReference()
        source.ImportFromEPSG(epsg)
        target = osr.SpatialReference()
        target.SetFromUserInput("OGC:CRS84")
        for ref in (source, target):
            ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        polygon.Transform(osr.CoordinateTransformation(source, target))
        ds = ogr.Open(path)
        layer = ds.GetLayer(0)
        layer.SetSpatialFilter(polygon)
        return {f.GetField("OBJECTID") for f in layer
                if f.GetGeometryRef().Intersects(polygon)}

    def transform(self, points, epsg):
        proc = subprocess.run(["gdaltransform", "-s_srs", "OGC:CRS84", "-t_srs", f"EPSG:{epsg}"],
                              input="".join(f"{x} {y}\n" for x, y in points), capture_output=True,
                              text=True, env=harness.client_env(), timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        values = [tuple(map(float, line.split()[:2])) for line in proc.stdout.strip().splitlines()]
        return values

    def test_cql2_text_equals_json(self):
        pairs = [
            ("DienTich BETWEEN 100 AND 200",
             {"op": "between", "args": [{"property": "DienTich"}, 100, 200]}),
            ("KyHieuMucDichSuDung IN ('ODT','CLN') AND NOT SoHieuToBanDo = 5",
             {"op": "and", "args": [{"op": "in", "args": [{"property": "KyHieuMucDichSuDung"}, ["ODT", "CLN"]]},
                                    {"op": "not", "args": [{"op": "=", "args": [{"property": "SoHieuToBanDo"}, 5]}]}]}),
            ("S_INTERSECTS(geometry,POLYGON((108.214 16.0585,108.219 16.0585,108.219 16.062,108.214 16.062,"
             "108.214 16.0585),(108.2155 16.0595,108.2175 16.0595,108.2175 16.0612,108.2155 16.0612,"
             "108.2155 16.0595)))",
             {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [
                 [[108.214, 16.0585], [108.219, 16.0585], [108.219, 16.062], [108.214, 16.062], [108.214, 16.0585]],
                 [[108.2155, 16.0595], [108.2175, 16.0595], [108.2175, 16.0612], [108.2155, 16.0612],
                  [108.2155, 16.0595]]]}]}),
        ]
        for text, tree in pairs:
            a = self.ids("danang_wgs84", filter=text)
            b = self.ids("danang_wgs84", filter=json.dumps(tree), **{"filter-lang": "cql2-json"})
            self.assertEqual(a, b, text)
            self.assertTrue(a, text)
        hole = self.ids("danang_wgs84", filter=pairs[2][0])
        inner = self.ids("danang_wgs84", filter="S_WITHIN(geometry,POLYGON((108.2155 16.0595,108.2175 16.0595,"
                                                "108.2175 16.0612,108.2155 16.0612,108.2155 16.0595)))")
        self.assertTrue(inner)
        self.assertFalse(hole & inner, "features inside the hole were returned")

    def test_injection_refused(self):
        before = self.items("danang_wgs84", limit=1)["numberMatched"]
        attempts = ["DienTich > 1; DROP TABLE parcels", "DienTich > 1 -- x", "DienTich > 1 /* x */",
                    "KyHieuMucDichSuDung = 'ODT''",
                    "Khong = 1", "SLEEP(5) = 0", "KyHieuMucDichSuDung = 'x' UNION SELECT 1"]
        for text in attempts:
            response = self.get(f"/collections/danang_wgs84/items?{q({'filter': text})}", status=400)
            self.assertEqual(response.json()["parameter"], "filter", text)
        self.assertEqual(self.items("danang_wgs84", limit=1)["numberMatched"], before)
        # Doubled quotes stay inside the string literal: nothing matches.
        doc = self.items("danang_wgs84", filter="KyHieuMucDichSuDung = 'a'' OR ''1''=''1'")
        self.assertEqual(doc["numberMatched"], 0)

    def test_personal_attributes(self):
        for params in ({"filter": "MaXa = '20248'"}, {"sortby": "MaXa"}, {"properties": "MaXa"}):
            self.get(f"/collections/danang_wgs84/items?{q(params)}", status=400)
            self.get(f"/collections/danang_wgs84/items?{q(params)}",
                     headers={"Authorization": "Bearer " + PLANNER_TOKEN})
        props = self.items("danang_wgs84", limit=1)["features"][0]["properties"]
        self.assertNotIn("MaXa", props)
        for f in ("csv", "gpkg"):
            body = self.get(f"/collections/danang_wgs84/items?f={f}&limit=5").body
            self.assertNotIn(b"MaXa", body, f)

    def test_sortby_and_properties(self):
        doc = self.items("danang_wgs84", sortby="-DienTich,OBJECTID", properties="DienTich", limit=50)
        areas = [f["properties"]["DienTich"] for f in doc["features"]]
        self.assertEqual(areas, sorted(areas, reverse=True))
        self.assertEqual(set(doc["features"][0]["properties"]), {"DienTich"})
        self.get("/collections/danang_wgs84/items?properties=Khong", status=400)
        self.get("/collections/danang_wgs84/items?datetime=2020-01-01", status=400)

    def test_featureinfo_on_a_line(self):
        road = self.items("cantho_roads", limit=1)["features"][0]
        coords = road["geometry"]["coordinates"]
        while isinstance(coords[0][0], list):
            coords = coords[0]
        (x0, y0), (x1, y1) = coords[0], coords[1]
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        half = 0.001
        # The clicked pixel is 2 pixels east of the line's middle.
        px = half * 2 / 256
        box = f"{y - half},{x - half + 2 * px},{y + half},{x + half + 2 * px}"
        base = ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=cantho_roads"
                "&QUERY_LAYERS=cantho_roads&STYLES=&CRS=EPSG:4326&WIDTH=256&HEIGHT=256&I=127&J=127"
                f"&INFO_FORMAT=application/json&FEATURE_COUNT=50&BBOX={box}")
        found = {f["id"] for f in self.get(base + "&BUFFER=5").json()["features"]}
        self.assertIn(f"cantho_roads.{road['id']}", found)
        self.assertNotIn(f"cantho_roads.{road['id']}",
                         {f["id"] for f in self.get(base + "&BUFFER=0").json()["features"]})
        gml = self.get(base.replace("application/json", "application/vnd.ogc.gml") + "&BUFFER=5").text
        self.assertIn("gml/3.2", gml)
        self.assertIn("posList", gml)

    def test_downloads_open_with_gdal(self):
        text = "DienTich > 150"
        matched = self.items("danang_wgs84", filter=text, limit=1)["numberMatched"]
        for f, driver in (("fgb", "FlatGeobuf"), ("gpkg", "GPKG")):
            response = self.get(f"/collections/danang_wgs84/items?{q({'filter': text, 'f': f})}")
            self.assertIn(f'filename="danang_wgs84.{f}"', response.header("content-disposition"))
            path = os.path.join(harness.workdir(), "download." + f)
            with open(path, "wb") as out:
                out.write(response.body)
            info = harness.run(["ogrinfo", "-so", "-al", path])
            self.assertEqual(info.returncode, 0, info.stderr)
            self.assertIn(f"Feature Count: {matched}", info.stdout)
            self.assertIn(driver, harness.run(["ogrinfo", path]).stdout)

    def test_getmap_stops_at_request_timeout(self):
        """A GetMap that would draw the 200,000 parcels 32 times is stopped
        after limits.request_timeout (1 s here) with a 503 exception."""
        folder = harness.workdir()
        data_dir = os.path.join(folder, "var-timeout")
        os.makedirs(data_dir, exist_ok=True)
        port = harness.free_port()
        text = config(port, data_dir, os.path.join(folder, "big.gpkg"))
        text = text.replace("  request_timeout: 30\n", "  request_timeout: 1\n")
        text = text.replace(f"  max_width: {harness.MAX_WIDTH}\n", "  max_width: 4096\n")
        text = text.replace(f"  max_height: {harness.MAX_HEIGHT}\n", "  max_height: 4096\n")
        server = harness.Server(harness.write_config(text, name="timeout.yaml"), port, folder)
        server.start()
        self.addCleanup(server.stop)

        bbox = server.get("/collections/big?f=json").json()["extent"]["spatial"]["bbox"][0]
        path = ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&CRS=CRS:84&STYLES="
                f"&LAYERS={','.join(['big'] * 32)}&FORMAT=image/png&WIDTH=4096&HEIGHT=4096"
                f"&BBOX={bbox[0]},{bbox[1]},{bbox[2]},{bbox[3]}")
        started = time.monotonic()
        response = server.get(path, headers={"Accept-Language": "en"})
        seconds = time.monotonic() - started

        self.assertEqual(response.status, 503, response.describe())
        exception = ET.fromstring(response.body).find("{http://www.opengis.net/ogc}ServiceException")
        self.assertEqual(exception.get("code"), "NoApplicableCode", response.describe())
        self.assertIn("limits.request_timeout", exception.text)
        # Without the limit the reply would be the image; with it, drawing
        # stops about one second in.
        self.assertLess(seconds, 10, "the drawing was not stopped")
        print(f"\nqueries: GetMap stopped after {seconds:.1f} s (request_timeout 1 s)",
              file=sys.stderr)
        self.assertEqual(server.get("/healthz").status, 200)

    def test_large_result_streams(self):
        pid = self.srv.process.pid
        before = status_kb(pid, "VmRSS")
        sampler = RssSampler(pid)
        sampler.start()
        started = time.monotonic()
        response = self.get(f"/collections/big/items?limit={BIG}&f=json")
        seconds = time.monotonic() - started
        peak = sampler.stop()
        doc = response.json()
        self.assertEqual(doc["numberReturned"], BIG)
        self.assertEqual(len({f["id"] for f in doc["features"]}), BIG)
        grown_mb = (peak - before) / 1024
        body_mb = len(response.body) / 2**20
        print(f"\nqueries: {BIG} features, {body_mb:.0f} MiB of GeoJSON in {seconds:.1f} s, "
              f"server RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB "
              f"(+{grown_mb:.1f} MiB)", file=sys.stderr)
        self.assertLess(grown_mb, body_mb / 4, "the response was not streamed")

        # The same stream compressed on the fly, still in constant memory.
        before = status_kb(pid, "VmRSS")
        sampler = RssSampler(pid)
        sampler.start()
        started = time.monotonic()
        packed = self.get(f"/collections/big/items?limit={BIG}&f=json",
                          headers={"Accept-Encoding": "gzip"})
        seconds = time.monotonic() - started
        peak = sampler.stop()
        self.assertEqual(packed.header("content-encoding"), "gzip")
        self.assertLess(len(packed.body), len(response.body) / 4)
        # Only the timeStamp member may differ between the two responses.
        stamp = re.compile(rb'"timeStamp":"[^"]*"')
        self.assertEqual(stamp.sub(b"", harness.gunzip(packed.body), count=1),
                         stamp.sub(b"", response.body, count=1))
        print(f"queries: the same as gzip, {len(packed.body) / 2**20:.1f} MiB in {seconds:.1f} s, "
              f"peak RSS +{(peak - before) / 1024:.1f} MiB", file=sys.stderr)
        self.assertLess((peak - before) / 1024, body_mb / 4, "the gzip response was not streamed")

        before = status_kb(pid, "VmRSS")
        sampler = RssSampler(pid)
        sampler.start()
        started = time.monotonic()
        download = self.get("/collections/big/items?f=fgb")
        seconds = time.monotonic() - started
        peak = sampler.stop()
        print(f"queries: FlatGeobuf of {BIG} features, {len(download.body) / 2**20:.0f} MiB in "
              f"{seconds:.1f} s, server RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB",
              file=sys.stderr)
        self.assertLess((peak - before) / 1024, len(download.body) / 2**20 / 2)


if __name__ == "__main__":
    harness.main()
