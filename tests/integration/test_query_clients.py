"""Query side seen by clients, on the generated Can Tho sample.

- WMS GetFeatureInfo at a pixel finds the same parcels as items?bbox= on
  the square that the pixel and BUFFER cover, and both equal the parcels of
  the GeoPackage that meet that square (computed with OGR).
- GDAL's OAPIF driver (ogrinfo) and OWSLib read the collections, page
  through every parcel, and filter by bbox. OWSLib sends crs and bbox-crs.
  GDAL 3.6's OAPIF driver has no CRS open option (it came in GDAL 3.7), and
  vnsdi answers 400 to a crs parameter on /collections/{id}, so the CRS
  parameters are tested through OWSLib only.
- LIKE on DiaChi compares UTF-8 bytes of NFC text: the served matches equal
  the parcels of the GeoPackage whose DiaChi matches the same pattern.
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import query_clients_util as qc  # noqa: E402
from osgeo import ogr  # noqa: E402

# Map pixel size for GetFeatureInfo in EPSG:5897, metres.
PIXEL_M = 0.05
MAP_PIXELS = 256
SAMPLE_POINTS = 12
OGR_PAGE_SIZE = 250


class QueryClients(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        config, cls.gpkg = qc.make_sample()
        cls.parcels = qc.read_parcels(cls.gpkg)
        cls.srv = harness.start_server(config, harness.free_port())
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            os.environ.pop(name, None)
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

    def setUp(self):
        if not hasattr(type(self), "served"):
            matched, features = qc.walk_items(self, self.srv, qc.PARCELS,
                                              {"properties": "DiaChi"})
            type(self).matched = matched
            type(self).served = {f["id"]: f for f in features}

    def items_ids(self, **params):
        params.setdefault("limit", qc.MAX_FEATURES)
        response = self.srv.get(f"/collections/{qc.PARCELS}/items?{qc.query(params)}")
        self.assertEqual(response.status, 200, response.describe())
        document = response.json()
        self.assertLess(document["numberMatched"], qc.MAX_FEATURES, response.url)
        return {f["id"] for f in document["features"]}

    def featureinfo_ids(self, params):
        base = {"SERVICE": "WMS", "REQUEST": "GetFeatureInfo", "LAYERS": qc.PARCELS,
                "QUERY_LAYERS": qc.PARCELS, "STYLES": "", "WIDTH": MAP_PIXELS,
                "HEIGHT": MAP_PIXELS, "INFO_FORMAT": "application/json",
                "FEATURE_COUNT": 100}
        base.update(params)
        response = self.srv.get("/wms?" + qc.query(base))
        self.assertEqual(response.status, 200, response.describe())
        ids = set()
        for feature in response.json()["features"]:
            layer, _, number = str(feature["id"]).partition(".")
            self.assertEqual(layer, qc.PARCELS, response.describe())
            ids.add(int(number))
        return ids

    def sample_points(self):
        """(label, x, y) in EPSG:5897: inside parcels, and at shared corners."""
        ids = sorted(self.served)
        points = []
        for i in ids[:: len(ids) // SAMPLE_POINTS][:SAMPLE_POINTS]:
            geometry = self.parcels[i][1]
            inside = geometry.Buffer(-1.0).PointOnSurface()
            points.append((f"inside {i}", inside.GetX(), inside.GetY()))
            ring = geometry.GetGeometryRef(0)
            points.append((f"corner of {i}", ring.GetX(0), ring.GetY(0)))
        return points

    def test_featureinfo_equals_bbox(self):
        shared_corners = 0
        for label, x, y in self.sample_points():
            for buffer in (0, 3):
                half = PIXEL_M * (buffer if buffer else 0.5)
                minx = x - (MAP_PIXELS // 2 + 0.5) * PIXEL_M
                maxy = y + (MAP_PIXELS // 2 + 0.5) * PIXEL_M
                box = (minx, maxy - MAP_PIXELS * PIXEL_M, minx + MAP_PIXELS * PIXEL_M, maxy)
                found = self.featureinfo_ids({
                    "VERSION": "1.3.0", "CRS": f"EPSG:{qc.STORAGE_EPSG}",
                    "BBOX": ",".join(f"{v:.4f}" for v in box),
                    "I": MAP_PIXELS // 2, "J": MAP_PIXELS // 2, "BUFFER": buffer})
                square = (x - half, y - half, x + half, y + half)
                in_bbox = self.items_ids(**{"bbox": ",".join(f"{v:.4f}" for v in square),
                                            "bbox-crs": qc.epsg_uri(qc.STORAGE_EPSG)})
                expected = qc.ids_meeting(self.parcels, qc.box_polygon(*square), self.served)
                with self.subTest(point=label, buffer=buffer):
                    self.assertTrue(expected, f"no parcel meets {square}")
                    self.assertEqual(found, in_bbox, f"GetFeatureInfo vs items?bbox at {square}")
                    self.assertEqual(found, expected, f"GetFeatureInfo vs GeoPackage at {square}")
                if label.startswith("corner") and len(expected) > 1:
                    shared_corners += 1
        self.assertGreater(shared_corners, 0, "no sample corner is shared by two parcels")

    def test_featureinfo_111_lonlat(self):
        for i in sorted(self.served)[:: len(self.served) // SAMPLE_POINTS][:SAMPLE_POINTS]:
            response = self.srv.get(f"/collections/{qc.PARCELS}/items/{i}?f=json")
            self.assertEqual(response.status, 200, response.describe())
            geometry = ogr.CreateGeometryFromJson(
                json.dumps(response.json()["geometry"]))
            point = geometry.Buffer(-1e-5).PointOnSurface()
            lon, lat = point.GetX(), point.GetY()
            step = 1e-6  # degrees per pixel, about 0.11 m
            box = (lon - 128.5 * step, lat - 127.5 * step, lon + 127.5 * step, lat + 128.5 * step)
            found = self.featureinfo_ids({
                "VERSION": "1.1.1", "SRS": "EPSG:4326",
                "BBOX": ",".join(f"{v:.9f}" for v in box), "X": 128, "Y": 128, "BUFFER": 1})
            square = (lon - step, lat - step, lon + step, lat + step)
            in_bbox = self.items_ids(bbox=",".join(f"{v:.9f}" for v in square))
            with self.subTest(parcel=i):
                self.assertEqual(found, {i})
                self.assertEqual(in_bbox, {i})

    def test_ogrinfo_lists_collections(self):
        done = harness.run(["ogrinfo", "-ro", "-q", "OAPIF:" + self.srv.base_url])
        self.assertEqual(done.returncode, 0, done.stderr)
        collections = self.srv.get("/collections?f=json").json()["collections"]
        self.assertGreaterEqual(len(collections), 7)
        for collection in collections:
            self.assertIn(f": {collection['id']} (title: {collection['title']})", done.stdout)

    def test_ogrinfo_pages_all_parcels(self):
        before = self.srv.log().count(f"GET /collections/{qc.PARCELS}/items ")
        done = harness.run(["ogrinfo", "-ro", "-al", "-oo", f"PAGE_SIZE={OGR_PAGE_SIZE}",
                            "OAPIF:" + self.srv.base_url, qc.PARCELS], timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        features = qc.ogrinfo_features(done.stdout)
        ids = [int(f[qc.ID_ATTRIBUTE]) for f in features]
        self.assertEqual(len(ids), self.matched)
        self.assertEqual(set(ids), set(self.served))
        pages = self.srv.log().count(f"GET /collections/{qc.PARCELS}/items ") - before
        self.assertGreaterEqual(pages, -(-self.matched // OGR_PAGE_SIZE))
        # Every parcel's text arrives unchanged, and its first vertex equals
        # the server's own CRS84 output.
        for feature in features:
            number = int(feature[qc.ID_ATTRIBUTE])
            self.assertEqual(feature["DiaChi"], self.parcels[number][0])
        first = next(f for f in features if int(f[qc.ID_ATTRIBUTE]) == min(ids))
        served = self.srv.get(f"/collections/{qc.PARCELS}/items/{min(ids)}?f=json").json()
        x, y = served["geometry"]["coordinates"][0][0]
        polygon = ogr.CreateGeometryFromWkt(first["WKT"])
        ring = polygon.GetGeometryRef(0)
        self.assertAlmostEqual(ring.GetX(0), x, places=7)
        self.assertAlmostEqual(ring.GetY(0), y, places=7)

    def test_ogrinfo_spatial_filter(self):
        west, south, east, north = 105.7790, 10.0270, 105.7810, 10.0290
        done = harness.run(["ogrinfo", "-ro", "-al", "-so", "-spat", str(west), str(south),
                            str(east), str(north), "OAPIF:" + self.srv.base_url, qc.PARCELS])
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = self.items_ids(bbox=f"{west},{south},{east},{north}")
        self.assertTrue(expected)
        done = harness.run(["ogrinfo", "-ro", "-al", "-geom=NO", "-spat", str(west), str(south),
                            str(east), str(north), "OAPIF:" + self.srv.base_url, qc.PARCELS])
        self.assertEqual(done.returncode, 0, done.stderr)
        # GDAL filters again on the client, by envelope, so a feature the
        # server returns may only be dropped, never added.
        got = {int(f[qc.ID_ATTRIBUTE]) for f in qc.ogrinfo_features(done.stdout)}
        self.assertTrue(got)
        self.assertLessEqual(got, expected)

    def owslib(self):
        from owslib.ogcapi.features import Features
        return Features(self.srv.base_url + "/")

    def test_owslib_collections(self):
        api = self.owslib()
        ids = [c["id"] for c in api.collections()["collections"]]
        self.assertIn(qc.PARCELS, ids)
        self.assertIn(qc.PARCELS, api.feature_collections())
        collection = api.collection(qc.PARCELS)
        self.assertEqual(collection["storageCrs"], qc.epsg_uri(qc.STORAGE_EPSG))
        self.assertIn(qc.epsg_uri(qc.STORAGE_EPSG), collection["crs"])
        self.assertIn(qc.CRS84_URI, collection["crs"])
        queryables = api.collection_queryables(qc.PARCELS)
        self.assertIn("DiaChi", queryables["properties"])

    def test_owslib_pages_all_parcels(self):
        api = self.owslib()
        limit, offset, seen = 700, 0, []
        while True:
            page = api.collection_items(qc.PARCELS, limit=limit, offset=offset)
            self.assertEqual(page["numberMatched"], self.matched)
            seen += [f["id"] for f in page["features"]]
            if not any(link["rel"] == "next" for link in page["links"]):
                break
            offset += limit
        self.assertEqual(len(seen), self.matched)
        self.assertEqual(set(seen), set(self.served))

    def test_owslib_crs_parameters(self):
        api = self.owslib()
        uri = qc.epsg_uri(qc.STORAGE_EPSG)
        box = (585700.0, 1109400.0, 585800.0, 1109500.0)
        page = api.collection_items(qc.PARCELS, bbox=list(box), crs=uri,
                                    limit=qc.MAX_FEATURES, **{"bbox-crs": uri})
        expected = qc.ids_meeting(self.parcels, qc.box_polygon(*box), self.served)
        self.assertTrue(expected)
        self.assertLess(len(expected), qc.MAX_FEATURES)
        self.assertEqual(page["numberMatched"], len(expected))
        self.assertEqual({f["id"] for f in page["features"]}, expected)
        # Coordinates come back in EPSG:5897 as stored, to the millimetre.
        for feature in page["features"]:
            stored = self.parcels[feature["id"]][1].GetGeometryRef(0)
            x, y = feature["geometry"]["coordinates"][0][0]
            self.assertAlmostEqual(x, stored.GetX(0), delta=0.0015)
            self.assertAlmostEqual(y, stored.GetY(0), delta=0.0015)
        # The same box in CRS84 coordinates read back from the server.
        corners = api.collection_items(qc.PARCELS, limit=1, crs=qc.CRS84_URI,
                                       bbox=list(box), **{"bbox-crs": uri})
        self.assertEqual(corners["numberMatched"], len(expected))
        lon, lat = corners["features"][0]["geometry"]["coordinates"][0][0]
        self.assertTrue(105.7 < lon < 105.8 and 10.0 < lat < 10.1, (lon, lat))

    def like_served(self, pattern, lang="cql2-text"):
        if lang == "cql2-text":
            text = "DiaChi LIKE '" + pattern.replace("'", "''") + "'"
        else:
            text = json.dumps(
                {"op": "like", "args": [{"property": "DiaChi"}, pattern]}, ensure_ascii=False)
        matched, features = qc.walk_items(self, self.srv, qc.PARCELS, {
            "filter": text, "filter-lang": lang, "properties": "DiaChi"})
        self.assertEqual(matched, len(features))
        return {f["id"]: f["properties"]["DiaChi"] for f in features}

    def test_vietnamese_like(self):
        patterns = [
            "%Ninh Kiều%",
            "%Phường An Cư,%",
            "%Phường Tân An,%",
            "Số 1 đường %",
            "%Ninh Ki_u%",
            "%Ninh Ki___u%",
            qc.nfd("%Ninh Kiều%"),
            "%Ninh Kieu%",
            "%NINH KIỀU%",
        ]
        for pattern in patterns:
            expected = qc.like_ids(self.parcels, pattern, self.served)
            for lang in ("cql2-text", "cql2-json"):
                with self.subTest(pattern=pattern, lang=lang):
                    got = self.like_served(pattern, lang)
                    self.assertEqual(set(got), expected,
                                     f"pattern {pattern.encode()} expected {len(expected)}")
                    for number, text in got.items():
                        self.assertEqual(text.encode(), self.parcels[number][0].encode())

    def test_like_cases_discriminate(self):
        # The patterns above must split the sample, or the test above
        # could pass with a filter that ignores its argument.
        every = qc.like_ids(self.parcels, "%Ninh Kiều%", self.served)
        self.assertEqual(every, set(self.served))
        some = qc.like_ids(self.parcels, "%Phường An Cư,%", self.served)
        self.assertTrue(0 < len(some) < len(every))
        self.assertFalse(qc.like_ids(self.parcels, qc.nfd("%Ninh Kiều%"), self.served))
        self.assertFalse(qc.like_ids(self.parcels, "%Ninh Ki___u%", self.served))


if __name__ == "__main__":
    harness.main()
