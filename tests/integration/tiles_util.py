"""Helpers of test_tiles.py: the config it serves, tile arithmetic, WMTS
capabilities parsing and PNG decoding.

The config extends harness.config_text() so that one server covers every
tile case. It adds an imagery layer of two real scenes: a small aerial
scene, and a satellite scene of more than 200 km² that must never be
served. It also adds a `tiles` section, a publisher user and a publish
policy on the Da Nang parcels.
"""

import hashlib
import math
import os
import xml.etree.ElementTree as ET

import harness
import numpy
from osgeo import gdal

gdal.UseExceptions()

CACHE_CONTROL = "public, max-age=600"
PUBLISHER_TOKEN = "tiles-test-publisher-token"

AERIAL = "imagery/aerial_0p6m_cogeo.tif"       # 0.23 km², EPSG:3857
LANDSAT = "imagery/landsat7_bahamas_RGB.byte.tif"  # 51 064 km², dropped

# The Da Nang parcels, labelled as cadastral maps print them. PUBLISHED,
# the GeoPackage copy, is written last so that the publish policy below
# lands in its block. The test publishes an edited copy of the same
# GeoPackage to it, so only the edited parcels differ.
PARCELS = "danang_wgs84"
PUBLISHED = "danang_vn2000"

NS = {
    "wmts": "http://www.opengis.net/wmts/1.0",
    "ows": "http://www.opengis.net/ows/1.1",
}


def tile_layers():
    """Return the harness layers, parcels labelled and PUBLISHED last."""
    layers = []
    for layer in harness.LAYERS:
        layer = dict(layer)
        if layer["id"] in (PARCELS, PUBLISHED):
            style = dict(layer["style"])
            style["label"] = "SoThuTuThua"
            style["label_area"] = "DienTich"
            layer["style"] = style
        layers.append(layer)
    layers.sort(key=lambda layer: layer["id"] == PUBLISHED)
    return layers


def config_text(port, data_dir):
    """Return the YAML text of the tile test config."""
    text = harness.config_text(port, data_dir, layers=tile_layers())
    token_sha = hashlib.sha256(PUBLISHER_TOKEN.encode()).hexdigest()
    extra = [
        # Belongs to the last layer written by the harness: PUBLISHED.
        "    publish:",
        "      policy: repair",
        "",
        "  - id: imagery",
        "    kind: raster",
        "    title: {vi: \"Ảnh hàng không\", en: \"Aerial imagery\"}",
        "    abstract: {vi: \"Ảnh thật dùng cho kiểm thử.\", en: \"Real scenes for the tests.\"}",
        "    scenes:",
        "      - path: " + harness.yaml_quote(harness.real_path(AERIAL)),
        "      - path: " + harness.yaml_quote(harness.real_path(LANDSAT)),
        "",
        "tiles:",
        "  cache_control: " + harness.yaml_quote(CACHE_CONTROL),
        "",
        "users:",
        "  - name: tiles-publisher",
        "    role: publisher",
        "    token_sha256: " + token_sha,
        "",
    ]
    return text + "\n".join(extra) + "\n"


def xyz_of(lon, lat, z):
    """Return the (x, y) WebMercatorQuad tile holding a point (slippy-map formula)."""
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def lonlat_of(z, x, y):
    """Return the longitude, latitude of the top-left corner of an XYZ tile."""
    n = 2 ** z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def mercator_bounds(z, x, y):
    """Return (minx, miny, maxx, maxy) of an XYZ tile in EPSG:3857."""
    half = 20037508.342789244
    side = 2 * half / 2 ** z
    return (-half + x * side, half - (y + 1) * side, -half + (x + 1) * side, half - y * side)


def parse_limits(xml_bytes):
    """Return {layer: {set: {matrix: (min_row, max_row, min_col, max_col)}}}."""
    root = ET.fromstring(xml_bytes)
    out = {}
    for layer in root.iter("{%s}Layer" % NS["wmts"]):
        layer_id = layer.find("ows:Identifier", NS).text
        sets = out.setdefault(layer_id, {})
        for link in layer.findall("wmts:TileMatrixSetLink", NS):
            set_id = link.find("wmts:TileMatrixSet", NS).text
            matrices = sets.setdefault(set_id, {})
            for lim in link.iter("{%s}TileMatrixLimits" % NS["wmts"]):
                def number(name):
                    return int(lim.find("wmts:" + name, NS).text)
                matrices[lim.find("wmts:TileMatrix", NS).text] = (
                    number("MinTileRow"), number("MaxTileRow"),
                    number("MinTileCol"), number("MaxTileCol"))
    return out


def ows_exception(body):
    """Return (exceptionCode, locator) of an OWS ExceptionReport."""
    root = ET.fromstring(body)
    exc = root.find("ows:Exception", NS)
    if exc is None:
        return None, None
    return exc.get("exceptionCode"), exc.get("locator")


def decode_png(data):
    """Return an image as a (rows, cols, 4) RGBA uint8 array, read by GDAL.

    An opaque image may be encoded without alpha: it gets alpha 255."""
    path = "/vsimem/tiles_util_%d.png" % id(data)
    gdal.FileFromMemBuffer(path, data)
    try:
        dataset = gdal.Open(path)
        bands = [dataset.GetRasterBand(i + 1).ReadAsArray() for i in range(dataset.RasterCount)]
    finally:
        gdal.Unlink(path)
    if len(bands) == 3:
        bands.append(numpy.full(bands[0].shape, 255))
    return numpy.dstack(bands).astype(numpy.uint8)


def kvp_gettile(layer, tms, matrix, row, col, style="default", fmt="image/png"):
    """Return the KVP GetTile path of one tile."""
    return ("/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            f"&LAYER={layer}&STYLE={style}&FORMAT={fmt.replace(' ', '%20').replace(';', '%3B')}"
            f"&TILEMATRIXSET={tms}&TILEMATRIX={matrix}&TILEROW={row}&TILECOL={col}")


def rest_gettile(layer, tms, matrix, row, col, style="default", ext="png"):
    """Return the RESTful GetTile path of one tile."""
    return f"/wmts/1.0.0/{layer}/{style}/{tms}/{matrix}/{row}/{col}.{ext}"


def access_log_statuses(log_text, prefix):
    """Return (path, status) of access-log lines whose path starts with `prefix`."""
    out = []
    for line in log_text.splitlines():
        parts = line.split(" ")
        if len(parts) >= 5 and parts[2] in ("GET", "HEAD") and parts[3].startswith(prefix):
            out.append((parts[3], int(parts[4])))
    return out


def gdalwarp_tile(source, z, x, y):
    """Warp `source` onto an XYZ tile's 256 × 256 grid with gdalwarp (bilinear)."""
    minx, miny, maxx, maxy = mercator_bounds(z, x, y)
    out = os.path.join(harness.workdir(), f"warp_{z}_{x}_{y}.tif")
    result = harness.run(["gdalwarp", "-q", "-overwrite", "-t_srs", "EPSG:3857",
                          "-te", repr(minx), repr(miny), repr(maxx), repr(maxy),
                          "-ts", "256", "256", "-r", "bilinear", "-dstalpha",
                          source, out])
    if result.returncode != 0:
        raise RuntimeError("gdalwarp failed: " + result.stderr)
    dataset = gdal.Open(out)
    bands = [dataset.GetRasterBand(i + 1).ReadAsArray() for i in range(dataset.RasterCount)]
    return numpy.dstack(bands).astype(numpy.uint8)
