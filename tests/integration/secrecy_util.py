"""Helpers of the secrecy tests: independent answers computed with OGR and
OSR from the source files, and the checks that a response leaks nothing."""

import hashlib
import math
import urllib.parse

import harness
from osgeo import ogr, osr

ogr.UseExceptions()
osr.UseExceptions()


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def users_yaml(users):
    """YAML lines of a users: section for [(name, role, token, rate_limit)]."""
    lines = ["users:"]
    for name, role, token, rate in users:
        lines += [f"  - name: {name}", f"    role: {role}",
                  f"    token_sha256: {sha256(token)}"]
        if rate:
            lines.append(f"    rate_limit: {rate}")
    return "\n".join(lines) + "\n"


def srs(code):
    """An OSR SpatialReference for "EPSG:n" or "CRS:84", x = longitude or easting."""
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(4326 if code == "CRS:84" else int(code.split(":")[1]))
    ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return ref


def transform_box(box, src, dst, steps=10):
    """Box of the densified outline of `box` from CRS `src` to `dst`."""
    tr = osr.CoordinateTransformation(srs(src), srs(dst))
    xs, ys = [], []
    for i in range(steps + 1):
        t = i / steps
        for x, y in ((box[0] + t * (box[2] - box[0]), box[1]),
                     (box[0] + t * (box[2] - box[0]), box[3]),
                     (box[0], box[1] + t * (box[3] - box[1])),
                     (box[2], box[1] + t * (box[3] - box[1]))):
            px, py, _ = tr.TransformPoint(x, y)
            xs.append(px)
            ys.append(py)
    return min(xs), min(ys), max(xs), max(ys)


def layer_features(path, layer_name=None, to_crs84=True):
    """Yield (feature dict, CRS84 geometry) of one layer of a data set."""
    ds = ogr.Open(path)
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    tr = None
    ref = layer.GetSpatialRef()
    if to_crs84 and ref is not None:
        ref = ref.Clone()
        ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        tr = osr.CoordinateTransformation(ref, srs("CRS:84"))
    for f in layer:
        g = f.GetGeometryRef()
        g = g.Clone() if g is not None else None
        if g is not None and tr is not None:
            g.Transform(tr)
        yield f.items(), g, f.GetFID()


def polygon_crs84(path, layer_name=None):
    """The union of a restricted-area layer's polygons in CRS84."""
    union = None
    for _, g, _ in layer_features(path, layer_name):
        union = g if union is None else union.Union(g)
    return union


def inner_box(polygon, shrink=0.3):
    """A lon/lat box inside `polygon` (its envelope shrunk until it fits)."""
    west, east, south, north = polygon.GetEnvelope()
    cx, cy = (west + east) / 2, (south + north) / 2
    for factor in (1 - shrink, 0.5, 0.3, 0.15, 0.08):
        hw, hh = (east - west) * factor / 2, (north - south) * factor / 2
        box = (cx - hw, cy - hh, cx + hw, cy + hh)
        if box_geometry(box).Within(polygon):
            return box
    raise AssertionError("no box inside the restricted polygon")


def box_geometry(box):
    west, south, east, north = box
    return ogr.CreateGeometryFromWkt(
        f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))")


def wms_bbox(box_crs84, crs):
    """WMS 1.3.0 BBOX text of a CRS84 box in `crs` (latitude first for 4326)."""
    b = transform_box(box_crs84, "CRS:84", crs)
    if crs == "EPSG:4326":
        b = (b[1], b[0], b[3], b[2])
    return ",".join(repr(v) for v in b)


def getmap_path(layers, box_crs84, crs, size=128, extra=""):
    query = {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap",
        "LAYERS": layers, "STYLES": "", "CRS": crs,
        "BBOX": wms_bbox(box_crs84, crs), "WIDTH": size, "HEIGHT": size,
        "FORMAT": "image/png", "TRANSPARENT": "TRUE",
    }
    return "/wms?" + urllib.parse.urlencode(query) + extra


def opaque_pixels(test, response):
    """Number of pixels with alpha > 0 in a PNG response."""
    pixels = harness.decode_png(test, response)
    return int((pixels[:, :, 3] > 0).sum())


def box_area_km2(box):
    """Area of a CRS84 box on the authalic sphere, km² (within ~0.5 %)."""
    radius = 6371007.2
    west, south, east, north = box
    return (radius ** 2 * math.radians(east - west)
            * (math.sin(math.radians(north)) - math.sin(math.radians(south)))) / 1e6


def box_around(lon, lat, km2):
    """A square CRS84 box of about `km2` centred on (lon, lat)."""
    side_km = math.sqrt(km2)
    dlat = side_km / 111.32 / 2
    dlon = side_km / (111.32 * math.cos(math.radians(lat))) / 2
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def all_item_ids(test, srv, collection, headers=None, extra=""):
    """Every feature id of a collection through paging, and numberMatched."""
    ids, offset = [], 0
    while True:
        path = f"/collections/{collection}/items?f=json&limit=1000&offset={offset}{extra}"
        response = srv.get(path, headers=headers)
        test.assertEqual(response.status, 200, response.describe())
        doc = response.json()
        page = [f["id"] for f in doc["features"]]
        ids += page
        offset += len(page)
        if not page or offset >= doc.get("numberMatched", 0):
            return ids, doc.get("numberMatched")


def secret_words(test_values, public_values):
    """The personal values that never occur inside a public value."""
    public = "\n".join(public_values)
    return sorted(v for v in set(test_values) if v and v not in public)


def leaked(body, words):
    """The first secret word found in a response body, or None."""
    text = body.decode("utf-8", errors="replace")
    for word in words:
        if word in text:
            return word
    return None
