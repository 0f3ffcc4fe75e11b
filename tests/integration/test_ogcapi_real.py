"""OGC API - Features on real data: coordinates, attributes, paging, text.

The server serves the Da Nang parcels (WGS 84 GeoJSON and the VN-2000 TM-3
107-45 GeoPackage), the Can Tho MapInfo districts and roads and the Mekong
admin boundaries. Expected values are read from the same files with OGR.
"""

import json
import re
import unittest
import urllib.parse

import harness
from osgeo import gdal, ogr

gdal.UseExceptions()

# Output is CRS84 with 7 decimals, so a coordinate may be off by 5e-8 degrees
# from rounding alone; 1e-7 degrees is about 1 cm.
COORD_TOLERANCE = 1e-7
NINH_KIEU_CODE = "916"
CAN_THO_CODE = "92"


def read_source(relative, layer_name=None):
    """Return the OGR features of a real data file as a list of (fid, feature)."""
    dataset = ogr.Open(harness.real_path(relative))
    layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(0)
    features = [(f.GetFID(), f) for f in layer]
    return dataset, features


def polygons_of(geometry_json):
    """Return a GeoJSON Polygon or MultiPolygon as a list of polygons of rings."""
    kind = geometry_json["type"]
    if kind == "Polygon":
        return [geometry_json["coordinates"]]
    if kind == "MultiPolygon":
        return geometry_json["coordinates"]
    raise AssertionError(f"expected a polygon geometry, got {kind}")


def ring_deviation(expected, obtained):
    """Return the largest coordinate difference between two rings, in degrees.

    The obtained ring may run in the same or the opposite direction
    (RFC 7946 recommends counter-clockwise exterior rings).
    """
    if len(expected) != len(obtained):
        return float("inf")
    best = float("inf")
    for candidate in (obtained, list(reversed(obtained))):
        worst = 0.0
        for (ex, ey), point in zip(expected, candidate):
            worst = max(worst, abs(ex - point[0]), abs(ey - point[1]))
        best = min(best, worst)
    return best


class OgcApiRealData(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()
        cls.parcels_ds, parcels = read_source(harness.DANANG_GEOJSON)
        cls.parcels = {f.GetField("OBJECTID"): f for _, f in parcels}

    def get_json(self, path, headers=None):
        response = self.srv.get(path, headers=headers)
        self.assertEqual(response.status, 200, response.describe())
        return response.json()

    def sample_parcel_ids(self):
        """Return every 97th parcel id plus every parcel with a hole."""
        ids = sorted(self.parcels)
        chosen = set(ids[::97])
        for object_id, feature in self.parcels.items():
            geometry = feature.GetGeometryRef()
            if geometry.GetGeometryType() == ogr.wkbPolygon and geometry.GetGeometryCount() > 1:
                chosen.add(object_id)
        return sorted(chosen)

    def check_parcel(self, collection, object_id):
        """Compare items/{id} of `collection` with the WGS 84 source parcel."""
        source = self.parcels[object_id]
        path = f"/collections/{collection}/items/{object_id}?f=json"
        response = self.srv.get(path)
        self.assertEqual(response.status, 200, response.describe())
        self.assertIn("geo+json", response.header("content-type", ""), response.describe(100))
        item = response.json()
        self.assertEqual(item.get("type"), "Feature", path)
        self.assertEqual(str(item.get("id")), str(object_id), path)

        properties = item["properties"]
        self.assertEqual(properties.get("DienTich"), source.GetField("DienTich"),
                         f"{path}: DienTich")
        for name in ("SoHieuToBanDo", "SoThuTuThua", "KyHieuMucDichSuDung", "MaXa"):
            self.assertEqual(properties.get(name), source.GetField(name), f"{path}: {name}")

        expected = polygons_of(json.loads(source.GetGeometryRef().ExportToJson()))
        obtained = polygons_of(item["geometry"])
        self.assertEqual(len(obtained), len(expected), f"{path}: polygon count")
        for expected_polygon, obtained_polygon in zip(expected, obtained):
            self.assertEqual(len(obtained_polygon), len(expected_polygon), f"{path}: ring count")
            for ring_index, (ring_e, ring_o) in enumerate(zip(expected_polygon, obtained_polygon)):
                deviation = ring_deviation(ring_e, ring_o)
                self.assertLessEqual(
                    deviation, COORD_TOLERANCE,
                    f"{path}: ring {ring_index} differs from the source by {deviation:.3g} degrees"
                    f" ({len(ring_e)} source points, {len(ring_o)} served)")

    def test_collections_list_every_layer(self):
        document = self.get_json("/collections?f=json")
        ids = [c.get("id") for c in document.get("collections", [])]
        self.assertEqual(sorted(ids), sorted(harness.LAYER_IDS))

    def test_landing_conformance_api(self):
        landing = self.get_json("/?f=json")
        relations = {link.get("rel") for link in landing.get("links", [])}
        for rel in ("self", "conformance", "data"):
            self.assertIn(rel, relations, "landing page links")
        self.assertTrue(relations & {"service-desc", "service-doc"}, "landing page API link")
        conformance = self.get_json("/conformance?f=json")
        classes = conformance.get("conformsTo", [])
        for suffix in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson"):
            self.assertTrue(any(c.endswith(suffix) for c in classes), suffix)
        api = self.srv.get("/api")
        self.assertEqual(api.status, 200, api.describe())
        self.assertTrue(str(api.json().get("openapi", "")).startswith("3."), api.describe(200))

    def test_parcel_geojson_matches_source(self):
        ids = self.sample_parcel_ids()
        self.assertGreater(len(ids), 20)
        for object_id in ids:
            with self.subTest(parcel=object_id):
                self.check_parcel("danang_wgs84", object_id)

    def test_vn2000_parcel_matches_wgs84_source(self):
        # The GeoPackage is the GeoJSON projected to EPSG:5899 with the
        # official VN-2000 Helmert parameters, so back in CRS84 it must match.
        for object_id in self.sample_parcel_ids()[:25]:
            with self.subTest(parcel=object_id):
                self.check_parcel("danang_vn2000", object_id)

    def test_coordinates_have_seven_decimals(self):
        object_id = sorted(self.parcels)[0]
        response = self.srv.get(f"/collections/danang_wgs84/items/{object_id}?f=json")
        self.assertEqual(response.status, 200, response.describe())
        numbers = re.findall(rb"-?\d+\.(\d+)", response.body.split(b'"geometry"', 1)[1])
        self.assertTrue(numbers)
        longest = max(len(n) for n in numbers)
        self.assertLessEqual(longest, 7, "decimals in coordinates")

    def walk_pages(self, first_path):
        """Follow next links from `first_path`; return (ids, numberMatched, pages)."""
        path = first_path
        ids = []
        matched = None
        pages = 0
        while path is not None:
            pages += 1
            self.assertLess(pages, 1000, "paging does not end")
            document = self.get_json(path)
            features = document.get("features", [])
            self.assertEqual(document.get("numberReturned"), len(features), path)
            if matched is None:
                matched = document.get("numberMatched")
            else:
                self.assertEqual(document.get("numberMatched"), matched, path)
            ids.extend(f.get("id") for f in features)
            next_links = [link for link in document.get("links", []) if link.get("rel") == "next"]
            if pages > 1:
                self.assertTrue([link for link in document.get("links", [])
                                 if link.get("rel") == "prev"], f"{path}: no prev link")
            if not next_links:
                path = None
                continue
            self.assertTrue(features, f"{path}: next link on an empty page")
            url = urllib.parse.urlsplit(next_links[0]["href"])
            self.assertEqual(url.port, self.srv.port, f"next link {next_links[0]['href']}")
            path = url.path + ("?" + url.query if url.query else "")
        return ids, matched, pages

    def test_paging_walk_reads_every_parcel(self):
        ids, matched, pages = self.walk_pages("/collections/danang_wgs84/items?f=json&limit=300")
        self.assertEqual(matched, len(self.parcels), "numberMatched")
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids across pages")
        self.assertEqual(len(ids), matched, "features read through next links")
        self.assertEqual(sorted(int(i) for i in ids), sorted(self.parcels))
        self.assertEqual(pages, 7)

    def test_default_limit(self):
        document = self.get_json("/collections/cantho_roads/items?f=json")
        self.assertEqual(document.get("numberReturned"), harness.DEFAULT_FEATURES)
        self.assertEqual(document.get("numberMatched"), 1896)

    def test_stable_order(self):
        first = self.get_json("/collections/danang_wgs84/items?f=json&limit=50&offset=100")
        second = self.get_json("/collections/danang_wgs84/items?f=json&limit=50&offset=100")
        self.assertEqual([f["id"] for f in first["features"]],
                         [f["id"] for f in second["features"]])
        wide = self.get_json("/collections/danang_wgs84/items?f=json&limit=100&offset=75")
        self.assertEqual([f["id"] for f in wide["features"]][25:75],
                         [f["id"] for f in first["features"]])

    def test_bbox_query(self):
        object_id = sorted(self.parcels)[500]
        geometry = self.parcels[object_id].GetGeometryRef()
        west, east, south, north = geometry.GetEnvelope()
        box = f"{west:.7f},{south:.7f},{east:.7f},{north:.7f}"
        document = self.get_json(f"/collections/danang_wgs84/items?f=json&limit=500&bbox={box}")
        served = {int(f["id"]) for f in document["features"]}
        self.assertEqual(document.get("numberMatched"), len(served), "whole result on one page")
        self.assertIn(object_id, served)

        layer = self.parcels_ds.GetLayer(0)
        layer.SetSpatialFilterRect(west, south, east, north)
        intersecting = {f.GetField("OBJECTID") for f in layer}
        layer.SetSpatialFilter(None)
        self.assertTrue(intersecting <= served,
                        f"parcels touching bbox {box} missing: {sorted(intersecting - served)}")
        # A 3D box (heights at positions 3 and 6) selects the same parcels.
        box_3d = f"{west:.7f},{south:.7f},-10,{east:.7f},{north:.7f},100"
        document_3d = self.get_json(f"/collections/danang_wgs84/items?f=json&limit=500&bbox={box_3d}")
        self.assertEqual({int(f["id"]) for f in document_3d["features"]}, served, "3D bbox")

        for f in document["features"]:
            source = self.parcels[int(f["id"])].GetGeometryRef().GetEnvelope()
            self.assertTrue(source[0] <= east and source[1] >= west
                            and source[2] <= north and source[3] >= south,
                            f"parcel {f['id']} is outside bbox {box}")

    def test_equality_filter_and_vietnamese_json(self):
        response = self.srv.get(f"/collections/mekong_admin/items?f=json&code={NINH_KIEU_CODE}")
        self.assertEqual(response.status, 200, response.describe())
        self.assertIn(harness.NINH_KIEU.encode("utf-8"), response.body,
                      "name not in the JSON bytes as UTF-8")
        document = response.json()
        self.assertEqual(document.get("numberMatched"), 1)
        self.assertEqual(document["features"][0]["properties"]["name"], harness.NINH_KIEU)
        self.assertEqual(document["features"][0]["properties"]["parent_code"], CAN_THO_CODE)

        districts = self.get_json(f"/collections/mekong_admin/items?f=json&parent_code={CAN_THO_CODE}&level=2")
        self.assertEqual(districts.get("numberMatched"), 9, "Can Tho districts in 2025")

    def test_vietnamese_titles_json(self):
        response = self.srv.get("/collections?f=json")
        self.assertEqual(response.status, 200, response.describe())
        self.assertIn(harness.PHUONG.encode("utf-8"), response.body)
        self.assertIn(harness.NINH_KIEU.encode("utf-8"), response.body)
        titles = {c["id"]: c.get("title") for c in response.json()["collections"]}
        for layer in harness.LAYERS:
            self.assertEqual(titles.get(layer["id"]), layer["title_vi"], layer["id"])

    def test_english_titles_by_accept_language(self):
        document = self.get_json("/collections?f=json", headers={"Accept-Language": "en-US,en;q=0.8"})
        titles = {c["id"]: c.get("title") for c in document["collections"]}
        for layer in harness.LAYERS:
            self.assertEqual(titles.get(layer["id"]), layer["title_en"], layer["id"])

        page = self.srv.get("/collections", headers={"Accept": "text/html", "Accept-Language": "en"})
        self.assertEqual(page.status, 200, page.describe())
        self.assertIn(harness.LAYERS[0]["title_en"].encode("utf-8"), page.body, page.describe(300))

    def test_vietnamese_html(self):
        paths = [
            (f"/collections/mekong_admin/items?f=html&code={NINH_KIEU_CODE}", None, harness.NINH_KIEU),
            (f"/collections/mekong_admin/items?code={NINH_KIEU_CODE}", {"Accept": "text/html"}, harness.NINH_KIEU),
            ("/collections?f=html", None, harness.PHUONG),
            ("/collections", {"Accept": "text/html,application/xhtml+xml"}, harness.PHUONG),
            ("/collections/danang_wgs84", {"Accept": "text/html"}, harness.PHUONG),
        ]
        for path, headers, text in paths:
            with self.subTest(path=path, headers=headers):
                response = self.srv.get(path, headers=headers)
                self.assertEqual(response.status, 200, response.describe())
                self.assertIn("text/html", response.header("content-type", ""), response.describe(100))
                self.assertIn(text.encode("utf-8"), response.body, response.describe(300))

    def test_mapinfo_districts_read_as_declared(self):
        document = self.get_json("/collections/cantho_districts/items?f=json&limit=50")
        self.assertEqual(document.get("numberMatched"), 8)
        names = sorted(f["properties"].get("Ten") for f in document["features"])
        self.assertIn("Quan Ninh Kieu", names)

        # The 2008 districts cover the same city as the 2025 outline of Can Tho
        # when the MapInfo CRS is read as declared (TM 105, k = 1, Krassovsky).
        collection = self.get_json("/collections/cantho_districts?f=json")
        extent = collection["extent"]["spatial"]["bbox"][0]
        _, admin = read_source(harness.MEKONG_ADMIN)
        city = next(f for _, f in admin if f.GetField("code") == CAN_THO_CODE)
        west, east, south, north = city.GetGeometryRef().GetEnvelope()
        for obtained, expected, name in zip(extent, (west, south, east, north),
                                            ("west", "south", "east", "north")):
            self.assertAlmostEqual(obtained, expected, delta=0.005, msg=f"extent {name}")

    def test_roads_count(self):
        document = self.get_json("/collections/cantho_roads/items?f=json&limit=1")
        self.assertEqual(document.get("numberMatched"), 1896)
        self.assertIn(document["features"][0]["geometry"]["type"], ("LineString", "MultiLineString"))


class GdalOapifClient(unittest.TestCase):
    """GDAL's own OGC API - Features driver against the server."""

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()
        cls.url = "OAPIF:" + cls.srv.base_url

    def ogrinfo(self, *args):
        result = harness.run(["ogrinfo", "-ro", *args], timeout=300)
        self.assertEqual(result.returncode, 0,
                         f"ogrinfo {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return result.stdout

    def test_ogrinfo_lists_collections(self):
        output = self.ogrinfo("-q", self.url)
        listed = re.findall(r"^\d+: (\S+)", output, re.MULTILINE)
        self.assertEqual(sorted(listed), sorted(harness.LAYER_IDS), output)

    def test_ogrinfo_summary_count(self):
        output = self.ogrinfo("-so", "-al", self.url, "danang_wgs84")
        match = re.search(r"Feature Count: (\d+)", output)
        self.assertIsNotNone(match, output)
        self.assertEqual(int(match.group(1)), 1955)

    def items_requests_logged(self):
        return len(re.findall(r"GET /collections/danang_wgs84/items\b", self.srv.log()))

    def test_ogrinfo_reads_every_feature(self):
        before = self.items_requests_logged()
        output = self.ogrinfo("-al", "-q", "-oo", "PAGE_SIZE=400", self.url, "danang_wgs84")
        # 1,955 features at 400 a page: at least 5 item requests, so GDAL
        # followed the next links.
        self.assertGreaterEqual(self.items_requests_logged() - before, 5, "item pages requested")
        self.assertEqual(output.count("OGRFeature("), 1955)
        fids = re.findall(r"^OGRFeature\(danang_wgs84\):(-?\d+)", output, re.MULTILINE)
        self.assertEqual(len(set(fids)), 1955, "distinct feature ids read")


if __name__ == "__main__":
    harness.main()
