"""Secrecy rules on the generated Can Tho sample served with samples/vnsdi.yaml.

An attacker's sweep: restricted features through WMS in three CRSs,
GetFeatureInfo, items, paging and counts; owner names and certificate
numbers through every endpoint and format as anonymous and as a partner;
the footprint rule of imagery; bad tokens, the partner rate limit, the
token never echoed; and the audit log of what was denied. Each check has a
control that shows it could fail (a planner does see owner names, pixels
outside the restricted area are drawn, a small imagery box has pixels).
"""

import json
import os
import shutil
import time
import unittest
import urllib.parse

import harness
import secrecy_util as su

GPKG = "cantho_sample.gpkg"
VECTOR_LAYERS = ["parcels", "land_use", "land_prices", "legal_documents",
                 "land_statistics", "land_quality", "inspections"]
CRSS = ["EPSG:3857", "EPSG:4326", "EPSG:5897"]
PERSONAL = ["TenChu", "SoGiayTo"]
# Other attributes that samples/vnsdi.yaml marks personal, by layer.
LAYER_PERSONAL = {"legal_documents": ["TrichYeu"]}
TOKENS = {
    "partner": "demo-partner-token",          # in samples/vnsdi.yaml, 20/s
    "crawler": "crawl-partner-token",
    "slow": "slow-partner-token",
    "planner": "planner-token",
    "admin": "admin-token",
}
EXTRA_USERS = [
    ("crawl-partner", "partner", TOKENS["crawler"], 0),
    ("slow-partner", "partner", TOKENS["slow"], 1),
    ("planner-1", "planner", TOKENS["planner"], 0),
    ("admin-1", "admin", TOKENS["admin"], 0),
]


def bearer(name):
    return {"Authorization": "Bearer " + TOKENS[name]}


class SampleSecrecy(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(harness.workdir(), "sample")
        cls.data = os.path.join(cls.root, "data")
        os.makedirs(cls.root)
        result = harness.run([os.path.join(harness.BUILD, "vnsdi-samplegen"), cls.data],
                             timeout=300)
        if result.returncode != 0:
            raise RuntimeError("vnsdi-samplegen failed: " + result.stderr[-2000:])
        cls.config = os.path.join(cls.root, "vnsdi.yaml")
        shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), cls.config)
        extra = su.users_yaml(EXTRA_USERS).split("\n", 1)[1]
        with open(cls.config, "a", encoding="utf-8") as f:
            f.write(extra)
        cls.gpkg = os.path.join(cls.data, GPKG)
        cls.area = su.polygon_crs84(cls.gpkg, "restricted_areas")
        cls.inner = su.inner_box(cls.area)
        cls.dropped = {}
        for layer in VECTOR_LAYERS:
            cls.dropped[layer] = cls.intersecting(layer)
        cls.owner_words = cls.personal_words()
        cls.srv = harness.start_server(cls.config, harness.free_port())

    @classmethod
    def intersecting(cls, layer):
        """Ids (the config's id_attribute) of features touching the area."""
        id_attr = {"parcels": "MaThua", "land_use": "MaKhu", "land_prices": "MaDoan",
                   "legal_documents": "MaVanBan", "land_statistics": "MaXa",
                   "land_quality": "MaKhu", "inspections": "MaVuViec"}[layer]
        return {int(items[id_attr]) for items, g, _ in su.layer_features(cls.gpkg, layer)
                if g is not None and g.Intersects(cls.area)}

    @classmethod
    def personal_words(cls):
        personal, public = [], []
        for items, _, _ in su.layer_features(cls.gpkg, "parcels", to_crs84=False):
            personal += [str(items[a]) for a in PERSONAL if items.get(a)]
        # A value that some layer publishes openly (an authority issuing a
        # decision, say) is not owner data, so only the rest is searched for.
        for layer in VECTOR_LAYERS:
            hidden = PERSONAL + LAYER_PERSONAL.get(layer, [])
            for items, _, _ in su.layer_features(cls.gpkg, layer, to_crs84=False):
                public += [str(v) for k, v in items.items() if k not in hidden and v]
        words = su.secret_words(personal, public)
        assert len(words) > 1000, len(words)
        return words

    # ----- restricted areas -------------------------------------------------

    def test_dropped_features_exist(self):
        self.assertEqual(len(self.dropped["parcels"]), 4)
        self.assertEqual(len(self.dropped["legal_documents"]), 1)

    def test_items_exclude_restricted(self):
        for layer in ("parcels", "legal_documents"):
            with self.subTest(layer=layer):
                ids, matched = su.all_item_ids(self, self.srv, layer)
                self.assertFalse(set(ids) & self.dropped[layer])
                self.assertEqual(matched, len(ids))
                for fid in self.dropped[layer]:
                    r = self.srv.get(f"/collections/{layer}/items/{fid}?f=json")
                    self.assertEqual(r.status, 404, r.describe())

    def test_items_bbox_over_area(self):
        west, east, south, north = self.area.GetEnvelope()
        box = (west, south, east, north)
        for crs in ["CRS:84"] + CRSS:
            with self.subTest(crs=crs):
                b = su.transform_box(box, "CRS:84", crs) if crs != "CRS:84" else box
                if crs == "EPSG:4326":
                    b = (b[1], b[0], b[3], b[2])
                query = "&bbox=" + ",".join(repr(v) for v in b)
                if crs != "CRS:84":
                    query += "&bbox-crs=" + urllib.parse.quote(
                        "http://www.opengis.net/def/crs/EPSG/0/" + crs.split(":")[1], safe="")
                for layer in VECTOR_LAYERS:
                    ids, matched = su.all_item_ids(self, self.srv, layer, extra=query)
                    self.assertFalse(set(ids) & self.dropped[layer], (layer, crs))
                    self.assertEqual(matched, len(ids))

    def test_getmap_empty_over_area(self):
        for crs in CRSS:
            for layer in VECTOR_LAYERS + ["imagery"]:
                with self.subTest(crs=crs, layer=layer):
                    r = self.srv.get(su.getmap_path(layer, self.inner, crs))
                    self.assertEqual(su.opaque_pixels(self, r), 0, r.url)

    def test_getmap_control_draws_parcels(self):
        # A box of the same size next to the area is drawn: the empty
        # images above are not an empty renderer.
        west, south, east, north = self.inner
        shifted = (west - 0.002, south, east - 0.002, north)
        r = self.srv.get(su.getmap_path("parcels", shifted, "EPSG:3857"))
        self.assertGreater(su.opaque_pixels(self, r), 100)

    def test_getfeatureinfo_finds_nothing(self):
        for crs in CRSS:
            for fmt in ("application/json", "text/plain", "text/html",
                        "application/vnd.ogc.gml"):
                with self.subTest(crs=crs, fmt=fmt):
                    path = su.getmap_path("parcels,legal_documents", self.inner, crs,
                                          size=101).replace("GetMap", "GetFeatureInfo")
                    path += ("&QUERY_LAYERS=parcels,legal_documents&I=50&J=50"
                             "&FEATURE_COUNT=50&INFO_FORMAT=" + urllib.parse.quote(fmt))
                    r = self.srv.get(path, headers=bearer("planner"))
                    self.assertEqual(r.status, 200, r.describe())
                    if fmt == "application/json":
                        self.assertEqual(r.json().get("features"), [], r.describe())
                    for fid in self.dropped["parcels"]:
                        self.assertNotIn(f'"MaThua": {fid},', r.text)

    # ----- imagery footprint ------------------------------------------------

    def test_imagery_footprint_rule(self):
        west, south, east, north = self.inner
        lon, lat = 105.7890, 10.0330
        small = su.box_around(lon, lat, 0.5)
        big = su.box_around(lon, lat, 260)
        for crs in CRSS:
            with self.subTest(crs=crs):
                r = self.srv.get(su.getmap_path("imagery", small, crs))
                self.assertGreater(su.opaque_pixels(self, r), 1000, r.url)
                r = self.srv.get(su.getmap_path("imagery", big, crs, size=512))
                self.assertEqual(su.opaque_pixels(self, r), 0, r.url)

    def test_capabilities_max_scale(self):
        r = self.srv.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        self.assertEqual(r.status, 200)
        start = r.text.index("<Name>imagery</Name>")
        layer = r.text[start:r.text.index("</Layer>", start)]
        value = float(layer.split("<MaxScaleDenominator>")[1].split("<")[0])
        # 4096 x 4096 pixels of 0.28 mm at that scale: at most 200 km².
        side_m = 4096 * value * 0.00028
        self.assertLessEqual(side_m * side_m / 1e6, 200)
        self.assertGreater(side_m * side_m / 1e6, 190)

    # ----- personal data ----------------------------------------------------

    def crawl_paths(self):
        lon, lat = 105.7890, 10.0330
        box = su.box_around(lon, lat, 0.05)
        paths = ["/", "/?f=html", "/api", "/api?f=html", "/collections", "/collections?f=html",
                 "/wms?SERVICE=WMS&REQUEST=GetCapabilities",
                 "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities", "/viewer", "/metrics"]
        for layer in VECTOR_LAYERS:
            base = f"/collections/{layer}"
            paths += [base, base + "?f=html", base + "/queryables",
                      base + "/items?limit=1000", base + "/items?limit=200&f=html",
                      base + "/items?limit=1000&f=csv",
                      base + "/items?limit=50&properties=TenChu,SoGiayTo,DiaChi",
                      base + "/items?limit=1000&bbox=" + ",".join(map(str, box))]
        for fid in (1, 2, 3, 100):
            paths += [f"/collections/parcels/items/{fid}",
                      f"/collections/parcels/items/{fid}?f=html"]
        for fmt in ("application/json", "text/plain", "text/html", "application/vnd.ogc.gml"):
            path = su.getmap_path("parcels", box, "EPSG:3857", size=101).replace(
                "GetMap", "GetFeatureInfo")
            paths.append(path + "&QUERY_LAYERS=parcels&I=50&J=50&FEATURE_COUNT=50"
                         "&INFO_FORMAT=" + urllib.parse.quote(fmt))
        return paths

    def test_no_owner_names_anywhere(self):
        for who, headers in (("anonymous", None), ("partner", bearer("crawler"))):
            for path in self.crawl_paths():
                with self.subTest(who=who, path=path):
                    r = self.srv.get(path, headers=headers)
                    self.assertLess(r.status, 500, r.describe())
                    body = harness.gunzip(r.body) if r.header("content-encoding") == "gzip" else r.body
                    self.assertIsNone(su.leaked(body, self.owner_words), r.url)
                    if r.status == 400:
                        # An error may quote the request itself, but it must
                        # read exactly as for attributes that do not exist.
                        self.assertEqual(self.with_unknown_names(body),
                                         self.unknown_name_answer(path, headers), r.url)
                        continue
                    for attr in PERSONAL:
                        self.assertNotIn(attr.encode(), body, r.url)

    @staticmethod
    def with_unknown_names(data):
        for i, attr in enumerate(PERSONAL):
            data = data.replace(attr.encode(), f"Khong{i}".encode())
        return data

    def unknown_name_answer(self, path, headers):
        r = self.srv.get(self.with_unknown_names(path.encode()).decode(), headers=headers)
        self.assertEqual(r.status, 400, r.describe())
        return harness.gunzip(r.body) if r.header("content-encoding") == "gzip" else r.body

    def test_planner_sees_owner_names(self):
        # Control: the crawl above would catch owner names.
        r = self.srv.get("/collections/parcels/items?limit=1000", headers=bearer("planner"))
        self.assertEqual(r.status, 200)
        self.assertIsNotNone(su.leaked(r.body, self.owner_words))
        self.assertIn(b"TenChu", r.body)

    def test_personal_filter_is_unknown(self):
        name = self.owner_words[0]
        probes = [
            ("TenChu=" + urllib.parse.quote(name), "Khong=" + urllib.parse.quote(name)),
            ("sortby=TenChu", "sortby=Khong"),
            ("sortby=-SoGiayTo", "sortby=-Khong"),
            ("filter=" + urllib.parse.quote(f"TenChu='{name}'"),
             "filter=" + urllib.parse.quote(f"Khong='{name}'")),
        ]
        for who, headers in (("anonymous", None), ("partner", bearer("crawler"))):
            for probe, unknown in probes:
                with self.subTest(who=who, probe=probe):
                    r = self.srv.get("/collections/parcels/items?" + probe, headers=headers)
                    u = self.srv.get("/collections/parcels/items?" + unknown, headers=headers)
                    self.assertEqual(r.status, 400, r.describe())
                    self.assertEqual(u.status, 400, u.describe())
                    # The same error as an unknown attribute, name aside.
                    a = harness.problem_details(self, r)
                    b = harness.problem_details(self, u)
                    self.assertEqual(a.get("type"), b.get("type"))
                    self.assertEqual(a.get("detail", "").replace("TenChu", "X").replace("SoGiayTo", "X"),
                                     b.get("detail", "").replace("Khong", "X"))

    # ----- tokens, rate limits, audit ---------------------------------------

    def test_bad_tokens_get_401(self):
        cases = [
            ("/collections/parcels/items", {"Authorization": "Bearer nope"}, "json"),
            ("/collections/parcels/items?api_key=nope", None, "json"),
            ("/collections", {"Authorization": "Basic YTpi"}, "json"),
            ("/wms?SERVICE=WMS&REQUEST=GetCapabilities&api_key=nope", None, "xml"),
            ("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&API_KEY=nope", None, "xml"),
        ]
        for path, headers, kind in cases:
            with self.subTest(path=path):
                r = self.srv.get(path, headers=headers)
                self.assertEqual(r.status, 401, r.describe())
                self.assertIn(kind, r.header("content-type", ""))
                self.assertIn("Bearer", r.header("www-authenticate", ""))
                self.assertNotIn(b"nope", r.body)

    def test_api_key_never_echoed(self):
        token = TOKENS["crawler"]
        for path in ("/?f=json", "/?f=html", "/collections?f=json",
                     "/collections/parcels/items?limit=2&f=json",
                     "/collections/parcels/items?limit=2&f=html",
                     "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
                     "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
                     "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"):
            with self.subTest(path=path):
                r = self.srv.get(path + "&api_key=" + token)
                self.assertLess(r.status, 500)
                self.assertNotIn(token.encode(), r.body, r.url)
                self.assertNotIn("api_key", r.text.lower(), r.url)
                self.assertNotIn(token, json.dumps(r.headers))
        self.assertNotIn(token, self.srv.log())

    def test_rate_limit_429(self):
        statuses = []
        for _ in range(4):
            r = self.srv.get("/collections?api_key=" + TOKENS["slow"])
            statuses.append(r.status)
            # Another partner key is not affected.
            other = self.srv.get("/collections", headers=bearer("partner"))
            self.assertEqual(other.status, 200)
            if r.status == 429:
                problem = harness.problem_details(self, r, 429)
                self.assertIn("too-many-requests", problem["type"])
                retry = int(r.header("retry-after"))
                self.assertGreaterEqual(retry, 1)
        self.assertEqual(statuses[0], 200)
        self.assertIn(429, statuses)
        time.sleep(retry)
        self.assertEqual(self.srv.get("/collections", headers=bearer("slow")).status, 200)
        # WMS clients get the WMS exception format.
        for _ in range(3):
            r = self.srv.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&api_key=" + TOKENS["slow"])
        self.assertEqual(r.status, 429)
        self.assertIn("xml", r.header("content-type"))
        self.assertTrue(r.header("retry-after"))

    def test_zz_audit_log(self):
        # Runs last (name order): the denials above are in the log.
        self.srv.get("/collections/parcels/items?sortby=TenChu", headers=bearer("crawler"))
        self.srv.get("/collections?api_key=wrong-token")
        path = os.path.join(self.data, "var", "audit.log")
        with open(path, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f]
        reasons = {(e.get("event"), e.get("reason")) for e in lines}
        for expected in [("features_dropped", "restricted_area"), ("scene_dropped", "footprint"),
                         ("request_denied", "unauthorized"), ("request_denied", "rate_limited"),
                         ("request_denied", "personal_attribute")]:
            self.assertIn(expected, reasons)
        drops = {e["layer"]: e["count"] for e in lines if e.get("event") == "features_dropped"}
        self.assertEqual(drops.get("parcels"), 4)
        probe = [e for e in lines if e.get("reason") == "personal_attribute"]
        self.assertTrue(any(e.get("user") == "crawl-partner" and e.get("parameter") == "TenChu"
                            for e in probe))
        with open(path, "rb") as f:
            raw = f.read()
        self.assertIsNone(su.leaked(raw, self.owner_words))
        for token in TOKENS.values():
            self.assertNotIn(token.encode(), raw)
        self.assertNotIn("wrong-token".encode(), raw)
        self.assertNotIn("quân sự".encode(), raw)    # the restricted area's name

        # GET /admin/audit: admin only, newest first, paged.
        self.assertEqual(self.srv.get("/admin/audit").status, 401)
        self.assertEqual(self.srv.get("/admin/audit", headers=bearer("planner")).status, 403)
        self.assertEqual(self.srv.get("/admin/audit", headers=bearer("partner")).status, 403)
        r = self.srv.get("/admin/audit?limit=2", headers=bearer("admin"))
        self.assertEqual(r.status, 200, r.describe())
        doc = r.json()
        self.assertEqual(doc["numberReturned"], 2)
        self.assertGreaterEqual(doc["numberMatched"], len(lines))
        self.assertGreaterEqual(doc["events"][0]["time"], doc["events"][1]["time"])
        r2 = self.srv.get("/admin/audit?limit=1&offset=1", headers=bearer("admin"))
        self.assertEqual(r2.json()["events"][0], doc["events"][1])
        self.assertEqual(self.srv.get("/admin/audit?limit=0", headers=bearer("admin")).status, 400)

    def test_metrics_count_drops(self):
        text = self.srv.get("/metrics").text
        self.assertIn('vnsdi_secrecy_drops{layer="parcels",kind="feature",'
                      'reason="restricted_area"} 4', text)
        self.assertIn('vnsdi_secrecy_drops{layer="imagery",kind="scene",'
                      'reason="footprint"} 1', text)
        self.assertIn('vnsdi_requests_denied_total{reason="unauthorized"}', text)

    def test_check_reports_drops(self):
        result = harness.vnsdi("check", "--config", self.config)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("mekong_overview.tif: 658", result.stdout)
        self.assertIn("dropped: diện tích phủ", result.stdout)
        self.assertIn("features: 6924 kept, 4 dropped by restricted areas", result.stdout)
        self.assertIn("secrecy: imagery footprint limit 200 km²", result.stdout)
        self.assertNotIn("quân sự", result.stdout)


if __name__ == "__main__":
    harness.require_environment()
    harness.main()
