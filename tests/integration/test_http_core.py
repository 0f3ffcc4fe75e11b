"""HTTP core: /healthz, /metrics, CORS, gzip, access log, message language."""

import concurrent.futures
import http.client
import re
import time
import unittest

import harness

OTHER_ORIGIN = "https://khac.example.com"


def metric_samples(text):
    """Return [(name, labels dict, value)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)", line)
        if match is None:
            raise AssertionError(f"not a Prometheus sample line: {line!r}")
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        samples.append((match.group(1), labels, float(match.group(4))))
    return samples


class HttpCore(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()

    def test_healthz(self):
        response = self.srv.get("/healthz")
        self.assertEqual(response.status, 200, response.describe())
        self.assertTrue(response.body, "empty /healthz body")

    def counters(self):
        response = self.srv.get("/metrics")
        self.assertEqual(response.status, 200, response.describe())
        self.assertIn("text/plain", response.header("content-type", ""), response.describe(100))
        text = response.text
        types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE))
        self.assertIn("counter", types.values(), "no counter in /metrics")
        self.assertIn("histogram", types.values(), "no latency histogram in /metrics")
        return text, types, metric_samples(text)

    def test_metrics_count_requests(self):
        for _ in range(3):
            self.srv.get("/collections/khong_co_lop?f=json")
        _, types, before = self.counters()
        counter_names = {name for name, kind in types.items() if kind == "counter"}

        def not_found_total(samples):
            total = 0.0
            for name, labels, value in samples:
                base = name[:-len("_total")] if name.endswith("_total") else name
                if (name in counter_names or base in counter_names) and labels.get("status") == "404":
                    total += value
            return total

        self.assertGreaterEqual(not_found_total(before), 3, "404 requests counted by status")
        self.srv.get("/collections/khong_co_lop?f=json")
        _, _, after = self.counters()
        self.assertEqual(not_found_total(after), not_found_total(before) + 1)

        histogram = [s for s in after if s[0].endswith("_bucket")]
        self.assertTrue(histogram, "latency histogram buckets")
        self.assertTrue(any(labels.get("le") == "+Inf" for _, labels, _ in histogram))

    def test_cors_on_success_and_error(self):
        for path in ("/collections?f=json", "/collections/khong_co_lop?f=json",
                     "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=khong_co_lop"):
            with self.subTest(path=path):
                response = self.srv.get(path, headers={"Origin": harness.CORS_ORIGIN})
                self.assertEqual(response.header("access-control-allow-origin"), harness.CORS_ORIGIN,
                                 response.describe(200))

    def test_cors_other_origin_not_allowed(self):
        response = self.srv.get("/collections?f=json", headers={"Origin": OTHER_ORIGIN})
        self.assertEqual(response.status, 200, response.describe())
        self.assertNotIn(response.header("access-control-allow-origin"), (OTHER_ORIGIN, "*"))

    def test_cors_preflight(self):
        response = self.srv.request("OPTIONS", "/collections/danang_wgs84/items", headers={
            "Origin": harness.CORS_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        })
        self.assertIn(response.status, (200, 204), response.describe())
        self.assertEqual(response.header("access-control-allow-origin"), harness.CORS_ORIGIN)
        self.assertIn("GET", response.header("access-control-allow-methods", ""))
        self.assertIn("authorization", response.header("access-control-allow-headers", "").lower())

    def assert_gzip_round_trip(self, path, accept_encoding):
        """Check that `path` comes back gzip-encoded and decodes to the plain body."""
        plain = self.srv.get(path)
        self.assertEqual(plain.status, 200, plain.describe())
        self.assertIsNone(plain.header("content-encoding"))
        packed = self.srv.get(path, headers={"Accept-Encoding": accept_encoding})
        self.assertEqual(packed.status, 200, packed.describe())
        self.assertEqual(packed.header("content-encoding"), "gzip")
        self.assertIn("accept-encoding", packed.header("vary", "").lower())
        self.assertLess(len(packed.body), len(plain.body))
        self.assertEqual(harness.gunzip(packed.body), plain.body)

    def test_gzip_when_accepted(self):
        self.assert_gzip_round_trip("/collections/danang_wgs84/items?f=json&limit=100",
                                    "gzip, deflate")

    def test_gzip_streamed_csv(self):
        self.assert_gzip_round_trip("/collections/danang_wgs84/items?f=csv&limit=500", "gzip")

    def test_gzip_capabilities(self):
        path = "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
        packed = self.srv.get(path, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(packed.status, 200, packed.describe())
        self.assertEqual(packed.header("content-encoding"), "gzip")
        self.assertIn(b"WMS_Capabilities", harness.gunzip(packed.body))

    def test_error_language(self):
        path = "/collections/danang_wgs84/items?f=json&limit=abc"
        default = harness.problem_details(self, self.srv.get(path), 400)
        english = harness.problem_details(
            self, self.srv.get(path, headers={"Accept-Language": "en"}), 400)
        self.assertNotEqual(harness.problem_text(default), harness.problem_text(english),
                            "Vietnamese and English messages are the same")
        self.assertTrue(any(ord(c) > 127 for c in harness.problem_text(default)),
                        "default message has no Vietnamese letters: " + harness.problem_text(default))

    def test_access_log_line(self):
        # Only this test requests this path, so its log line is easy to find.
        response = self.srv.get("/collections/cantho_roads?f=json")
        self.assertEqual(response.status, 200, response.describe())
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = [line for line in self.srv.log().splitlines()
                     if "/collections/cantho_roads" in line and "GET" in line
                     and re.search(r"\b200\b", line)]
            if lines:
                break
            time.sleep(0.1)
        self.assertTrue(lines, "no access-log line with method, path and status")

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=30)
        try:
            for path in ("/healthz", "/collections?f=json", "/healthz"):
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                self.assertEqual(response.status, 200, path)
                self.assertNotEqual((response.getheader("connection") or "").lower(), "close", path)
        finally:
            conn.close()

    def test_parallel_requests(self):
        # Eight clients at once on the worker pool: every response complete
        # and equal to the same request sent alone.
        paths = [
            "/collections/danang_wgs84/items?f=json&limit=200&offset=400",
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=danang_wgs84,danang_vn2000&STYLES="
            "&CRS=EPSG:3857&BBOX=12046200,1811200,12046900,1811700&WIDTH=256&HEIGHT=192&FORMAT=image/png",
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
            "/collections/mekong_admin/items?f=json&level=2&limit=50",
        ]
        expected = {path: self.srv.get(path) for path in paths}
        for path, response in expected.items():
            self.assertEqual(response.status, 200, response.describe(200))

        def fetch(index):
            path = paths[index % len(paths)]
            return path, self.srv.get(path)

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(fetch, range(48)))
        for path, response in results:
            self.assertEqual(response.status, 200, response.describe(200))
            if "GetMap" in path:
                self.assertEqual(response.body, expected[path].body, path)
            elif "items" in path:
                self.assertEqual(response.json()["features"], expected[path].json()["features"], path)

    def test_method_not_allowed(self):
        response = self.srv.request("DELETE", "/collections/danang_wgs84")
        self.assertIn(response.status, (404, 405), response.describe())


if __name__ == "__main__":
    harness.main()
