"""Tiles cached before a restricted area was configured are never served.

A first server fills the tile cache with XYZ and WMTS tiles of the Da Nang
parcels. A second server, on the same data folder and so the same cache,
then gets a restricted polygon over the west edge of the parcels. Every tile
that lies inside the polygon must come back without a single parcel pixel,
or as outside the layer's shrunken tile limits, through XYZ and WMTS alike,
and no cached tile with the old ETag may be answered with 304.
"""

import math
import os
import unittest

import harness
import test_secrecy_real as real

ZOOM = 19


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_box(x, y, z):
    """CRS84 box (west, south, east, north) of an XYZ tile."""
    n = 2 ** z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def inside_area(box):
    west, south, east, north = real.AREA
    return west < box[0] and box[2] < east and south < box[1] and box[3] < north


def tiles_inside_area():
    """Tiles at ZOOM whose whole box lies inside the restricted polygon."""
    west, south, east, north = real.AREA
    x0, y0 = tile_of(west, north, ZOOM)
    x1, y1 = tile_of(east, south, ZOOM)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
            if inside_area(tile_box(x, y, ZOOM))]


def config_text(port, data_dir, area_path=None):
    layers = [l for l in harness.LAYERS if l["id"] == "danang_wgs84"]
    text = harness.config_text(port, data_dir, layers=layers)
    if area_path is not None:
        text += "\n".join([
            "secrecy:",
            "  restricted_areas:",
            f"    - source: {harness.yaml_quote(area_path)}",
            "      name_attribute: Ten",
            "      reason_attribute: MaLyDo",
            "",
        ])
    return text


def opaque(test, response):
    return int((harness.decode_png(test, response)[:, :, 3] > 0).sum())


class TileCacheBeforeRestriction(unittest.TestCase):

    def run_server(self, config_name, text_of_port):
        port = harness.free_port()
        path = harness.write_config(text_of_port(port), name=config_name)
        server = harness.Server(path, port, harness.workdir())
        server.start()
        self.addCleanup(self.stop, server)
        return server

    def stop(self, server):
        if server.process is None:
            return
        problems = server.stop()
        if problems:
            print(server.log()[-4000:])
        server.process = None
        self.assertEqual(problems, [])

    def wmts_path(self, x, y):
        return (f"/wmts/1.0.0/danang_wgs84/default/WebMercatorQuad/{ZOOM}/"
                f"{y}/{x}.png")

    def test_cached_tiles_follow_new_area(self):
        work = harness.workdir()
        data_dir = os.path.join(work, "var-cache")
        area = os.path.join(work, "restricted_cache_5899.geojson")
        real.write_area(area)
        tiles = tiles_inside_area()
        self.assertGreaterEqual(len(tiles), 4)

        # Fill the cache with no restricted area configured.
        first = self.run_server("before.yaml",
                                lambda port: config_text(port, data_dir))
        before = {}
        for x, y in tiles:
            for path in (f"/tiles/danang_wgs84/{ZOOM}/{x}/{y}.png",
                         self.wmts_path(x, y)):
                r = first.get(path)
                self.assertEqual(r.status, 200, r.describe())
                self.assertGreater(opaque(self, r), 0, path)
                again = first.get(path)
                self.assertEqual(again.header("x-tile-cache"), "hit", path)
                before[path] = again.header("etag")
        self.stop(first)

        # Same cache, now with the restricted polygon over those tiles.
        second = self.run_server("after.yaml",
                                 lambda port: config_text(port, data_dir, area))
        served = 0
        for path, etag in before.items():
            with self.subTest(path=path):
                r = second.get(path, headers={"If-None-Match": etag})
                if r.status == 200:
                    served += 1
                    self.assertNotEqual(r.header("etag"), etag)
                    self.assertEqual(opaque(self, r), 0, path)
                else:
                    # The layer's extent shrank with the dropped parcels,
                    # so a tile may now lie outside its tile limits.
                    expected = 404 if path.startswith("/tiles/") else 400
                    self.assertEqual(r.status, expected, r.describe())
                    self.assertFalse(r.body.startswith(b"\x89PNG"), path)
        # XYZ serves empty tiles inside the world, so some tiles are drawn.
        self.assertGreater(served, 0)


if __name__ == "__main__":
    harness.main()
