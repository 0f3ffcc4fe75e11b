"""The tile cache's size limit on a real server.

With tiles.cache_max_mb: 1, XYZ tiles of the Da Nang parcels are requested
until more than 1.5 MiB of tiles were drawn. The cache's thread must bring
the tile files on disk back under 1 MiB, log what it deleted, and a deleted
tile must be drawn again, identical, on its next request.
"""

import math
import os
import sys
import time
import unittest

import harness

LAYER = "danang_wgs84"
ZOOMS = (19, 20, 21)
LIMIT = 1 << 20


def tile_range(bbox, z):
    """XYZ columns and rows of the tiles over a CRS84 box."""
    n = 2 ** z

    def column(lon):
        return int((lon + 180) / 360 * n)

    def row(lat):
        return int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    return range(column(bbox[0]), column(bbox[2]) + 1), range(row(bbox[3]), row(bbox[1]) + 1)


def tile_bytes(root):
    """Bytes of the tile files (.png, .jpg) under `root`."""
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith((".png", ".jpg")):
                total += os.path.getsize(os.path.join(folder, name))
    return total


class TileCacheLimit(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        port = harness.free_port()
        cls.data_dir = os.path.join(harness.workdir(), "var-limit")
        os.makedirs(cls.data_dir)
        layers = [l for l in harness.LAYERS if l["id"] == LAYER]
        text = harness.config_text(port, cls.data_dir, layers=layers)
        text += "tiles:\n  cache_max_mb: 1\n"
        cls.srv = harness.start_server(harness.write_config(text, name="limit.yaml"), port)

    @staticmethod
    def tiles(bbox):
        """Every tile over the box at zooms 19 to 21, coarsest first."""
        for z in ZOOMS:
            columns, rows = tile_range(bbox, z)
            for x in columns:
                for y in rows:
                    yield x, y, z

    def test_cache_stays_under_limit(self):
        bbox = self.srv.get(f"/collections/{LAYER}?f=json").json()["extent"]["spatial"]["bbox"][0]
        drawn, first = 0, None
        for x, y, z in self.tiles(bbox):
            response = self.srv.get(f"/tiles/{LAYER}/{z}/{x}/{y}.png")
            self.assertEqual(response.status, 200, response.describe())
            if first is None and len(response.body) > 2000:
                first = (x, y, z, response.body)
            drawn += len(response.body)
            if drawn > LIMIT * 3 // 2:
                break
        self.assertGreater(drawn, LIMIT * 3 // 2, "not enough tiles over the layer")

        root = os.path.join(self.data_dir, "tilecache")
        deadline = time.monotonic() + 30
        while tile_bytes(root) > LIMIT and time.monotonic() < deadline:
            time.sleep(0.2)
        kept_bytes = tile_bytes(root)
        print(f"\ntiles: {drawn / 2**20:.2f} MiB drawn, {kept_bytes / 2**20:.2f} MiB kept "
              f"under a 1 MiB limit", file=sys.stderr)
        self.assertLessEqual(kept_bytes, LIMIT)
        self.assertGreater(kept_bytes, 0)
        self.assertIn("tilecache: deleted", self.srv.log())

        # The first tile was the least recently used: it is drawn again.
        x, y, z, body = first
        again = self.srv.get(f"/tiles/{LAYER}/{z}/{x}/{y}.png")
        self.assertEqual(again.status, 200, again.describe())
        self.assertEqual(again.header("x-tile-cache"), "miss")
        self.assertEqual(again.body, body)


if __name__ == "__main__":
    harness.main()
