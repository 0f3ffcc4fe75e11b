"""Helpers of the publishing tests: configs, test files made with OGR from
the real Da Nang parcels, uploads, a bounded load generator.

The harness is reused as it is; this module only adds what publishing needs.
"""

import hashlib
import http.client
import json
import math
import os
import threading
import time

import harness
from osgeo import gdal, ogr

gdal.UseExceptions()

WARD_GPKG = harness.real_path(harness.DANANG_GPKG)
WARD_LAYER = "parcels_20248"
KEY = ("SoHieuToBanDo", "SoThuTuThua")

PUBLISHER_TOKEN = "token-of-the-publisher"
PLANNER_TOKEN = "token-of-a-planner"


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_text(port, data_dir, initial_source, retention=0):
    """A config with a `parcels` layer (repair policy), a `parcels_strict`
    layer (reject policy), both starting from `initial_source`, and users."""
    quote = harness.yaml_quote
    lines = [
        "server:",
        f"  listen: 127.0.0.1:{port}",
        "  threads: 4",
        f"  data_dir: {quote(data_dir)}",
        "limits:",
        "  max_upload_mb: 16",
        "  max_features: 500",
        "versions:",
        f"  retention: {retention}",
        "layers:",
    ]
    for layer_id, policy in (("parcels", "repair"), ("parcels_strict", "reject")):
        lines += [
            f"  - id: {layer_id}",
            "    title: {vi: \"Thửa đất\", en: \"Land parcels\"}",
            f"    source: {quote(initial_source)}",
            f"    source_layer: {WARD_LAYER}",
            "    id_attribute: OBJECTID",
            "    styles:",
            "      - name: default",
            "        fill_by: KyHieuMucDichSuDung",
            "        stroke: \"#333333\"",
            "    publish:",
            f"      policy: {policy}",
            "      sliver_area_m2: 0.5",
            "      area_tolerance_pct: 5",
            "      key: [SoHieuToBanDo, SoThuTuThua]",
            "      required: [SoHieuToBanDo, SoThuTuThua, DienTich, KyHieuMucDichSuDung]",
        ]
    lines += [
        "users:",
        "  - name: nguoi_xuat_ban",
        "    role: publisher",
        f"    token_sha256: {sha256_hex(PUBLISHER_TOKEN)}",
        "  - name: nguoi_quy_hoach",
        "    role: planner",
        f"    token_sha256: {sha256_hex(PLANNER_TOKEN)}",
    ]
    return "\n".join(lines) + "\n"


def make_empty(path):
    """An empty GeoPackage with the schema and CRS of the ward."""
    gdal.VectorTranslate(path, WARD_GPKG, format="GPKG", where="1=0",
                         layerName=WARD_LAYER)
    return path


def features_of(path, layer_name=None):
    """{OBJECTID: (key, centroid lon/lat-free native x, y)} of a data set."""
    ds = ogr.Open(path)
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    out = {}
    for f in layer:
        g = f.GetGeometryRef()
        c = g.Centroid() if g is not None else None
        out[f.GetField("OBJECTID")] = (
            (f.GetField(KEY[0]), f.GetField(KEY[1])),
            (c.GetX(), c.GetY()) if c is not None else None)
    return out


def make_version2(src, dst):
    """Copy the ward and change it on its western side: 10 parcels modified
    (5 in DienTich, 5 moved by 0.5 m), 5 removed, 3 added (copies of
    existing parcels with new keys, moved 1 m). Returns the expected change
    keys and the CRS84 box of the changed parcels."""
    gdal.VectorTranslate(dst, src, format="GPKG", layerName=WARD_LAYER)
    ds = ogr.Open(dst, update=1)
    layer = ds.GetLayerByName(WARD_LAYER)
    keys = {}
    for f in layer:
        k = (f.GetField(KEY[0]), f.GetField(KEY[1]))
        keys.setdefault(k, []).append(f.GetFID())
    # Parcels with a unique key, valid geometry, westmost first.
    candidates = []
    for f in layer:
        k = (f.GetField(KEY[0]), f.GetField(KEY[1]))
        g = f.GetGeometryRef()
        if len(keys[k]) == 1 and g.IsValid() and g.GetArea() > 5:
            candidates.append((g.Centroid().GetX(), f.GetFID(), k))
    candidates.sort()
    chosen = candidates[:15]
    modified = [c for c in chosen[:10]]
    removed = [c for c in chosen[10:15]]
    max_object_id = max(f.GetField("OBJECTID") for f in layer)
    max_number = max(f.GetField(KEY[1]) for f in layer)
    changed_fids = [c[1] for c in chosen]

    for i, (_, fid, _) in enumerate(modified):
        f = layer.GetFeature(fid)
        if i < 5:
            f.SetField("DienTich", f.GetField("DienTich") + 1.5)
        else:
            g = f.GetGeometryRef().Clone()
            move(g, 0.5, 0.0)
            f.SetGeometry(g)
        layer.SetFeature(f)
    added = []
    for i in range(3):
        f = layer.GetFeature(modified[i][1])
        new = ogr.Feature(layer.GetLayerDefn())
        new.SetFrom(f)
        new.SetField("OBJECTID", max_object_id + 1 + i)
        new.SetField(KEY[1], max_number + 1 + i)
        g = f.GetGeometryRef().Clone()
        move(g, -1.0, 0.0)
        new.SetGeometry(g)
        layer.CreateFeature(new)
        added.append((f.GetField(KEY[0]), max_number + 1 + i))
    boxes = [feature_box84(layer.GetFeature(fid)) for fid in changed_fids[:10]]
    for _, fid, _ in removed:
        boxes.append(feature_box84(layer.GetFeature(fid)))
        layer.DeleteFeature(fid)
    ds = None
    expected = {
        "modified": {f"{k[0]}/{k[1]}" for _, _, k in modified},
        "removed": {f"{k[0]}/{k[1]}" for _, _, k in removed},
        "added": {f"{k[0]}/{k[1]}" for k in added},
    }
    west = min(b[0] for b in boxes) - 2e-5
    south = min(b[1] for b in boxes) - 2e-5
    east = max(b[2] for b in boxes) + 2e-5
    north = max(b[3] for b in boxes) + 2e-5
    return expected, (west, south, east, north)


def move(geometry, dx, dy):
    """Shift every point of a polygon geometry in place."""
    for i in range(geometry.GetGeometryCount()):
        part = geometry.GetGeometryRef(i)
        if part.GetPointCount() == 0:
            move(part, dx, dy)
            continue
        for j in range(part.GetPointCount()):
            part.SetPoint_2D(j, part.GetX(j) + dx, part.GetY(j) + dy)


def feature_box84(feature):
    """CRS84 box of a feature of the VN-2000 GeoPackage (with margin)."""
    from osgeo import osr
    g = feature.GetGeometryRef().Clone()
    target = osr.SpatialReference()
    target.ImportFromEPSG(4326)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    g.TransformTo(target)
    minx, maxx, miny, maxy = g.GetEnvelope()
    return (minx, miny, maxx, maxy)


def upload(server, layer_id, path=None, body=None, token=PUBLISHER_TOKEN,
           name=None):
    """POST a file (or bytes) to the publish endpoint; returns a Response."""
    if body is None:
        with open(path, "rb") as f:
            body = f.read()
    headers = {"Content-Type": "application/octet-stream"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    target = f"/admin/layers/{layer_id}/versions"
    if name:
        target += "?filename=" + name
    return server.request("POST", target, headers=headers, body=body)


def admin_get(server, path, token=PUBLISHER_TOKEN):
    return server.request("GET", path, headers={"Authorization": "Bearer " + token})


def all_items(server, layer_id):
    """Every feature of a collection, page by page, without volatile members."""
    features = []
    offset = 0
    while True:
        r = server.get(f"/collections/{layer_id}/items?f=json&limit=500&offset={offset}")
        if r.status != 200:
            raise AssertionError(r.describe())
        doc = r.json()
        features.extend(doc["features"])
        if doc["numberReturned"] < 500:
            return features
        offset += 500


def tile_of(lon, lat, z):
    """XYZ tile (x, y) of a CRS84 point in WebMercatorQuad."""
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return x, y


def tile_box(x, y, z):
    """CRS84 box of an XYZ tile."""
    n = 2 ** z
    west = x / n * 360.0 - 180.0
    east = (x + 1) / n * 360.0 - 180.0
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return (west, south, east, north)


def boxes_meet(a, b):
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class LoadGenerator:
    """Threads that send GET requests to 127.0.0.1 until stopped, bounded
    in count and in time; every failure (status other than 200 or a
    connection error) is recorded."""

    def __init__(self, port, paths, threads=4, max_requests=20000,
                 max_seconds=120):
        self.port = port
        self.paths = paths
        self.threads = threads
        self.max_requests = max_requests
        self.deadline = time.monotonic() + max_seconds
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.failures = []
        self.workers = []

    def _run(self, index):
        i = index
        while not self.stop_event.is_set() and time.monotonic() < self.deadline:
            with self.lock:
                if self.sent >= self.max_requests:
                    return
                self.sent += 1
            path = self.paths[i % len(self.paths)]
            i += self.threads
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status != 200:
                    with self.lock:
                        self.failures.append((path, resp.status))
            except OSError as exc:
                with self.lock:
                    self.failures.append((path, repr(exc)))

    def start(self):
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.workers.append(t)

    def stop(self):
        self.stop_event.set()
        for t in self.workers:
            t.join(timeout=120)


def json_body(response):
    try:
        return json.loads(response.body.decode("utf-8"))
    except ValueError:
        return None
