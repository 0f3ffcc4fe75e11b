"""Harness of the integration tests: one real vnsdi server per test script.

Every test_*.py script imports this module, writes a config that serves the
real data under $VNSDI_SHARED/data/real (never copied into the project),
starts `$VNSDI_BIN serve` on a free loopback port, and calls main(). main()
runs the unittest cases, stops the server with SIGTERM, and fails the script
when the server did not exit with status 0 or printed a sanitizer report. On
any failure the server's log is printed after the test output.

ctest sets VNSDI_BIN, VNSDI_BUILD, VNSDI_SHARED and VNSDI_SOURCE.
"""

import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

BIN = os.environ.get("VNSDI_BIN", "")
BUILD = os.environ.get("VNSDI_BUILD", "")
SHARED = os.environ.get("VNSDI_SHARED", "")
SOURCE = os.environ.get("VNSDI_SOURCE", "")
REAL = os.path.join(SHARED, "data", "real")

# Seconds allowed for the server to load its layers and return 200 on
# /healthz; generous, because the sanitizer build loads more slowly.
START_TIMEOUT = 120
REQUEST_TIMEOUT = 60
LOG_LINES_ON_FAILURE = 300

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
)

# Titles written into the test config. The Vietnamese ones carry the words
# that the tests look for byte for byte in every output format.
PHUONG = "Phường"
NINH_KIEU = "Quận Ninh Kiều"

DANANG_GEOJSON = "danang-parcels/parcels_20248_nam_duong.geojson"
DANANG_GPKG = "danang-parcels/DERIVED_parcels_20248_vn2000_tm3_107-45.gpkg"
CANTHO_DISTRICTS = "cantho-2008-mapinfo/quanhuyen.TAB"
CANTHO_ROADS = "cantho-2008-mapinfo/giaothong.TAB"
MEKONG_ADMIN = "mekong-admin-govportal/mekong_delta_admin_l1_l2.geojson"

# Limits of the test config: small, so the size checks are cheap to reach.
MAX_WIDTH = 512
MAX_HEIGHT = 512
MAX_FEATURES = 500
DEFAULT_FEATURES = 10
CORS_ORIGIN = "https://bando.example.vn"


def real_path(relative):
    """Return the absolute path of a file in the shared real data."""
    return os.path.join(REAL, relative)


# Layers of the test config: id, source, titles and style, in serving order.
LAYERS = [
    {
        "id": "danang_wgs84",
        "title_vi": "Thửa đất Phường Nam Dương, Đà Nẵng (WGS 84)",
        "title_en": "Land parcels of Nam Duong ward, Da Nang (WGS 84)",
        "abstract_vi": "Thửa đất địa chính của Phường Nam Dương, quận Hải Châu.",
        "abstract_en": "Cadastral parcels of Nam Duong ward, Hai Chau district.",
        "source": DANANG_GEOJSON,
        "id_attribute": "OBJECTID",
        "style": {"fill_by": "KyHieuMucDichSuDung", "stroke": "#333333",
                  "stroke_width": 0.5},
    },
    {
        "id": "danang_vn2000",
        "title_vi": "Thửa đất Phường Nam Dương, Đà Nẵng (VN-2000 TM-3 107°45′)",
        "title_en": "Land parcels of Nam Duong ward, Da Nang (VN-2000 TM-3 107-45)",
        "abstract_vi": "Cùng các thửa đất, lưu trong hệ VN-2000 múi 3 độ.",
        "abstract_en": "The same parcels, stored in VN-2000 3-degree zone.",
        "source": DANANG_GPKG,
        "source_layer": "parcels_20248",
        "crs": "EPSG:5899",
        "id_attribute": "OBJECTID",
        "style": {"fill_by": "KyHieuMucDichSuDung", "stroke": "#333333",
                  "stroke_width": 0.5},
    },
    {
        "id": "cantho_districts",
        "title_vi": "Quận, huyện Cần Thơ năm 2008: " + NINH_KIEU + " và các quận, huyện khác",
        "title_en": "Districts of Can Tho in 2008: Ninh Kieu and the others",
        "abstract_vi": "Ranh giới quận, huyện cũ (MapInfo).",
        "abstract_en": "Former district boundaries (MapInfo).",
        "source": CANTHO_DISTRICTS,
        "encoding": "CP1258",
        "style": {"fill": "#FFFFE080", "stroke": "#6A0DAD", "stroke_width": 1.5},
    },
    {
        "id": "cantho_roads",
        "title_vi": "Giao thông Cần Thơ",
        "title_en": "Roads of Can Tho",
        "abstract_vi": "Mạng lưới đường giao thông năm 2008.",
        "abstract_en": "Road network in 2008.",
        "source": CANTHO_ROADS,
        "encoding": "CP1258",
        "style": {"stroke": "#D2691E", "stroke_width": 1.0},
    },
    {
        "id": "mekong_admin",
        "title_vi": "Ranh giới hành chính đồng bằng sông Cửu Long (tỉnh, quận, huyện, không có cấp " + PHUONG + ")",
        "title_en": "Administrative boundaries of the Mekong delta (provinces and districts)",
        "abstract_vi": "Tỉnh và quận, huyện trước khi sáp nhập tỉnh năm 2025.",
        "abstract_en": "Provinces and districts before the 2025 provincial merger.",
        "source": MEKONG_ADMIN,
        "style": {"fill": "#00000000", "stroke": "#1F4E79", "stroke_width": 1.0},
    },
]

LAYER_IDS = [layer["id"] for layer in LAYERS]

OUTPUT_CRS = ["EPSG:3857", "EPSG:4326", "CRS:84", "EPSG:4756", "EPSG:5899",
              "EPSG:5897", "EPSG:3405"]


def yaml_quote(text):
    """Quote a string as a YAML double-quoted scalar (JSON is a subset)."""
    return json.dumps(text, ensure_ascii=False)


def config_text(port, data_dir, layers=None, max_width=MAX_WIDTH,
                max_height=MAX_HEIGHT, max_features=MAX_FEATURES):
    """Return the YAML text of a test config serving `layers` (default LAYERS)."""
    if layers is None:
        layers = LAYERS
    lines = [
        "# vnsdi integration test config: real data from the shared folder.",
        "server:",
        f"  listen: 127.0.0.1:{port}",
        "  threads: 4",
        f"  data_dir: {yaml_quote(data_dir)}",
        "  title:",
        "    vi: " + yaml_quote("Kiểm thử tích hợp vnsdi — " + PHUONG + " Nam Dương và " + NINH_KIEU),
        "    en: " + yaml_quote("vnsdi integration tests"),
        "  abstract:",
        "    vi: " + yaml_quote("Dữ liệu thật dùng cho kiểm thử."),
        "    en: " + yaml_quote("Real data used by the tests."),
        f"  cors_origins: [{yaml_quote(CORS_ORIGIN)}]",
        "",
        "limits:",
        f"  max_width: {max_width}",
        f"  max_height: {max_height}",
        f"  default_features: {DEFAULT_FEATURES}",
        f"  max_features: {max_features}",
        "  request_timeout: 30",
        "  max_upload_mb: 16",
        "",
        "output_crs: [" + ", ".join(OUTPUT_CRS) + "]",
        "",
        "layers:",
    ]
    for layer in layers:
        lines.append(f"  - id: {layer['id']}")
        lines.append("    title: {vi: %s, en: %s}" % (yaml_quote(layer["title_vi"]), yaml_quote(layer["title_en"])))
        lines.append("    abstract: {vi: %s, en: %s}" % (yaml_quote(layer["abstract_vi"]), yaml_quote(layer["abstract_en"])))
        source = layer["source"]
        if not os.path.isabs(source):
            source = real_path(source)
        lines.append(f"    source: {yaml_quote(source)}")
        for key in ("source_layer", "crs", "encoding", "id_attribute"):
            if key in layer:
                lines.append(f"    {key}: {yaml_quote(layer[key])}")
        style = layer.get("style")
        if style:
            lines.append("    styles:")
            lines.append("      - name: default")
            lines.append("        title: {vi: \"Mặc định\", en: \"Default\"}")
            for key, value in style.items():
                if isinstance(value, str):
                    value = yaml_quote(value)
                lines.append(f"        {key}: {value}")
        lines.append("")
    return "\n".join(lines) + "\n"


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    """An HTTP response: status, headers with lowercase names, body bytes."""

    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def describe(self, limit=600):
        """Return a short text for assertion messages."""
        body = self.text
        if len(body) > limit:
            body = body[:limit] + "..."
        content_type = self.header("content-type")
        return f"{self.url} -> {self.status} ({content_type}): {body}"


class Server:
    """A vnsdi server process started on a loopback port."""

    def __init__(self, config_path, port, workdir):
        self.config_path = config_path
        self.port = port
        self.workdir = workdir
        self.process = None
        self.stdout_path = os.path.join(workdir, "server.stdout")
        self.stderr_path = os.path.join(workdir, "server.stderr")
        self.statuses = []  # (method, path, status) of every request sent

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        """Start the server and wait until /healthz returns 200."""
        command = [BIN, "serve", "--config", self.config_path,
                   "--listen", f"127.0.0.1:{self.port}"]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"vnsdi serve exited with status {self.process.returncode} "
                    f"before returning 200 on /healthz: {' '.join(command)}")
            try:
                if self.request("GET", "/healthz", record=False).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"vnsdi serve did not return 200 on /healthz within {START_TIMEOUT} s")

    def stop(self):
        """Send SIGTERM and return a list of problems: exit status, sanitizer output."""
        problems = []
        if self.process is None:
            return problems
        if self.process.poll() is not None:
            problems.append(f"vnsdi serve had already exited with status {self.process.returncode}")
            return problems + self.sanitizer_reports()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            problems.append("vnsdi serve did not exit within 30 s of SIGTERM; killed")
            self.process.kill()
            self.process.wait()
        status = self.process.returncode
        if status != 0:
            problems.append(f"vnsdi serve exited with status {status} after SIGTERM, expected 0")
        return problems + self.sanitizer_reports()

    def sanitizer_reports(self):
        """Return a problem line for each sanitizer marker in the server output."""
        log = self.log()
        return [f"server output contains {marker!r}" for marker in SANITIZER_MARKERS
                if marker in log]

    def log(self):
        """Return the server's stdout and stderr so far."""
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            try:
                with open(path, "rb") as f:
                    parts.append(f.read().decode("utf-8", errors="replace"))
            except FileNotFoundError:
                pass
        return "".join(parts)

    def request(self, method, path, headers=None, body=None, record=True):
        """Send one request on a new connection and return a Response.

        `path` is sent exactly as given (no normalisation), so tests can send
        dot segments and percent-encoded bytes.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            raw = conn.getresponse()
            data = raw.read()
            response_headers = {}
            for name, value in raw.getheaders():
                name = name.lower()
                if name in response_headers:
                    response_headers[name] += ", " + value
                else:
                    response_headers[name] = value
            response = Response(raw.status, response_headers, data, path)
        finally:
            conn.close()
        if record:
            self.statuses.append((method, path, response.status))
        return response

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)


_server = None
_workdir = None


def workdir():
    """Return this script's temporary folder, removed at exit."""
    global _workdir
    if _workdir is None:
        _workdir = tempfile.TemporaryDirectory(prefix="vnsdi-it-")
    return _workdir.name


def write_config(text, name="vnsdi-test.yaml"):
    """Write a config file into the temporary folder and return its path."""
    path = os.path.join(workdir(), name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def server():
    """Return this script's server, started on first use with the test config."""
    global _server
    if _server is None:
        port = free_port()
        data_dir = os.path.join(workdir(), "var")
        os.makedirs(data_dir, exist_ok=True)
        path = write_config(config_text(port, data_dir))
        start_server(path, port)
    return _server


def start_server(config_path, port):
    """Start this script's one server on `config_path`."""
    global _server
    if _server is not None:
        raise RuntimeError("one server per test script")
    _server = Server(config_path, port, workdir())
    _server.start()
    return _server


def client_env():
    """Return the environment for curl and GDAL clients: loopback without proxy."""
    env = dict(os.environ)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["GDAL_HTTP_TIMEOUT"] = str(REQUEST_TIMEOUT)
    env["CPL_DEBUG"] = "OFF"
    return env


def run(command, timeout=120):
    """Run a command and return CompletedProcess with text stdout and stderr."""
    return subprocess.run(command, capture_output=True, text=True, errors="replace",
                          timeout=timeout, stdin=subprocess.DEVNULL, env=client_env())


def vnsdi(*args, timeout=120):
    """Run `$VNSDI_BIN args...` and return its CompletedProcess."""
    return run([BIN, *args], timeout=timeout)


def problem_details(test, response, status=None):
    """Assert that `response` is a JSON problem details error and return it."""
    if status is None:
        test.assertTrue(400 <= response.status < 500, response.describe())
    else:
        test.assertEqual(response.status, status, response.describe())
    content_type = response.header("content-type", "")
    test.assertIn("json", content_type, response.describe())
    try:
        document = response.json()
    except ValueError as exc:
        test.fail(f"error body is not JSON ({exc}): {response.describe()}")
    test.assertIsInstance(document, dict, response.describe())
    test.assertEqual(document.get("status"), response.status,
                     "problem details 'status' member: " + response.describe())
    test.assertTrue(document.get("title") or document.get("detail"),
                    "problem details without title or detail: " + response.describe())
    return document


def problem_text(document):
    """Return every string member of a problem details document, joined."""
    return " ".join(str(v) for v in document.values() if isinstance(v, (str, int)))


def service_exception(test, response, code):
    """Assert a WMS ServiceExceptionReport with one exception of `code`.

    Returns (code, locator, text) of the first ServiceException.
    """
    test.assertTrue(400 <= response.status < 500, response.describe())
    content_type = response.header("content-type", "")
    test.assertIn("xml", content_type, "exception content type: " + response.describe())
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError as exc:
        test.fail(f"exception report is not XML ({exc}): {response.describe()}")
    test.assertEqual(root.tag.split("}")[-1], "ServiceExceptionReport", response.describe())
    exceptions = [e for e in root.iter() if e.tag.split("}")[-1] == "ServiceException"]
    test.assertTrue(exceptions, "no ServiceException element: " + response.describe())
    first = exceptions[0]
    test.assertEqual(first.get("code"), code, response.describe())
    return first.get("code"), first.get("locator") or "", (first.text or "").strip()


def decode_png(test, response):
    """Assert a PNG response and return its pixels as an (h, w, 4) uint8 array."""
    import numpy
    from osgeo import gdal

    test.assertEqual(response.status, 200, response.describe(300))
    test.assertTrue(response.body.startswith(b"\x89PNG\r\n\x1a\n"),
                    "not a PNG: " + response.describe(300))
    name = f"/vsimem/vnsdi-it-{id(response)}.png"
    gdal.FileFromMemBuffer(name, response.body)
    try:
        dataset = gdal.Open(name)
        test.assertIsNotNone(dataset, "GDAL cannot decode the PNG")
        bands = [dataset.GetRasterBand(i + 1).ReadAsArray() for i in range(dataset.RasterCount)]
        palette = dataset.GetRasterBand(1).GetColorTable()
        table = None
        if palette is not None:
            table = numpy.array([palette.GetColorEntry(i) for i in range(palette.GetCount())],
                                dtype=numpy.uint8)
        dataset = None
    finally:
        gdal.Unlink(name)
    if table is not None:    # palette (PNG8): RGBA from the colour table
        return table[bands[0]]
    if len(bands) == 1:      # grey
        bands = [bands[0]] * 3
    if len(bands) == 2:      # grey + alpha
        bands = [bands[0]] * 3 + [bands[1]]
    if len(bands) == 3:
        bands.append(numpy.full(bands[0].shape, 255, dtype=numpy.uint8))
    return numpy.dstack(bands[:4]).astype(numpy.uint8)


def gunzip(data):
    return gzip.decompress(data)


def main():
    """Run the unittest cases of the calling script, stop the server, exit."""
    program = unittest.main(exit=False, verbosity=2)
    ok = program.result.wasSuccessful()
    if _server is not None:
        problems = _server.stop()
        for problem in problems:
            print("FAIL: server shutdown: " + problem, file=sys.stderr)
        if problems:
            ok = False
        non_4xx = [s for s in _server.statuses if s[2] >= 500]
        if non_4xx:
            print(f"note: {len(non_4xx)} responses with status >= 500: {non_4xx[:10]}",
                  file=sys.stderr)
        if not ok:
            lines = _server.log().splitlines()
            print(f"----- server log (last {LOG_LINES_ON_FAILURE} of {len(lines)} lines) -----",
                  file=sys.stderr)
            for line in lines[-LOG_LINES_ON_FAILURE:]:
                print(line, file=sys.stderr)
            print("----- end of server log -----", file=sys.stderr)
    if _workdir is not None:
        _workdir.cleanup()
    sys.exit(0 if ok else 1)


def require_environment():
    """Exit with a clear message when ctest did not set the environment."""
    missing = [name for name in ("VNSDI_BIN", "VNSDI_SHARED") if not os.environ.get(name)]
    if missing:
        sys.exit("missing environment: " + ", ".join(missing) + " (run through ctest)")
    if not os.path.exists(BIN):
        sys.exit(f"vnsdi binary not found: {BIN}")
    if not os.path.isdir(REAL):
        sys.exit(f"real test data not found: {REAL}")


require_environment()
