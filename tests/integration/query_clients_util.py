"""Helpers of test_query_clients.py: the generated Can Tho sample, reading it
back with OGR, and walking OGC API - Features pages.

The sample is made by vnsdi-samplegen in the script's temporary folder and
served with a copy of samples/vnsdi.yaml, whose relative paths then point at
the new data (the same set-up as test_sample.py).
"""

import os
import re
import shutil
import unicodedata
import urllib.parse

import harness
from osgeo import ogr

ogr.UseExceptions()

GPKG = "cantho_sample.gpkg"
PARCELS = "parcels"
ID_ATTRIBUTE = "MaThua"
STORAGE_EPSG = 5897
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_FEATURES = 1000  # limits.max_features of samples/vnsdi.yaml


def epsg_uri(code):
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


def query(params):
    """Percent-encode parameters as UTF-8, spaces as %20."""
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def make_sample():
    """Generate the sample, copy the config beside it; return (config, gpkg)."""
    root = os.path.join(harness.workdir(), "sample")
    data = os.path.join(root, "data")
    os.makedirs(root)
    generator = os.path.join(harness.BUILD, "vnsdi-samplegen")
    result = harness.run([generator, data], timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"vnsdi-samplegen failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    config = os.path.join(root, "vnsdi.yaml")
    shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), config)
    return config, os.path.join(data, GPKG)


def read_parcels(gpkg):
    """Return {MaThua: (DiaChi, OGR geometry in EPSG:5897)} of the GeoPackage."""
    dataset = ogr.Open(gpkg)
    layer = dataset.GetLayerByName(PARCELS)
    parcels = {}
    for feature in layer:
        geometry = feature.GetGeometryRef()
        parcels[feature.GetField(ID_ATTRIBUTE)] = (feature.GetField("DiaChi"),
                                                   geometry.Clone())
    return parcels


def box_polygon(minx, miny, maxx, maxy):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy), (minx, miny)):
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    return polygon


def ids_meeting(parcels, geometry, served):
    """Ids of the parcels whose geometry intersects `geometry`, among `served`."""
    return {i for i, (_, g) in parcels.items() if i in served and g.Intersects(geometry)}


def like_regex(pattern):
    """Compile a CQL2 LIKE pattern: % any run, _ one character, \\ escapes."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def like_ids(parcels, pattern, served):
    """Ids among `served` whose DiaChi matches `pattern` as a whole string."""
    regex = like_regex(pattern)
    return {i for i, (text, _) in parcels.items()
            if i in served and text is not None and regex.fullmatch(text)}


def nfd(text):
    return unicodedata.normalize("NFD", text)


def walk_items(test, srv, collection, params):
    """Follow `next` links from the first page; return (numberMatched, features)."""
    params = dict(params)
    params.setdefault("f", "json")
    params.setdefault("limit", MAX_FEATURES)
    path = f"/collections/{collection}/items?{query(params)}"
    features, matched, pages = [], None, 0
    while path:
        response = srv.get(path)
        test.assertEqual(response.status, 200, response.describe())
        document = response.json()
        matched = document["numberMatched"]
        features += document["features"]
        pages += 1
        test.assertLess(pages, 1000, "more than 1000 pages: " + path)
        path = None
        for link in document["links"]:
            if link["rel"] == "next":
                path = link["href"].replace(srv.base_url, "")
    return matched, features


def ogrinfo_features(stdout):
    """Parse `ogrinfo -al` text: a list of {attribute: text, "WKT": text}."""
    features, current = [], None
    for line in stdout.splitlines():
        if line.startswith("OGRFeature("):
            current = {}
            features.append(current)
            continue
        if current is None:
            continue
        match = re.match(r"\s+(\w+) \(\w+\) = (.*)$", line)
        if match:
            current[match.group(1)] = match.group(2)
        elif re.match(r"\s+(MULTI)?POLYGON", line):
            current["WKT"] = line.strip()
    return features
