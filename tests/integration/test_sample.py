"""The generated Can Tho sample served with samples/vnsdi.yaml.

The sample is generated into a temporary folder with vnsdi-samplegen, a copy
of samples/vnsdi.yaml is put beside it (its relative paths then point at the
new data), and the server is started on it. Checks: every layer id is
served, features touching the restricted area are absent, the imagery scene
over 200 km2 is reported dropped and never drawn, and the example requests of
README.md and README.vi.md return 200.
"""

import math
import os
import re
import shutil
import unittest
import urllib.parse

import harness
import numpy
from osgeo import gdal, ogr, osr

gdal.UseExceptions()

VECTOR_LAYERS = {
    # id: attribute used as featureId in samples/vnsdi.yaml
    "parcels": "MaThua",
    "land_use": "MaKhu",
    "land_prices": "MaDoan",
    "legal_documents": "MaVanBan",
    "land_statistics": "MaXa",
    "land_quality": "MaKhu",
    "inspections": "MaVuViec",
}
RASTER_LAYERS = ["imagery"]
PERSONAL_ATTRIBUTES = ["TenChu", "SoGiayTo"]
GPKG = "cantho_sample.gpkg"
SCENES = ["ninhkieu_ortho_a.tif", "ninhkieu_ortho_b.tif", "mekong_overview.tif"]
MAX_SCENE_KM2 = 200.0
MAX_SAMPLE_BYTES = 20 * 1024 * 1024
EARTH_RADIUS_M = 6371007.2  # authalic radius of WGS 84

README_PORT = "127.0.0.1:8080"


def footprint_lonlat(path):
    """Return the CRS84 box (west, south, east, north) of a raster's corners."""
    dataset = gdal.Open(path)
    gt = dataset.GetGeoTransform()
    source = osr.SpatialReference()
    source.ImportFromWkt(dataset.GetProjection())
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    target = osr.SpatialReference()
    target.ImportFromEPSG(4326)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(source, target)
    xs, ys = [], []
    for col, row in ((0, 0), (dataset.RasterXSize, 0), (0, dataset.RasterYSize),
                     (dataset.RasterXSize, dataset.RasterYSize)):
        x = gt[0] + col * gt[1] + row * gt[2]
        y = gt[3] + col * gt[4] + row * gt[5]
        lon, lat, _ = transform.TransformPoint(x, y)
        xs.append(lon)
        ys.append(lat)
    return min(xs), min(ys), max(xs), max(ys)


def box_area_km2(box):
    """Area of a lon/lat box on the authalic sphere, km2 (good to ~0.5 %)."""
    west, south, east, north = box
    area = (EARTH_RADIUS_M ** 2 * math.radians(east - west)
            * (math.sin(math.radians(north)) - math.sin(math.radians(south))))
    return area / 1e6


def readme_urls():
    """Return every http://127.0.0.1:8080 URL of README.md and README.vi.md."""
    urls = []
    for name in ("README.md", "README.vi.md"):
        path = os.path.join(harness.SOURCE, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for url in re.findall(r"http://127\.0\.0\.1:8080[^\s'\"`<>)]*", text):
            url = url.rstrip(".,;:")   # end of a sentence, not of the URL
            if url not in urls:
                urls.append(url)
    return urls


class Sample(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(harness.workdir(), "sample")
        cls.data = os.path.join(cls.root, "data")
        os.makedirs(cls.root)
        generator = os.path.join(harness.BUILD, "vnsdi-samplegen")
        result = harness.run([generator, cls.data], timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"vnsdi-samplegen failed ({result.returncode}):\n"
                               f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        cls.config = os.path.join(cls.root, "vnsdi.yaml")
        shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), cls.config)
        cls.srv = harness.start_server(cls.config, harness.free_port())

    def get_json(self, path):
        response = self.srv.get(path)
        self.assertEqual(response.status, 200, response.describe())
        return response.json()

    def test_sample_size(self):
        total = 0
        for folder, _, files in os.walk(self.data):
            if os.path.relpath(folder, self.data).startswith("var"):
                continue
            total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
        self.assertLess(total, MAX_SAMPLE_BYTES, f"sample is {total} bytes")

    def test_collections_list_vector_layers(self):
        document = self.get_json("/collections?f=json")
        ids = {c.get("id") for c in document.get("collections", [])}
        for layer_id in VECTOR_LAYERS:
            self.assertIn(layer_id, ids)

    def test_wms_capabilities_list_every_layer(self):
        for version in ("1.3.0", "1.1.1"):
            response = self.srv.get(f"/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}")
            self.assertEqual(response.status, 200, response.describe())
            names = set(re.findall(rb"<Name>([^<]*)</Name>", response.body))
            for layer_id in list(VECTOR_LAYERS) + RASTER_LAYERS:
                self.assertIn(layer_id.encode(), names, f"{version}: {layer_id}")

    def restricted_polygons(self):
        dataset = ogr.Open(os.path.join(self.data, GPKG))
        layer = dataset.GetLayerByName("restricted_areas")
        self.assertIsNotNone(layer, "restricted_areas layer in the sample")
        polygons = [f.GetGeometryRef().Clone() for f in layer]
        self.assertTrue(polygons, "the sample has a restricted area")
        return polygons

    def touching_ids(self, layer_id, id_attribute, polygons):
        """Return (all ids, ids touching a restricted area) of a sample layer."""
        dataset = ogr.Open(os.path.join(self.data, GPKG))
        layer = dataset.GetLayerByName(layer_id)
        self.assertIsNotNone(layer, f"layer {layer_id} in the sample")
        every, touching = set(), set()
        for feature in layer:
            value = feature.GetField(id_attribute)
            every.add(str(value))
            geometry = feature.GetGeometryRef()
            if geometry is not None and any(geometry.Intersects(p) for p in polygons):
                touching.add(str(value))
        return every, touching

    def served_values(self, layer_id, id_attribute):
        """Page through a collection; return (values of id_attribute, numberMatched)."""
        values = []
        offset = 0
        matched = None
        while True:
            document = self.get_json(f"/collections/{layer_id}/items?f=json&limit=1000&offset={offset}")
            matched = document.get("numberMatched")
            features = document.get("features", [])
            for feature in features:
                properties = feature.get("properties", {})
                values.append(str(properties.get(id_attribute, feature.get("id"))))
            offset += len(features)
            if not features or offset >= matched:
                return values, matched

    def linked_ids(self, layer_id, id_attribute, touching_parcels):
        """Ids of a layer that link by MaThua to a parcel touching a
        restricted area (samples/vnsdi.yaml links legal_documents and
        inspections to parcels); the server drops them too."""
        if layer_id not in ("legal_documents", "inspections"):
            return set()
        dataset = ogr.Open(os.path.join(self.data, GPKG))
        keys = {str(f.GetField("MaThua")) for f in dataset.GetLayerByName("parcels")
                if str(f.GetField("MaThua")) in touching_parcels}
        return {str(f.GetField(id_attribute)) for f in dataset.GetLayerByName(layer_id)
                if f.GetField("MaThua") is not None and str(f.GetField("MaThua")) in keys}

    def test_restricted_features_absent(self):
        polygons = self.restricted_polygons()
        parcels_touching = 0
        _, touching_parcels = self.touching_ids("parcels", "MaThua", polygons)
        for layer_id, id_attribute in VECTOR_LAYERS.items():
            with self.subTest(layer=layer_id):
                every, touching = self.touching_ids(layer_id, id_attribute, polygons)
                if layer_id == "parcels":
                    parcels_touching = len(touching)
                linked = self.linked_ids(layer_id, id_attribute, touching_parcels) - touching
                values, matched = self.served_values(layer_id, id_attribute)
                self.assertEqual(matched, len(every) - len(touching) - len(linked),
                                 f"{len(every)} features, {len(touching)} touch a restricted "
                                 f"area, {len(linked)} more link to a parcel that does")
                self.assertEqual(linked & set(values), set(),
                                 "records linked to a restricted parcel are served")
                leaked = touching & set(values)
                self.assertEqual(leaked, set(), "features touching a restricted area are served")
        self.assertGreater(parcels_touching, 0, "the sample puts parcels in the restricted area")

    def test_personal_attributes_hidden(self):
        # samples/vnsdi.yaml lets only planner, publisher and admin read the
        # owner's name and document number; demo-partner has the partner role.
        for headers in (None, {"Authorization": "Bearer demo-partner-token"}):
            with self.subTest(headers=headers):
                response = self.srv.get("/collections/parcels/items?f=json&limit=50", headers=headers)
                self.assertEqual(response.status, 200, response.describe())
                features = response.json()["features"]
                self.assertTrue(features)
                for feature in features:
                    for name in PERSONAL_ATTRIBUTES:
                        self.assertNotIn(name, feature["properties"])
                page = self.srv.get("/collections/parcels/items?f=html&limit=50", headers=headers)
                self.assertEqual(page.status, 200, page.describe())
                for name in PERSONAL_ATTRIBUTES:
                    self.assertNotIn(name.encode(), page.body)

        dataset = ogr.Open(os.path.join(self.data, GPKG))
        owners = [f.GetField("TenChu") for f in dataset.GetLayerByName("parcels")]
        owners = {o for o in owners if o}
        self.assertTrue(owners, "the sample has owner names")
        document = self.get_json("/collections/parcels/items?f=json&limit=1000")
        for feature in document["features"]:
            served = set(str(v) for v in feature["properties"].values())
            self.assertFalse(served & owners, f"owner name served in feature {feature['id']}")

    def scene_areas(self):
        areas = {}
        for name in SCENES:
            path = os.path.join(self.data, "imagery", name)
            self.assertTrue(os.path.exists(path), path)
            box = footprint_lonlat(path)
            areas[name] = (box, box_area_km2(box))
        return areas

    def test_check_reports_dropped_scene(self):
        areas = self.scene_areas()
        large = [name for name, (_, area) in areas.items() if area > MAX_SCENE_KM2]
        self.assertTrue(large, f"no sample scene over {MAX_SCENE_KM2} km2: {areas}")
        result = harness.vnsdi("check", "--config", self.config, timeout=180)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        for name in large:
            lines = [line for line in output.splitlines() if name in line]
            self.assertTrue(lines, f"{name} ({areas[name][1]:.0f} km2) not in the report:\n{output}")
            self.assertTrue(any("200" in line for line in lines),
                            f"the report does not say {name} is over 200 km2:\n{output}")

    def scene_touches_restricted(self, box):
        """Whether a CRS84 box touches a restricted area of the sample."""
        wgs84 = osr.SpatialReference()
        wgs84.ImportFromEPSG(4326)
        wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        west, south, east, north = box
        ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
        footprint = ogr.CreateGeometryFromWkt(f"POLYGON (({ring}))", wgs84)
        for polygon in self.restricted_polygons():
            polygon.TransformTo(wgs84)
            if footprint.Intersects(polygon):
                return True
        return False

    def imagery_getmap(self, box, size=64):
        path = ("/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=imagery&STYLES="
                "&SRS=EPSG:4326&BBOX=" + ",".join(f"{v:.6f}" for v in box)
                + f"&WIDTH={size}&HEIGHT={size}&FORMAT=image/png&TRANSPARENT=TRUE")
        return harness.decode_png(self, self.srv.get(path))

    def test_dropped_scene_never_drawn(self):
        areas = self.scene_areas()
        small = [box for box, area in areas.values() if area <= MAX_SCENE_KM2]
        for box, area in areas.values():
            if area <= MAX_SCENE_KM2:
                continue
            # A corner of the large scene away from every small scene.
            west, south, east, north = box
            corner = (west, south, west + (east - west) * 0.1, south + (north - south) * 0.1)
            overlaps = [s for s in small if s[0] < corner[2] and s[2] > corner[0]
                        and s[1] < corner[3] and s[3] > corner[1]]
            self.assertFalse(overlaps, "test box overlaps a small scene")
            image = self.imagery_getmap(corner)
            self.assertEqual(int((image[:, :, 3] > 0).sum()), 0, "pixels of the dropped scene drawn")

    def test_kept_scenes_drawn(self):
        areas = self.scene_areas()
        kept = {name: box for name, (box, area) in areas.items()
                if area <= MAX_SCENE_KM2 and not self.scene_touches_restricted(box)}
        self.assertTrue(kept, "every sample scene is over 200 km2 or touches the restricted "
                        f"area, so the imagery layer shows nothing: {areas}")
        for name, box in kept.items():
            with self.subTest(scene=name):
                image = self.imagery_getmap(box)
                self.assertGreater(int((image[:, :, 3] > 0).sum()), 64 * 64 // 2, "scene drawn")

    def test_readme_requests(self):
        urls = readme_urls()
        self.assertGreaterEqual(len(urls), 4, "example requests in the READMEs")
        kinds = set()
        for url in urls:
            with self.subTest(url=url):
                path = url[len("http://" + README_PORT):] or "/"
                response = self.srv.get(path)
                if response.status in (301, 302, 303, 307, 308):
                    # A browser follows the redirect, as from /viewer to /viewer/.
                    target = urllib.parse.urljoin(self.srv.base_url + path, response.header("location", ""))
                    self.assertTrue(target.startswith(self.srv.base_url + "/"), target)
                    response = self.srv.get(target[len(self.srv.base_url):])
                self.assertEqual(response.status, 200, response.describe())
                query = {k.upper(): v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query)}
                if query.get("REQUEST", "").lower() == "getmap":
                    kinds.add("GetMap")
                    image = harness.decode_png(self, response)
                    painted = int((image[:, :, 3] > 0).sum())
                    self.assertGreater(painted, image.shape[0] * image.shape[1] // 10,
                                       "the README GetMap draws the sample")
                elif query.get("REQUEST", "").lower() == "getcapabilities":
                    kinds.add("GetCapabilities")
                elif "/items" in path:
                    kinds.add("items")
                    document = response.json()
                    self.assertGreater(document.get("numberReturned", 0), 0, "the README query finds features")
                elif path.startswith("/collections"):
                    kinds.add("collections")
        self.assertEqual(kinds, {"GetMap", "GetCapabilities", "items", "collections"})


if __name__ == "__main__":
    harness.main()
