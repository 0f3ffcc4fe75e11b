"""WMS 1.3.0 and 1.1.1 on real data: capabilities, axis order, VN-2000 placement.

Checked with GDAL's WMS driver (gdalinfo), OWSLib and decoded PNG pixels.
"""

import re
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import harness
import numpy
from osgeo import gdal, ogr, osr

gdal.UseExceptions()

# Around the Nam Duong ward parcels (lon 108.21333-108.21967, lat 16.05827-16.06267).
WARD_LON = (108.2128, 108.2202)
WARD_LAT = (16.0578, 16.0632)
# Open sea east of Da Nang: no feature of any test layer.
SEA_LON = (108.40, 108.45)
SEA_LAT = (16.20, 16.25)


def getmap_path(version, layers, crs, bbox, width, height, extra=None):
    """Return a /wms GetMap path; `bbox` is written in the order given."""
    params = {
        "SERVICE": "WMS",
        "VERSION": version,
        "REQUEST": "GetMap",
        "LAYERS": layers,
        "STYLES": "",
        ("CRS" if version == "1.3.0" else "SRS"): crs,
        "BBOX": ",".join(repr(float(v)) for v in bbox),
        "WIDTH": str(width),
        "HEIGHT": str(height),
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
    }
    params.update(extra or {})
    return "/wms?" + urllib.parse.urlencode(params)


def local_name(element):
    return element.tag.split("}")[-1]


def to_web_mercator():
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    mercator = osr.SpatialReference()
    mercator.ImportFromEPSG(3857)
    mercator.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(wgs84, mercator)


def colour_mask(image, rgb, tolerance=12):
    """Return the pixels of `image` that are opaque and close to colour `rgb`."""
    difference = numpy.abs(image[:, :, :3].astype(int) - numpy.array(rgb, dtype=int))
    return (difference.max(axis=2) <= tolerance) & (image[:, :, 3] >= 200)


def component_at(mask, row, col):
    """Return the 4-connected part of `mask` that contains pixel (row, col)."""
    region = numpy.zeros_like(mask)
    if not mask[row, col]:
        return region
    region[row, col] = True
    while True:
        grown = region.copy()
        grown[1:, :] |= region[:-1, :]
        grown[:-1, :] |= region[1:, :]
        grown[:, 1:] |= region[:, :-1]
        grown[:, :-1] |= region[:, 1:]
        grown &= mask
        if numpy.array_equal(grown, region):
            return region
        region = grown


def mask_shape(mask):
    """Return (centroid x, centroid y, min x, min y, max x, max y) of a mask, in pixels."""
    rows, cols = numpy.nonzero(mask)
    return (cols.mean(), rows.mean(), cols.min(), rows.min(), cols.max(), rows.max())


class WmsRealData(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()

    def capabilities(self, version, headers=None):
        path = f"/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}"
        response = self.srv.get(path, headers=headers)
        self.assertEqual(response.status, 200, response.describe())
        self.assertIn("xml", response.header("content-type", ""), response.describe(100))
        return response, ET.fromstring(response.body)

    def named_layers(self, root):
        """Return {name: layer element} of every layer with a Name."""
        layers = {}
        for element in root.iter():
            if local_name(element) != "Layer":
                continue
            for child in element:
                if local_name(child) == "Name":
                    layers[child.text] = element
        return layers

    def child_text(self, element, name):
        for child in element:
            if local_name(child) == name:
                return child.text
        return None

    def render(self, path):
        response = self.srv.get(path)
        return harness.decode_png(self, response)

    def test_capabilities_130_lists_layers(self):
        response, root = self.capabilities("1.3.0")
        self.assertEqual(root.get("version"), "1.3.0")
        layers = self.named_layers(root)
        for layer in harness.LAYERS:
            with self.subTest(layer=layer["id"]):
                self.assertIn(layer["id"], layers)
                element = layers[layer["id"]]
                self.assertEqual(self.child_text(element, "Title"), layer["title_vi"])
                boxes = [e for e in element.iter() if local_name(e) == "EX_GeographicBoundingBox"]
                self.assertTrue(boxes, "EX_GeographicBoundingBox")
                advertised = {e.get("CRS") for e in element.iter() if local_name(e) == "BoundingBox"}
                for crs in ("EPSG:4326", "EPSG:3857"):
                    self.assertIn(crs, advertised, "BoundingBox per advertised CRS")
        service = next(e for e in root if local_name(e) == "Service")
        self.assertEqual(self.child_text(service, "MaxWidth"), str(harness.MAX_WIDTH))
        self.assertEqual(self.child_text(service, "MaxHeight"), str(harness.MAX_HEIGHT))

    def test_capabilities_130_bbox_axis_order(self):
        _, root = self.capabilities("1.3.0")
        element = self.named_layers(root)["danang_wgs84"]
        boxes = {e.get("CRS"): e for e in element.iter() if local_name(e) == "BoundingBox"}
        box = boxes["EPSG:4326"]
        # EPSG:4326 is latitude first in WMS 1.3.0: minx is a latitude.
        self.assertAlmostEqual(float(box.get("minx")), 16.0583, delta=0.001)
        self.assertAlmostEqual(float(box.get("miny")), 108.2133, delta=0.001)
        if "CRS:84" in boxes:
            self.assertAlmostEqual(float(boxes["CRS:84"].get("minx")), 108.2133, delta=0.001)

    def test_capabilities_111_lists_layers(self):
        _, root = self.capabilities("1.1.1")
        self.assertEqual(root.get("version"), "1.1.1")
        layers = self.named_layers(root)
        for layer_id in harness.LAYER_IDS:
            self.assertIn(layer_id, layers)
            element = layers[layer_id]
            self.assertTrue([e for e in element.iter() if local_name(e) == "LatLonBoundingBox"],
                            f"{layer_id}: LatLonBoundingBox")

    def test_capabilities_vietnamese_bytes(self):
        for version in ("1.3.0", "1.1.1"):
            response, _ = self.capabilities(version)
            self.assertIn(harness.PHUONG.encode("utf-8"), response.body, version)
            self.assertIn(harness.NINH_KIEU.encode("utf-8"), response.body, version)

    def test_capabilities_english(self):
        response, root = self.capabilities("1.3.0", headers={"Accept-Language": "en"})
        layers = self.named_layers(root)
        for layer in harness.LAYERS:
            self.assertEqual(self.child_text(layers[layer["id"]], "Title"), layer["title_en"])

    def test_gdalinfo_lists_every_layer(self):
        url = f"WMS:{self.srv.base_url}/wms?SERVICE=WMS&REQUEST=GetCapabilities"
        result = harness.run(["gdalinfo", url], timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:] + result.stderr[-2000:])
        names = re.findall(r"SUBDATASET_\d+_NAME=(\S+)", result.stdout)
        listed = set()
        for name in names:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(name[len("WMS:"):]).query)
            for key, values in query.items():
                if key.upper() == "LAYERS":
                    listed.update(values)
        self.assertEqual(sorted(listed), sorted(harness.LAYER_IDS), result.stdout[-3000:])

    def test_axis_order_130_and_111_identical(self):
        width, height = 400, 300
        lonlat = (WARD_LON[0], WARD_LAT[0], WARD_LON[1], WARD_LAT[1])
        latlon = (WARD_LAT[0], WARD_LON[0], WARD_LAT[1], WARD_LON[1])
        layers = "danang_wgs84"
        new = self.render(getmap_path("1.3.0", layers, "EPSG:4326", latlon, width, height))
        old = self.render(getmap_path("1.1.1", layers, "EPSG:4326", lonlat, width, height))
        crs84 = self.render(getmap_path("1.3.0", layers, "CRS:84", lonlat, width, height))
        self.assertEqual(new.shape, (height, width, 4))
        painted = int((new[:, :, 3] > 0).sum())
        self.assertGreater(painted, width * height // 4, "parcels drawn in the 1.3.0 image")
        self.assertLess(painted, width * height, "some background left in the image")
        self.assertTrue(numpy.array_equal(new, old),
                        f"{int((new != old).any(axis=2).sum())} pixels differ between "
                        "1.3.0 EPSG:4326 (lat,lon) and 1.1.1 EPSG:4326 (lon,lat)")
        self.assertTrue(numpy.array_equal(new, crs84), "1.3.0 CRS:84 differs from EPSG:4326")

    def test_swapped_130_box_misses_the_data(self):
        # lon,lat order in 1.3.0 EPSG:4326 means latitude 108: nothing to draw.
        lonlat = (WARD_LON[0], WARD_LAT[0], WARD_LON[1], WARD_LAT[1])
        response = self.srv.get(getmap_path("1.3.0", "danang_wgs84", "EPSG:4326", lonlat, 64, 64))
        if response.status == 200:
            image = harness.decode_png(self, response)
            self.assertEqual(int((image[:, :, 3] > 0).sum()), 0, "swapped box drew parcels")
        else:
            harness.service_exception(self, response, "InvalidParameterValue")

    def test_getmap_every_output_crs(self):
        transform = {}
        for crs in ("EPSG:3857", "EPSG:5899", "EPSG:4756"):
            target = osr.SpatialReference()
            target.ImportFromEPSG(int(crs.split(":")[1]))
            target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            source = osr.SpatialReference()
            source.ImportFromEPSG(4326)
            source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            transform[crs] = osr.CoordinateTransformation(source, target)
        for crs, tr in transform.items():
            with self.subTest(crs=crs):
                x0, y0, _ = tr.TransformPoint(WARD_LON[0], WARD_LAT[0])
                x1, y1, _ = tr.TransformPoint(WARD_LON[1], WARD_LAT[1])
                box = (y0, x0, y1, x1) if crs == "EPSG:4756" else (x0, y0, x1, y1)
                image = self.render(getmap_path("1.3.0", "danang_wgs84,danang_vn2000", crs, box, 256, 256))
                painted = int((image[:, :, 3] > 0).sum())
                self.assertGreater(painted, 256 * 256 // 5, f"parcels drawn in {crs}")

    def test_bgcolor_and_transparent(self):
        box = (SEA_LON[0], SEA_LAT[0], SEA_LON[1], SEA_LAT[1])
        opaque = self.render(getmap_path("1.1.1", "danang_wgs84", "EPSG:4326", box, 32, 32,
                                         {"TRANSPARENT": "FALSE", "BGCOLOR": "0x00FF00"}))
        self.assertTrue((opaque[:, :, 3] == 255).all(), "opaque background")
        self.assertTrue((opaque[:, :, :3] == numpy.array([0, 255, 0])).all(), "BGCOLOR")
        clear = self.render(getmap_path("1.1.1", "danang_wgs84", "EPSG:4326", box, 32, 32))
        self.assertTrue((clear[:, :, 3] == 0).all(), "transparent background")

    def test_several_layers_in_order(self):
        box = (WARD_LON[0], WARD_LAT[0], WARD_LON[1], WARD_LAT[1])
        size = (128, 96)
        below = self.render(getmap_path("1.1.1", "danang_wgs84", "EPSG:4326", box, *size))
        both = self.render(getmap_path("1.1.1", "mekong_admin,danang_wgs84", "EPSG:4326", box, *size))
        # The parcels come last, so they cover the (unfilled) admin layer where
        # they are opaque: those pixels equal the parcels drawn alone.
        opaque = below[:, :, 3] == 255
        self.assertGreater(int(opaque.sum()), 1000)
        self.assertTrue(numpy.array_equal(both[opaque], below[opaque]),
                        "the last layer is not drawn on top")

    _candidates = None

    def parcel_candidates(self):
        """Return parcels whose land-use code differs from every neighbour, largest first."""
        if WmsRealData._candidates is None:
            WmsRealData._candidates = self.find_parcel_candidates()
        return WmsRealData._candidates

    def find_parcel_candidates(self):
        dataset = ogr.Open(harness.real_path(harness.DANANG_GEOJSON))
        layer = dataset.GetLayer(0)
        parcels = [(f.GetField("OBJECTID"), f.GetField("KyHieuMucDichSuDung"),
                    f.GetGeometryRef().Clone()) for f in layer]
        parcels.sort(key=lambda p: -p[2].GetArea())
        chosen = []
        for object_id, code, geometry in parcels[:60]:
            west, east, south, north = geometry.GetEnvelope()
            margin = max(east - west, north - south) * 0.6
            layer.SetSpatialFilterRect(west - margin, south - margin, east + margin, north + margin)
            neighbours = [f.GetField("KyHieuMucDichSuDung") for f in layer
                          if f.GetField("OBJECTID") != object_id]
            layer.SetSpatialFilter(None)
            if code not in neighbours:
                chosen.append((object_id, code, geometry))
        return chosen

    def parcel_pixels(self, image, box, width, height, geometry, transform):
        """Return the filled pixels of one parcel: the region of its fill colour
        around a point inside it, bounded by the outlines."""
        inside = geometry.PointOnSurface()
        px, py, _ = transform.TransformPoint(inside.GetX(), inside.GetY())
        col = int((px - box[0]) / (box[2] - box[0]) * width)
        row = int((box[3] - py) / (box[3] - box[1]) * height)
        colour = image[row, col]
        if colour[3] != 255:
            return None, (col, row)
        return component_at(colour_mask(image, colour[:3]), row, col), (col, row)

    def test_vn2000_and_wgs84_parcels_same_pixels(self):
        candidates = self.parcel_candidates()
        transform = to_web_mercator()
        compared = 0
        for object_id, code, geometry in candidates:
            if compared == 2:
                break
            west, east, south, north = geometry.GetEnvelope()
            x0, y0, _ = transform.TransformPoint(west, south)
            x1, y1, _ = transform.TransformPoint(east, north)
            margin = max(x1 - x0, y1 - y0) * 0.5
            box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
            width = 256
            height = int(round(width * (box[3] - box[1]) / (box[2] - box[0])))
            wgs84 = self.render(getmap_path("1.3.0", "danang_wgs84", "EPSG:3857", box, width, height))
            mask_a, pixel = self.parcel_pixels(wgs84, box, width, height, geometry, transform)
            self.assertIsNotNone(mask_a, f"parcel {object_id} not filled at pixel {pixel}")

            # Use only parcels drawn apart from their neighbours: the region
            # must not reach the image border (the box has a 50 % margin).
            shape_a = mask_shape(mask_a)
            if shape_a[2] == 0 or shape_a[3] == 0 or shape_a[4] == width - 1 or shape_a[5] == height - 1:
                continue
            compared += 1
            with self.subTest(parcel=object_id, code=code):
                vn2000 = self.render(getmap_path("1.3.0", "danang_vn2000", "EPSG:3857", box, width, height))
                mask_b, pixel = self.parcel_pixels(vn2000, box, width, height, geometry, transform)
                self.assertIsNotNone(mask_b, f"parcel {object_id} not filled at pixel {pixel} (VN-2000)")
                self.assertGreater(int(mask_a.sum()), 500, "parcel pixels in the WGS 84 image")
                self.assertGreater(int(mask_b.sum()), 500, "parcel pixels in the VN-2000 image")
                shape_b = mask_shape(mask_b)
                for name, a, b in zip(("centroid x", "centroid y", "min x", "min y", "max x", "max y"),
                                      shape_a, shape_b):
                    self.assertLessEqual(abs(a - b), 1.0,
                                         f"{name}: WGS 84 layer {a:.2f} px, VN-2000 layer {b:.2f} px")
        self.assertEqual(compared, 2, "parcels drawn apart from their neighbours")


    def test_parcel_placed_in_every_crs(self):
        # One parcel drawn apart from its neighbours, in each output CRS: the
        # centroid of its filled pixels must fall where the parcel's centroid,
        # projected by PROJ with the EPSG VN-2000 parameters, falls.
        object_id, code, geometry = self.parcel_candidates()[0]
        wgs84 = osr.SpatialReference()
        wgs84.ImportFromEPSG(4326)
        wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        cases = [("EPSG:3857", 3857, False), ("EPSG:4326", 4326, True), ("CRS:84", 4326, False),
                 ("EPSG:4756", 4756, True), ("EPSG:5899", 5899, False)]
        for crs, epsg, lat_first in cases:
            with self.subTest(crs=crs, parcel=object_id):
                target = osr.SpatialReference()
                target.ImportFromEPSG(epsg)
                target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
                projected = geometry.Clone()
                projected.AssignSpatialReference(wgs84)
                projected.TransformTo(target)
                west, east, south, north = projected.GetEnvelope()
                margin = max(east - west, north - south) * 0.5
                box = (west - margin, south - margin, east + margin, north + margin)
                size = 256
                request_box = (box[1], box[0], box[3], box[2]) if lat_first else box
                image = self.render(getmap_path("1.3.0", "danang_wgs84,danang_vn2000", crs,
                                                request_box, size, size))

                def to_pixel(x, y):
                    return ((x - box[0]) / (box[2] - box[0]) * size,
                            (box[3] - y) / (box[3] - box[1]) * size)

                inside = projected.PointOnSurface()
                col, row = to_pixel(inside.GetX(), inside.GetY())
                colour = image[int(row), int(col)]
                self.assertEqual(int(colour[3]), 255, f"parcel not filled at pixel {int(col)},{int(row)}")
                mask = component_at(colour_mask(image, colour[:3]), int(row), int(col))
                self.assertGreater(int(mask.sum()), 500, "parcel pixels")
                centre = projected.Centroid()
                expected = to_pixel(centre.GetX(), centre.GetY())
                obtained = mask_shape(mask)[:2]
                for name, e, o in zip(("x", "y"), expected, obtained):
                    self.assertLessEqual(abs(e - o), 1.0,
                                         f"centroid {name}: expected {e:.2f} px, drawn at {o:.2f} px")


class OwsLibClient(unittest.TestCase):
    """OWSLib's WMS 1.3.0 client against the server."""

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()

    def test_owslib_capabilities_and_getmap(self):
        from owslib.wms import WebMapService

        wms = WebMapService(self.srv.base_url + "/wms", version="1.3.0", timeout=60)
        self.assertEqual(sorted(wms.contents), sorted(harness.LAYER_IDS))
        self.assertEqual(wms["danang_wgs84"].title, harness.LAYERS[0]["title_vi"])
        self.assertIn("GetMap", [op.name for op in wms.operations])
        transform = to_web_mercator()
        x0, y0, _ = transform.TransformPoint(WARD_LON[0], WARD_LAT[0])
        x1, y1, _ = transform.TransformPoint(WARD_LON[1], WARD_LAT[1])
        image = wms.getmap(layers=["danang_wgs84"], styles=[""], srs="EPSG:3857",
                           bbox=(x0, y0, x1, y1), size=(256, 256),
                           format="image/png", transparent=True)
        data = image.read()
        self.assertTrue(data.startswith(b"\x89PNG\r\n\x1a\n"), data[:200])


if __name__ == "__main__":
    harness.main()
