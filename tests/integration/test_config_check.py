"""`vnsdi check` and `vnsdi serve` on good and bad configs.

A bad config must give a non-zero exit and a message with the config file,
the line and the value at fault. `vnsdi serve` must reject the same config
with the same message instead of starting.
"""

import os
import signal
import socket
import subprocess
import unittest

import harness
from osgeo import ogr, gdal

gdal.UseExceptions()

CHECK_TIMEOUT = 180


def line_of(text, needle, start=0):
    """Return the 1-based number of the first line containing `needle` after line `start`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the config text")


def replace_line(text, number, new_line):
    lines = text.splitlines()
    lines[number - 1] = new_line
    return "\n".join(lines) + "\n"


def insert_line(text, after, new_line):
    lines = text.splitlines()
    lines.insert(after, new_line)
    return "\n".join(lines) + "\n"


class ConfigCheck(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = harness.workdir()
        cls.data_dir = os.path.join(cls.dir, "var")
        os.makedirs(cls.data_dir, exist_ok=True)
        cls.port = harness.free_port()
        cls.good = harness.config_text(cls.port, cls.data_dir)

    def check(self, text, name):
        path = harness.write_config(text, name)
        result = harness.vnsdi("check", "--config", path, timeout=CHECK_TIMEOUT)
        return path, result, result.stdout + result.stderr

    def assert_rejected(self, text, name, lines, value):
        """Assert `vnsdi check` fails naming the file, one of `lines` and `value`."""
        path, result, output = self.check(text, name)
        self.assertNotEqual(result.returncode, 0, f"vnsdi check accepted {name}:\n{output}")
        self.assertTrue(result.returncode > 0, f"vnsdi check crashed ({result.returncode}):\n{output}")
        places = [f"{path}:{line}" for line in lines]
        self.assertTrue(any(place in output for place in places),
                        f"no {' or '.join(places)} in the message:\n{output}")
        self.assertIn(value, output, f"the message does not name {value!r}")
        for marker in harness.SANITIZER_MARKERS:
            self.assertNotIn(marker, output)
        return path, output

    def test_good_config_passes(self):
        path, result, output = self.check(self.good, "good.yaml")
        self.assertEqual(result.returncode, 0, output)
        for layer_id in harness.LAYER_IDS:
            self.assertIn(layer_id, output, "the report names every layer")

    def test_unknown_key(self):
        after = line_of(self.good, "- id: cantho_roads")
        text = insert_line(self.good, after, "    colour_scheme: red")
        self.assert_rejected(text, "unknown-key.yaml", [after + 1], "colour_scheme")

    def test_unknown_top_level_key(self):
        text = insert_line(self.good, 1, "listen_backlog: 64")
        self.assert_rejected(text, "unknown-top-key.yaml", [2], "listen_backlog")

    def test_missing_file(self):
        missing = os.path.join(self.dir, "khong_co", "giaothong.TAB")
        layer_line = line_of(self.good, "- id: cantho_roads")
        source_line = line_of(self.good, "source:", start=layer_line)
        text = replace_line(self.good, source_line, f'    source: "{missing}"')
        self.assert_rejected(text, "missing-file.yaml", [source_line], missing)

    def test_unknown_crs(self):
        crs_line = line_of(self.good, "crs: \"EPSG:5899\"")
        text = replace_line(self.good, crs_line, '    crs: "EPSG:999999"')
        self.assert_rejected(text, "unknown-crs.yaml", [crs_line], "EPSG:999999")

    def test_unknown_output_crs(self):
        number = line_of(self.good, "output_crs:")
        text = replace_line(self.good, number, "output_crs: [EPSG:3857, EPSG:4326, EPSG:123456789]")
        self.assert_rejected(text, "unknown-output-crs.yaml", [number], "EPSG:123456789")

    def test_non_numeric_limit(self):
        number = line_of(self.good, "max_width:")
        text = replace_line(self.good, number, "  max_width: rong")
        self.assert_rejected(text, "bad-number.yaml", [number], "rong")

    def test_data_set_without_crs(self):
        shapefile = os.path.join(self.dir, "khong_crs", "points.shp")
        os.makedirs(os.path.dirname(shapefile), exist_ok=True)
        driver = ogr.GetDriverByName("ESRI Shapefile")
        dataset = driver.CreateDataSource(shapefile)
        layer = dataset.CreateLayer("points", None, ogr.wkbPoint)   # no .prj written
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (587000 1104000)"))
        layer.CreateFeature(feature)
        feature = None
        dataset = None
        self.assertFalse(os.path.exists(shapefile[:-4] + ".prj"))

        layer_line = line_of(self.good, "- id: cantho_roads")
        source_line = line_of(self.good, "source:", start=layer_line)
        text = replace_line(self.good, source_line, f'    source: "{shapefile}"')
        text = replace_line(text, line_of(text, "encoding:", start=layer_line), "")
        self.assert_rejected(text, "no-crs.yaml", [source_line], shapefile)

    def test_yaml_syntax_error(self):
        number = line_of(self.good, "limits:")
        text = replace_line(self.good, number, "limits: [max_width: 5")
        path, result, output = self.check(text, "syntax.yaml")
        self.assertNotEqual(result.returncode, 0, output)
        self.assertIn(path + ":", output)

    def test_serve_rejects_bad_config(self):
        crs_line = line_of(self.good, "crs: \"EPSG:5899\"")
        text = replace_line(self.good, crs_line, '    crs: "EPSG:999999"')
        path = harness.write_config(text, "serve-bad.yaml")
        port = harness.free_port()
        try:
            result = harness.vnsdi("serve", "--config", path, "--listen", f"127.0.0.1:{port}",
                                   timeout=CHECK_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("vnsdi serve started on an invalid config")
        output = result.stdout + result.stderr
        self.assertGreater(result.returncode, 0, output)
        self.assertIn(f"{path}:{crs_line}", output)
        self.assertIn("EPSG:999999", output)
        self.assertIn("not started", output)
        with socket.socket() as sock:
            self.assertNotEqual(sock.connect_ex(("127.0.0.1", port)), 0, "port is listening")

    def test_serve_missing_config_not_started(self):
        path = os.path.join(self.dir, "absent.yaml")
        result = harness.vnsdi("serve", "--config", path, "--listen",
                               f"127.0.0.1:{harness.free_port()}", timeout=CHECK_TIMEOUT)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 1, output)
        self.assertIn(path, output)
        self.assertIn("not started", output)

    def test_no_command_says_missing(self):
        result = harness.vnsdi(timeout=CHECK_TIMEOUT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertTrue(result.stderr.startswith("vnsdi: missing command\n"), result.stderr)
        self.assertIn("WMS, WMTS, XYZ tiles, OGC API – Features and the", result.stderr)

    def test_serve_stops_on_sigint(self):
        port = harness.free_port()
        path = harness.write_config(harness.config_text(port, self.data_dir), "sigint.yaml")
        server = harness.Server(path, port, self.dir)
        server.start()
        server.process.send_signal(signal.SIGINT)
        try:
            status = server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            self.fail("vnsdi serve did not stop within 30 s of SIGINT")
        log = server.log()
        self.assertEqual(status, 0, log[-2000:])
        for marker in harness.SANITIZER_MARKERS:
            self.assertNotIn(marker, log)


if __name__ == "__main__":
    harness.main()
