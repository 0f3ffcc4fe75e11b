#!/usr/bin/python3
"""Write N generated cadastral parcels to a GeoPackage, for the query benchmark.

The parcels tile a jittered lattice in VN-2000 / TM-3 105-00 (EPSG:5897)
around Ninh Kieu, Can Tho: blocks of 20 lots in a row and 2 rows back to
back, 10 m streets between blocks, lots 6-12 m wide and 18-30 m deep. Lattice
vertices move by up to 1.2 m, and neighbours share them, so parcels are
irregular quadrilaterals that touch without overlapping. Attributes follow
the sample's parcels layer (MaThua, MaXa, SoHieuToBanDo, SoThuTuThua,
DienTich, KyHieuMucDichSuDung, DiaChi). DiaChi is Vietnamese NFC text, and
its district varies, so a LIKE on it selects a part of the layer.

The output depends only on N and --seed: two runs write the same features.

Usage: bench/gen_parcels.py OUT.gpkg [--count 200000] [--seed 20261204]
"""

import argparse
import os
import random
import sys

from osgeo import ogr, osr

ogr.UseExceptions()
osr.UseExceptions()

LAYER = "parcels"
ORIGIN = (582000.0, 1104000.0)   # south-west corner, EPSG:5897 metres
LOTS_PER_BLOCK = 20
COLUMNS = 500                    # lots per lattice row
STREET_M = 10.0
JITTER_M = 1.2

# Wards of the generated area: (MaXa, ward, district), one per band of rows.
WARDS = [
    ("31117", "Phường Cái Khế", "Quận Ninh Kiều"),
    ("31120", "Phường An Hòa", "Quận Ninh Kiều"),
    ("31123", "Phường Thới Bình", "Quận Ninh Kiều"),
    ("31135", "Phường An Cư", "Quận Ninh Kiều"),
    ("31144", "Phường Xuân Khánh", "Quận Ninh Kiều"),
    ("31147", "Phường Hưng Lợi", "Quận Ninh Kiều"),
    ("31153", "Phường Bùi Hữu Nghĩa", "Quận Bình Thủy"),
    ("31157", "Phường An Thới", "Quận Bình Thủy"),
    ("31186", "Phường Lê Bình", "Quận Cái Răng"),
    ("31201", "Phường Hưng Phú", "Quận Cái Răng"),
]
STREETS = ["Nguyễn Văn Cừ", "Trần Hưng Đạo", "Mậu Thân", "Ba Tháng Hai",
           "Hòa Bình", "Nguyễn Trãi", "Lý Tự Trọng", "Xô Viết Nghệ Tĩnh",
           "Huỳnh Thúc Kháng", "Đề Thám", "Trần Văn Hoài", "Võ Văn Kiệt"]
# Land-use codes with their weights (urban residential dominates).
LAND_USE = [("ODT", 62), ("CLN", 10), ("TMD", 8), ("DGD", 4), ("SKC", 4),
            ("LUC", 6), ("DYT", 2), ("TON", 1), ("NTS", 3)]


def lattice(count, rng):
    """Column x and row y positions, with streets, for `count` lots."""
    rows = -(-count // COLUMNS)
    xs, x = [], ORIGIN[0]
    for i in range(COLUMNS + 1):
        xs.append(x)
        if i < COLUMNS:
            x += rng.uniform(6.0, 12.0)
            if (i + 1) % LOTS_PER_BLOCK == 0:
                x += STREET_M
    ys, y = [], ORIGIN[1]
    for j in range(rows + 1):
        ys.append(y)
        if j < rows:
            y += rng.uniform(18.0, 30.0)
            if (j + 1) % 2 == 0:
                y += STREET_M
    return xs, ys


def vertex(xs, ys, jitter, i, j, side_x, side_y):
    """Corner of a lot: a lattice vertex moved by its jitter, unless the
    vertex lies on a street edge (then it keeps the block's straight side)."""
    dx, dy = jitter[(i, j)]
    if i % LOTS_PER_BLOCK == 0:
        dx = 0.0
    if j % 2 == 0:
        dy = 0.0
    return xs[i] + dx - side_x, ys[j] + dy - side_y


def street_offsets(i, j):
    """Street width to leave out on the east and north of lot (i, j)."""
    east = STREET_M if (i + 1) % LOTS_PER_BLOCK == 0 else 0.0
    north = STREET_M if (j + 1) % 2 == 0 else 0.0
    return east, north


def write(path, count, seed):
    rng = random.Random(seed)
    xs, ys = lattice(count, rng)
    rows = len(ys) - 1
    jitter = {(i, j): (rng.uniform(-JITTER_M, JITTER_M), rng.uniform(-JITTER_M, JITTER_M))
              for i in range(COLUMNS + 1) for j in range(rows + 1)}
    codes = [c for c, w in LAND_USE for _ in range(w)]

    if os.path.exists(path):
        os.remove(path)
    driver = ogr.GetDriverByName("GPKG")
    dataset = driver.CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(5897)
    layer = dataset.CreateLayer(LAYER, srs, ogr.wkbPolygon, ["FID=fid", "GEOMETRY_NAME=geom"])
    for name, kind in (("MaThua", ogr.OFTInteger), ("MaXa", ogr.OFTString),
                       ("SoHieuToBanDo", ogr.OFTInteger), ("SoThuTuThua", ogr.OFTInteger),
                       ("DienTich", ogr.OFTReal), ("KyHieuMucDichSuDung", ogr.OFTString),
                       ("DiaChi", ogr.OFTString)):
        layer.CreateField(ogr.FieldDefn(name, kind))
    definition = layer.GetLayerDefn()

    layer.StartTransaction()
    for n in range(count):
        i, j = n % COLUMNS, n // COLUMNS
        east, north = street_offsets(i, j)
        # Corners: south-west, south-east, north-east, north-west. A street
        # east or north of the lot is left out of the lot, not of its
        # neighbour, so lots stay inside their block.
        corners = [vertex(xs, ys, jitter, i, j, 0, 0),
                   vertex(xs, ys, jitter, i + 1, j, east, 0),
                   vertex(xs, ys, jitter, i + 1, j + 1, east, north),
                   vertex(xs, ys, jitter, i, j + 1, 0, north)]
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in corners + corners[:1]:
            ring.AddPoint_2D(round(x, 3), round(y, 3))
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)

        ward = WARDS[min(len(WARDS) - 1, j * len(WARDS) // rows)]
        sheet = 1 + (j // 2) * (COLUMNS // LOTS_PER_BLOCK) + i // LOTS_PER_BLOCK
        street = STREETS[(i // LOTS_PER_BLOCK + j // 2) % len(STREETS)]
        feature = ogr.Feature(definition)
        feature.SetField("MaThua", n + 1)
        feature.SetField("MaXa", ward[0])
        feature.SetField("SoHieuToBanDo", sheet)
        feature.SetField("SoThuTuThua", 1 + (j % 2) * LOTS_PER_BLOCK + i % LOTS_PER_BLOCK)
        feature.SetField("DienTich", round(polygon.GetArea(), 1))
        feature.SetField("KyHieuMucDichSuDung", rng.choice(codes))
        feature.SetField("DiaChi", f"Số {1 + i % LOTS_PER_BLOCK * 2 + j % 2} đường {street}, "
                                   f"{ward[1]}, {ward[2]}, Thành phố Cần Thơ")
        feature.SetGeometryDirectly(polygon)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="GeoPackage to write (replaced if it exists)")
    parser.add_argument("--count", type=int, default=200_000, help="number of parcels")
    parser.add_argument("--seed", type=int, default=20261204, help="random seed")
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("--count must be at least 1")
    write(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
