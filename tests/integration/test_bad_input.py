"""Malformed requests: 4xx in the protocol's own error format, never a crash.

WMS errors must be an OGC ServiceExceptionReport with the standard code;
OGC API errors must be JSON problem details. Every message must name the
parameter and the value that was rejected. After all cases /healthz must
still return 200, and no response may have been a 5xx.
"""

import html
import unittest
import urllib.parse

import harness

GOOD_3857_BOX = "12046000,1811000,12047000,1812000"

WMS_130 = {
    "SERVICE": "WMS",
    "VERSION": "1.3.0",
    "REQUEST": "GetMap",
    "LAYERS": "danang_wgs84",
    "STYLES": "",
    "CRS": "EPSG:3857",
    "BBOX": GOOD_3857_BOX,
    "WIDTH": "256",
    "HEIGHT": "256",
    "FORMAT": "image/png",
}

WMS_111 = dict(WMS_130, VERSION="1.1.1")
del WMS_111["CRS"]
WMS_111["SRS"] = "EPSG:3857"

# name, base parameters, changes (None removes), code, parameter, value
WMS_CASES = [
    ("unknown_layer", WMS_130, {"LAYERS": "khong_co_lop"}, "LayerNotDefined", "LAYERS", "khong_co_lop"),
    ("unknown_layer_second", WMS_130, {"LAYERS": "danang_wgs84,lop_sai"}, "LayerNotDefined", "LAYERS", "lop_sai"),
    ("missing_bbox", WMS_130, {"BBOX": None}, "MissingParameterValue", "BBOX", None),
    ("non_numeric_bbox", WMS_130, {"BBOX": "a,b,c,d"}, "InvalidParameterValue", "BBOX", "a,b,c,d"),
    ("bbox_three_values", WMS_130, {"BBOX": "1,2,3"}, "InvalidParameterValue", "BBOX", "1,2,3"),
    ("bbox_nan", WMS_130, {"BBOX": "nan,1811000,12047000,1812000"}, "InvalidParameterValue", "BBOX", "nan"),
    ("bbox_minx_ge_maxx", WMS_130, {"BBOX": "12047000,1811000,12046000,1812000"},
     "InvalidParameterValue", "BBOX", "12047000,1811000,12046000,1812000"),
    ("bbox_miny_eq_maxy", WMS_130, {"BBOX": "12046000,1811000,12047000,1811000"},
     "InvalidParameterValue", "BBOX", "12046000,1811000,12047000,1811000"),
    ("missing_width", WMS_130, {"WIDTH": None}, "MissingParameterValue", "WIDTH", None),
    ("non_numeric_width", WMS_130, {"WIDTH": "abc"}, "InvalidParameterValue", "WIDTH", "abc"),
    ("negative_width", WMS_130, {"WIDTH": "-5"}, "InvalidParameterValue", "WIDTH", "-5"),
    ("zero_width", WMS_130, {"WIDTH": "0"}, "InvalidParameterValue", "WIDTH", "0"),
    ("missing_height", WMS_130, {"HEIGHT": None}, "MissingParameterValue", "HEIGHT", None),
    ("non_numeric_height", WMS_130, {"HEIGHT": "12px"}, "InvalidParameterValue", "HEIGHT", "12px"),
    ("width_above_max", WMS_130, {"WIDTH": str(harness.MAX_WIDTH + 1)},
     "InvalidParameterValue", "WIDTH", str(harness.MAX_WIDTH + 1)),
    ("height_above_max", WMS_130, {"HEIGHT": str(harness.MAX_HEIGHT + 1)},
     "InvalidParameterValue", "HEIGHT", str(harness.MAX_HEIGHT + 1)),
    ("width_overflow", WMS_130, {"WIDTH": "99999999999999999999"},
     "InvalidParameterValue", "WIDTH", "99999999999999999999"),
    ("size_far_above_max", WMS_130, {"WIDTH": "100000", "HEIGHT": "100000"},
     "InvalidParameterValue", "WIDTH", "100000"),
    ("unknown_crs", WMS_130, {"CRS": "EPSG:999999"}, "InvalidCRS", "CRS", "EPSG:999999"),
    ("unknown_srs_111", WMS_111, {"SRS": "EPSG:999999"}, "InvalidSRS", "SRS", "EPSG:999999"),
    ("unknown_format", WMS_130, {"FORMAT": "image/bmp"}, "InvalidFormat", "FORMAT", "image/bmp"),
    ("missing_layers", WMS_130, {"LAYERS": None}, "MissingParameterValue", "LAYERS", None),
    # Longitude first, where WMS 1.3.0 EPSG:4326 is latitude first.
    ("bbox_4326_axes_swapped", WMS_130, {"CRS": "EPSG:4326", "BBOX": "108.2,16.0,108.3,16.1"},
     "InvalidParameterValue", "BBOX", "108.2,16.0,108.3,16.1"),
]

# name, path, status, words the problem details must contain
OGCAPI_CASES = [
    ("unknown_collection", "/collections/khong_co_lop?f=json", 404, ["khong_co_lop"]),
    ("unknown_collection_items", "/collections/khong_co_lop/items?f=json", 404, ["khong_co_lop"]),
    ("limit_negative", "/collections/danang_wgs84/items?f=json&limit=-1", 400, ["limit", "-1"]),
    ("limit_text", "/collections/danang_wgs84/items?f=json&limit=abc", 400, ["limit", "abc"]),
    ("limit_fraction", "/collections/danang_wgs84/items?f=json&limit=2.5", 400, ["limit", "2.5"]),
    ("offset_negative", "/collections/danang_wgs84/items?f=json&offset=-3", 400, ["offset", "-3"]),
    ("bbox_text", "/collections/danang_wgs84/items?f=json&bbox=a,b,c,d", 400, ["bbox", "a,b,c,d"]),
    ("bbox_minx_ge_maxx", "/collections/danang_wgs84/items?f=json&bbox=108.3,16.0,108.2,16.1",
     400, ["bbox", "108.3,16.0,108.2,16.1"]),
    ("unknown_feature_number", "/collections/danang_wgs84/items/999999999?f=json", 404, ["999999999"]),
    ("unknown_feature_text", "/collections/danang_wgs84/items/abc?f=json", 404, ["abc"]),
    ("unknown_output_format", "/collections?f=pdf", None, ["pdf"]),
    ("dot_segments", "/collections/../../etc/passwd", None, [".."]),
    ("dot_segments_in_items", "/collections/danang_wgs84/items/../../../etc/passwd", None, [".."]),
    ("encoded_dot_segments", "/collections/%2e%2e/%2e%2e/etc/passwd", None, [".."]),
    ("encoded_dot_segments_upper", "/collections/danang_wgs84/items/%2E%2E%2f%2E%2E%2fetc", None, [".."]),
    ("nul_in_collection", "/collections/danang_wgs84%00/items?f=json", None, ["danang_wgs84"]),
    ("nul_in_feature_id", "/collections/danang_wgs84/items/1133479%00?f=json", None, ["1133479"]),
    ("bbox_axes_swapped", "/collections/danang_wgs84/items?f=json&bbox=16.0,108.2,16.1,108.3",
     400, ["bbox", "16.0,108.2,16.1,108.3", "minlon,minlat,maxlon,maxlat"]),
    ("bbox_crs_4326_axes_swapped", "/collections/danang_wgs84/items?f=json&bbox=108.2,16.0,108.3,16.1"
     "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326",
     400, ["bbox", "108.2,16.0,108.3,16.1", "minlat,minlon,maxlat,maxlon"]),
    ("unknown_parameter", "/collections/danang_wgs84/items?f=json&DienTch=200",
     400, ["DienTch", "/collections/danang_wgs84/queryables"]),
    ("filter_unknown_property", "/collections/danang_wgs84/items?f=json&filter=DienTch%20%3E%20200",
     400, ["DienTch", "/collections/danang_wgs84/queryables"]),
]

# Paths outside OGC API and WMS: 4xx and no file content, any error format.
OTHER_PATHS = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/wms/..%2f..%2fetc%2fpasswd",
    "/healthz%00.png",
    "/viewer/../../etc/passwd",
]


class BadInput(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()

    def check_wms(self, base, changes, code, parameter, value):
        params = dict(base)
        for key, new in changes.items():
            if new is None:
                params.pop(key, None)
            else:
                params[key] = new
        path = "/wms?" + urllib.parse.urlencode(params)
        response = self.srv.get(path)
        _, locator, text = harness.service_exception(self, response, code)
        self.assertIn(parameter.lower(), (text + " " + locator).lower(),
                      f"message does not name {parameter}: {response.describe()}")
        if value is not None:
            self.assertIn(value, text, f"message does not name the value: {response.describe()}")

    def check_ogcapi(self, path, status, words):
        response = self.srv.get(path)
        document = harness.problem_details(self, response, status)
        text = harness.problem_text(document)
        for word in words:
            self.assertIn(word, text, f"problem details do not name {word!r}: {response.describe()}")

    def test_other_paths(self):
        for path in OTHER_PATHS:
            with self.subTest(path=path):
                response = self.srv.get(path)
                self.assertTrue(400 <= response.status < 500, response.describe())
                self.assertNotIn(b"root:", response.body, response.describe())

    def test_wms_exceptions_xml_requested(self):
        params = dict(WMS_130, LAYERS="khong_co_lop", EXCEPTIONS="XML")
        response = self.srv.get("/wms?" + urllib.parse.urlencode(params))
        harness.service_exception(self, response, "LayerNotDefined")

    def test_wms_missing_request(self):
        response = self.srv.get("/wms?SERVICE=WMS&VERSION=1.3.0")
        _, locator, text = harness.service_exception(self, response, "MissingParameterValue")
        self.assertIn("request", (text + " " + locator).lower(), response.describe())

    def test_wms_unknown_request(self):
        response = self.srv.get("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCoffee")
        _, _, text = harness.service_exception(self, response, "OperationNotSupported")
        self.assertIn("GetCoffee", text, response.describe())

    def test_wms_swapped_axes_states_order(self):
        params = dict(WMS_130, CRS="EPSG:4326", BBOX="108.2,16.0,108.3,16.1")
        response = self.srv.get("/wms?" + urllib.parse.urlencode(params),
                                headers={"Accept-Language": "en"})
        _, _, text = harness.service_exception(self, response, "InvalidParameterValue")
        self.assertIn("EPSG:4326 in WMS 1.3.0 is latitude first: minlat,minlon,maxlat,maxlon",
                      text, response.describe())

    def test_wms_unknown_layer_points_to_capabilities(self):
        params = dict(WMS_130, LAYERS="khong_co_lop")
        response = self.srv.get("/wms?" + urllib.parse.urlencode(params),
                                headers={"Accept-Language": "en"})
        _, _, text = harness.service_exception(self, response, "LayerNotDefined")
        self.assertIn("See GetCapabilities for the list of layers.", text, response.describe())

    def test_xyz_unknown_layer_message(self):
        response = self.srv.get("/tiles/parcel/15/26267/15124.png",
                                headers={"Accept-Language": "en"})
        self.assertEqual(response.status, 404, response.describe())
        body = html.unescape(response.body.decode("utf-8"))
        self.assertIn('Unknown layer="parcel".', body, response.describe())
        self.assertNotIn("layer layer", body, response.describe())
        self.assertIn("See GetCapabilities for the list of layers.", body, response.describe())

    def test_filter_error_in_request_language(self):
        path = "/collections/danang_wgs84/items?f=json&filter=DienTch%20%3E%20200"
        english = harness.problem_details(self, self.srv.get(path, headers={"Accept-Language": "en"}), 400)
        self.assertIn("'DienTch' is not a queryable property", english["detail"])
        self.assertNotIn("không có thuộc tính", english["detail"])
        vietnamese = harness.problem_details(self, self.srv.get(path), 400)
        self.assertIn("không có thuộc tính 'DienTch' để lọc", vietnamese["detail"])
        self.assertNotIn("is not a queryable property", vietnamese["detail"])

    def test_zz_server_alive_and_no_5xx(self):
        # Named to run last: the cases above have all been sent by now.
        response = self.srv.get("/healthz")
        self.assertEqual(response.status, 200, response.describe())
        server_errors = [s for s in self.srv.statuses if s[2] >= 500]
        self.assertEqual(server_errors, [], "responses with status 5xx")


def add_case(name, method):
    method.__name__ = name
    setattr(BadInput, name, method)


for case_name, base, changes, code, parameter, value in WMS_CASES:
    add_case(f"test_wms_{case_name}",
             lambda self, b=base, c=changes, k=code, p=parameter, v=value:
             self.check_wms(b, c, k, p, v))

for case_name, path, status, words in OGCAPI_CASES:
    add_case(f"test_ogcapi_{case_name}",
             lambda self, p=path, s=status, w=words: self.check_ogcapi(p, s, w))


if __name__ == "__main__":
    harness.main()
