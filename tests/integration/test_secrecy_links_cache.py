"""Cached tiles of a linked layer after a publish drops a linked record.

On the Can Tho sample, inspections link to parcels by MaThua. A tile of
the inspections layer is cached while an inspection's parcel is served.
A new parcels version then moves that parcel into the restricted area, so
the parcel is dropped and the inspection with it, though the inspections
layer itself was not published. The cached tile must not show the
inspection any more, and a request with its old ETag must not get 304.
"""

import math
import os
import shutil
import unittest

from osgeo import gdal, ogr

import harness
import publish_util as pu
import secrecy_util as su

GPKG = "cantho_sample.gpkg"
ZOOM = 19
# Half the side, in pixels, of the square checked around a point.
WINDOW = 8


def tile_pixel(lon, lat, z):
    """Tile column, row and the pixel inside the tile of a CRS84 point."""
    n = 2 ** z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    x, y = int(fx), int(fy)
    return x, y, int((fx - x) * 256), int((fy - y) * 256)


class LinkedTileCache(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        root = os.path.join(harness.workdir(), "sample")
        cls.data = os.path.join(root, "data")
        os.makedirs(root)
        result = harness.run([os.path.join(harness.BUILD, "vnsdi-samplegen"), cls.data],
                             timeout=300)
        if result.returncode != 0:
            raise RuntimeError("vnsdi-samplegen failed: " + result.stderr[-2000:])
        config = os.path.join(root, "vnsdi.yaml")
        shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), config)
        cls.gpkg = os.path.join(cls.data, GPKG)
        cls.srv = harness.start_server(config, harness.free_port())

    def served_ids(self, collection):
        ids, _ = su.all_item_ids(self, self.srv, collection)
        return {str(i) for i in ids}

    def pick_inspection(self, area):
        """An inspection point outside the area, alone in its tile window,
        whose parcel is served: (inspection, parcel MaThua, tile pixel)."""
        served = self.served_ids("inspections")
        parcels = self.served_ids("parcels")
        points = [(items, g) for items, g, _ in su.layer_features(self.gpkg, "inspections")
                  if g is not None and g.GetGeometryType() == ogr.wkbPoint]
        pixels = [tile_pixel(g.GetX(), g.GetY(), ZOOM) for _, g in points]
        for (items, point), where in zip(points, pixels):
            key = str(items["MaThua"])
            if (str(items["MaVuViec"]) not in served or key not in parcels
                    or point.Intersects(area)):
                continue
            if not all(WINDOW <= v < 256 - WINDOW for v in where[2:]):
                continue
            # No other inspection point may fall in the checked window.
            near = [p for p in pixels if p[:2] == where[:2]
                    and abs(p[2] - where[2]) <= 2 * WINDOW and abs(p[3] - where[3]) <= 2 * WINDOW]
            if len(near) == 1:
                return items, key, where
        self.fail("no served inspection point of a served parcel in the sample")

    def window_opaque(self, response, where):
        pixels = harness.decode_png(self, response)
        _, _, px, py = where
        return int((pixels[py - WINDOW:py + WINDOW, px - WINDOW:px + WINDOW, 3] > 0).sum())

    def parcels_with_moved(self, key, target, path):
        """Write the sample's parcels with parcel `key` moved onto `target`
        (a point in the storage CRS) to a new GeoPackage."""
        gdal.VectorTranslate(path, self.gpkg, format="GPKG", layers=["parcels"])
        ds = ogr.Open(path, update=1)
        layer = ds.GetLayerByName("parcels")
        layer.SetAttributeFilter(f"MaThua = '{key}'")
        feature = layer.GetNextFeature()
        self.assertIsNotNone(feature, f"parcel {key} in the copy")
        geometry = feature.GetGeometryRef().Clone()
        centre = geometry.Centroid()
        pu.move(geometry, target.GetX() - centre.GetX(), target.GetY() - centre.GetY())
        feature.SetGeometry(geometry)
        layer.SetFeature(feature)
        ds = None

    def test_publish_drops_linked_point_from_cached_tile(self):
        area84 = su.polygon_crs84(self.gpkg, "restricted_areas")
        inspection, key, where = self.pick_inspection(area84)
        x, y = where[0], where[1]
        paths = [f"/tiles/inspections/{ZOOM}/{x}/{y}.png",
                 f"/wmts/1.0.0/inspections/default/WebMercatorQuad/{ZOOM}/{y}/{x}.png"]
        before = {}
        for path in paths:
            first = self.srv.get(path)
            self.assertEqual(first.status, 200, first.describe())
            self.assertGreater(self.window_opaque(first, where), 0, f"inspection drawn in {path}")
            again = self.srv.get(path)
            self.assertEqual(again.header("x-tile-cache"), "hit", path)
            before[path] = again.header("etag")

        # A new parcels version with the inspection's parcel inside the area.
        area = next(g for _, g, _ in su.layer_features(self.gpkg, "restricted_areas",
                                                       to_crs84=False))
        version = os.path.join(harness.workdir(), "parcels_moved.gpkg")
        self.parcels_with_moved(key, area.PointOnSurface(), version)
        published = pu.upload(self.srv, "parcels", version, token="demo-publisher-token")
        self.assertIn(published.status, (200, 201), published.describe())
        self.assertNotIn(key, self.served_ids("parcels"))
        self.assertNotIn(str(inspection["MaVuViec"]), self.served_ids("inspections"))

        for path, etag in before.items():
            with self.subTest(path=path):
                response = self.srv.get(path, headers={"If-None-Match": etag})
                self.assertEqual(response.status, 200, response.describe())
                self.assertNotEqual(response.header("etag"), etag)
                self.assertEqual(self.window_opaque(response, where), 0, path)


if __name__ == "__main__":
    harness.main()
