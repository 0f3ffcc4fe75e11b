"""Edge cases of requests and tools: a legend in JPEG, a broken percent
escape, a CRS with a trailing space, bearer tokens with extra spaces,
duplicate api_key parameters, a point outside Web Mercator, and the sample
generator creating missing parent folders.
"""

import os
import unittest

import harness
import secrecy_util as su

TOKEN = "edge-planner-token"
LAYER = harness.LAYERS[0]["id"]


class RequestEdges(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        port = harness.free_port()
        data_dir = os.path.join(harness.workdir(), "var")
        os.makedirs(data_dir)
        text = harness.config_text(port, data_dir)
        text += su.users_yaml([("edge-planner", "planner", TOKEN, 0)])
        cls.srv = harness.start_server(harness.write_config(text), port)

    def test_legend_jpeg_invalid_format(self):
        r = self.srv.get(f"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic"
                         f"&LAYER={LAYER}&FORMAT=image/jpeg")
        harness.service_exception(self, r, "InvalidFormat")

    def test_broken_percent_escape(self):
        for query in ("MaXa=%zz", "MaXa=%2", "MaXa=%"):
            with self.subTest(query=query):
                r = self.srv.get(f"/collections/{LAYER}/items?{query}")
                self.assertEqual(r.status, 400, r.describe())

    def test_crs_with_space_rejected(self):
        for value in ("EPSG:5897%20", "%20EPSG:5897"):
            with self.subTest(value=value):
                r = self.srv.get("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap"
                                 f"&LAYERS={LAYER}&STYLES=&CRS={value}"
                                 "&BBOX=587000,1108000,588000,1109000"
                                 "&WIDTH=10&HEIGHT=10&FORMAT=image/png")
                harness.service_exception(self, r, "InvalidCRS")
                r = self.srv.get(f"/collections/{LAYER}/items?f=json&crs={value}")
                self.assertEqual(r.status, 400, r.describe())
        # Control: the same CRS without the space is served.
        r = self.srv.get("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap"
                         f"&LAYERS={LAYER}&STYLES=&CRS=EPSG:5897"
                         "&BBOX=587000,1108000,588000,1109000"
                         "&WIDTH=10&HEIGHT=10&FORMAT=image/png")
        self.assertEqual(r.status, 200, r.describe())

    def test_bearer_spaces_consistent(self):
        path = f"/collections/{LAYER}/items?limit=1&f=json"
        statuses = {}
        for name, value in (("one space", "Bearer " + TOKEN),
                            ("two spaces", "Bearer  " + TOKEN),
                            ("trailing space", "Bearer " + TOKEN + " ")):
            statuses[name] = self.srv.get(path, headers={"Authorization": value}).status
        self.assertEqual(statuses, {"one space": 200, "two spaces": 200,
                                    "trailing space": 200})
        # Control: a wrong token is still refused.
        r = self.srv.get(path, headers={"Authorization": "Bearer " + TOKEN + "x"})
        self.assertEqual(r.status, 401, r.describe())

    def test_duplicate_api_key(self):
        for keys in ((TOKEN, TOKEN), (TOKEN, "other"), ("a", "b")):
            with self.subTest(keys=keys):
                r = self.srv.get(f"/collections/{LAYER}/items?limit=1"
                                 f"&api_key={keys[0]}&api_key={keys[1]}")
                doc = harness.problem_details(self, r, 400)
                self.assertEqual(doc.get("parameter"), "api_key")
                self.assertNotIn(TOKEN, r.text)
        r = self.srv.get(f"/collections/{LAYER}/items?limit=1&api_key={TOKEN}")
        self.assertEqual(r.status, 200, r.describe())

    def test_crs_convert_outside_web_mercator(self):
        result = harness.vnsdi("crs", "convert", "--from", "CRS:84", "--to", "EPSG:3857",
                               "0", "90")
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertEqual(result.stdout, "")
        self.assertIn("outside the area of use of EPSG:3857", result.stderr)
        result = harness.vnsdi("crs", "convert", "--from", "CRS:84", "--to", "EPSG:3857",
                               "0", "85")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_samplegen_creates_parents(self):
        target = os.path.join(harness.workdir(), "missing", "parents", "data")
        result = harness.run([os.path.join(harness.BUILD, "vnsdi-samplegen"), target],
                             timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertTrue(os.path.isfile(os.path.join(target, "cantho_sample.gpkg")))


if __name__ == "__main__":
    harness.require_environment()
    harness.main()
