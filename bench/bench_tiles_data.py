#!/usr/bin/python3
"""Data and peer set-up of the tile benchmark (bench_tiles.py).

Writes into WORKDIR:
  data/cantho_sample.gpkg     the Can Tho sample (vnsdi-samplegen)
  parcels.gpkg                N parcels: copies of the sample's parcels laid
                              out in a grid, 2 400 m apart, in EPSG:5897
  vnsdi.yaml                  vnsdi serving parcels.gpkg with the sample style
  parcels.map, fonts.txt,     MapServer 8 mapfile with the same style, and
  mapserver.conf              the config file MapServer 8 reads first
  mapcache.xml                MapCache in front of that MapServer
  nginx.conf                  nginx: FastCGI front of mapserv and mapcache,
                              and static files under /static/
  tiles.txt                   the XYZ tiles of the run, zooms 14 to 18

Usage: bench_tiles_data.py BUILD_DIR WORKDIR [--parcels N] [--per-zoom K]
"""

import argparse
import math
import os
import random
import re
import subprocess
import sys

from osgeo import ogr, osr

ogr.UseExceptions()

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STYLE_STROKE = (0xB2, 0x22, 0x22)
STYLE_STROKE_WIDTH = 0.8
LABEL_SIZE_PX = 11
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
COPY_STEP_M = 2400.0
ZOOMS = range(14, 19)


def generate_parcels(build, work, count):
    """Write parcels.gpkg with `count` parcels and return its CRS84 extent."""
    sample_dir = os.path.join(work, "data")
    sample = os.path.join(sample_dir, "cantho_sample.gpkg")
    if not os.path.exists(sample):
        subprocess.run([os.path.join(build, "vnsdi-samplegen"), sample_dir], check=True,
                       stdout=subprocess.DEVNULL)
    out = os.path.join(work, "parcels.gpkg")
    if os.path.exists(out):
        os.remove(out)
    # Keep each dataset referenced while its layer is used: a layer of a
    # collected dataset crashes the GDAL bindings.
    dataset = ogr.Open(sample)
    per_copy = dataset.GetLayerByName("parcels").GetFeatureCount()
    dataset = None
    copies = math.ceil(count / per_copy)
    columns = math.ceil(math.sqrt(copies))
    for k in range(copies):
        dx = (k % columns) * COPY_STEP_M
        dy = (k // columns) * COPY_STEP_M
        limit = min(per_copy, count - k * per_copy)
        sql = ("SELECT MaThua || '-%d' AS MaThua, MaXa, SoHieuToBanDo, SoThuTuThua, DienTich, "
               "KyHieuMucDichSuDung, DiaChi, ST_Translate(geom, %r, %r, 0) AS geom "
               "FROM parcels LIMIT %d" % (k, dx, dy, limit))
        command = ["ogr2ogr", "-f", "GPKG", "-dialect", "SQLite", "-sql", sql,
                   "-nln", "parcels", "-nlt", "MULTIPOLYGON"]
        if k > 0:
            command.insert(1, "-append")
        subprocess.run(command + [out, sample], check=True)
    dataset = ogr.Open(out)
    layer = dataset.GetLayerByName("parcels")
    minx, maxx, miny, maxy = layer.GetExtent()
    source = layer.GetSpatialRef()
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    west, south, east, north = osr.CoordinateTransformation(source, wgs84).TransformBounds(
        minx, miny, maxx, maxy, 21)
    count = layer.GetFeatureCount()
    return count, (west, south, east, north)


def landuse_colours():
    """Return {code: (r, g, b)} from the renderer's own colour table."""
    with open(os.path.join(SOURCE_DIR, "tiles", "landuse.c"), encoding="utf-8") as f:
        text = f.read()
    colours = {}
    for code, rgb in re.findall(r'\{"([^"]+)", 0x([0-9A-Fa-f]{6})\}', text):
        value = int(rgb, 16)
        colours[code] = (value >> 16, (value >> 8) & 0xFF, value & 0xFF)
    return colours


def used_codes(gpkg):
    dataset = ogr.Open(gpkg)
    result = dataset.ExecuteSQL("SELECT DISTINCT KyHieuMucDichSuDung FROM parcels")
    codes = {row.GetField(0) for row in result}
    dataset.ReleaseResultSet(result)
    return sorted(c for c in codes if c)


def write_vnsdi_config(work, port):
    text = f"""# vnsdi tile benchmark: parcels.gpkg with the sample's parcel style.
server:
  listen: 127.0.0.1:{port}
  threads: 4
  data_dir: var
  title: {{vi: "Đo tốc độ mảnh bản đồ", en: "Tile benchmark"}}
limits: {{max_width: 4096, max_height: 4096, default_features: 10, max_features: 1000, request_timeout: 30}}
output_crs: [EPSG:3857, EPSG:4326, CRS:84, EPSG:5897]
layers:
  - id: parcels
    title: {{vi: "Thửa đất", en: "Land parcels"}}
    source: parcels.gpkg
    source_layer: parcels
    crs: EPSG:5897
    styles:
      - name: default
        fill_by: KyHieuMucDichSuDung
        stroke: "#B22222"
        stroke_width: {STYLE_STROKE_WIDTH}
        label: SoThuTuThua
        label_area: DienTich
"""
    with open(os.path.join(work, "vnsdi.yaml"), "w", encoding="utf-8") as f:
        f.write(text)


def mapfile_class(code, rgb):
    # vnsdi colours a parcel by the first code of a composite (ODT+CLN).
    expression = "/^%s(\\+|$)/" % re.escape(code)
    r, g, b = rgb
    return f"""    CLASS
      EXPRESSION {expression}
      STYLE COLOR {r} {g} {b} END
      STYLE OUTLINECOLOR {STYLE_STROKE[0]} {STYLE_STROKE[1]} {STYLE_STROKE[2]} WIDTH {STYLE_STROKE_WIDTH} END
      LABEL
        TEXT (tostring([SoThuTuThua], "%g") + "|" + tostring([DienTich], "%.1f"))
        WRAP "|"
        ALIGN CENTER
        TYPE TRUETYPE
        FONT "dejavu"
        SIZE {LABEL_SIZE_PX}
        COLOR 0 0 0
        POSITION CC
        MINFEATURESIZE AUTO
        PARTIALS FALSE
      END
    END
"""


def write_mapfile(work, codes, colours):
    classes = "".join(mapfile_class(c, colours[c.split("+")[0]]) for c in codes
                      if c.split("+")[0] in colours)
    text = f"""MAP
  NAME "vnsdi_bench"
  EXTENT -20037508.34 -20037508.34 20037508.34 20037508.34
  SIZE 256 256
  UNITS METERS
  FONTSET "{os.path.join(work, 'fonts.txt')}"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "png"
    DRIVER AGG/PNG
    MIMETYPE "image/png"
    IMAGEMODE RGBA
    EXTENSION "png"
    TRANSPARENT ON
  END
  WEB
    METADATA
      "wms_title" "vnsdi benchmark"
      "wms_srs" "EPSG:3857"
      "wms_enable_request" "*"
      "wms_onlineresource" "http://127.0.0.1/ms?"
    END
  END
  LAYER
    NAME "parcels"
    TYPE POLYGON
    STATUS ON
    CONNECTIONTYPE OGR
    CONNECTION "{os.path.join(work, 'parcels.gpkg')}"
    DATA "parcels"
    PROJECTION "init=epsg:5897" END
    METADATA "wms_title" "parcels" END
    CLASSITEM "KyHieuMucDichSuDung"
{classes}    CLASS
      STYLE OUTLINECOLOR {STYLE_STROKE[0]} {STYLE_STROKE[1]} {STYLE_STROKE[2]} WIDTH {STYLE_STROKE_WIDTH} END
    END
  END
END
"""
    with open(os.path.join(work, "parcels.map"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(work, "fonts.txt"), "w", encoding="utf-8") as f:
        f.write(f"dejavu {FONT}\n")
    # MapServer 8 reads a config file first; this one allows only the
    # benchmark's own mapfile.
    with open(os.path.join(work, "mapserver.conf"), "w", encoding="utf-8") as f:
        f.write('CONFIG\n  ENV\n    MS_MAP_PATTERN "^%s/"\n  END\nEND\n' % re.escape(work))


def write_mapcache(work, nginx_port):
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<mapcache>
  <cache name="disk" type="disk">
    <base>{os.path.join(work, 'mapcache')}</base>
  </cache>
  <source name="ms" type="wms">
    <getmap>
      <params>
        <FORMAT>image/png</FORMAT>
        <LAYERS>parcels</LAYERS>
        <TRANSPARENT>TRUE</TRANSPARENT>
      </params>
    </getmap>
    <http><url>http://127.0.0.1:{nginx_port}/ms?</url></http>
  </source>
  <format name="PNGQ" type="PNG"><compression>fast</compression></format>
  <tileset name="parcels">
    <source>ms</source>
    <cache>disk</cache>
    <grid>GoogleMapsCompatible</grid>
    <format>PNG</format>
    <metatile>1 1</metatile>
    <metabuffer>0</metabuffer>
  </tileset>
  <service type="gmaps" enabled="true"/>
  <service type="wmts" enabled="false"/>
  <service type="wms" enabled="false"/>
  <locker type="disk"><directory>{os.path.join(work, 'mapcache-lock')}</directory></locker>
  <log_level>warn</log_level>
</mapcache>
"""
    with open(os.path.join(work, "mapcache.xml"), "w", encoding="utf-8") as f:
        f.write(text)


def write_nginx(work, port, workers):
    upstream = "\n".join(f"    server unix:{work}/mapserv{i}.sock;" for i in range(workers))
    text = f"""daemon off;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  types {{ image/png png; }}
  # No keep-alive to the FastCGI programs: mapserv and mapcache serve one
  # connection at a time, so a kept connection would block one of them.
  upstream mapserv {{
{upstream}
  }}
  server {{
    listen 127.0.0.1:{port};
    location /ms {{
      include /etc/nginx/fastcgi_params;
      fastcgi_param MS_MAPFILE {work}/parcels.map;
      fastcgi_param MAPSERVER_CONFIG_FILE {work}/mapserver.conf;
      fastcgi_pass mapserv;
    }}
    location /mapcache/ {{
      include /etc/nginx/fastcgi_params;
      fastcgi_param MAPCACHE_CONFIG_FILE {work}/mapcache.xml;
      fastcgi_split_path_info ^(/mapcache)(/.*)$;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_pass unix:{work}/mapcache.sock;
    }}
    location /static/ {{
      alias {work}/static/;
    }}
  }}
}}
"""
    os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
    with open(os.path.join(work, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write(text)


def xyz_range(box, z):
    west, south, east, north = box
    n = 2 ** z

    def x_of(lon):
        return int((lon + 180.0) / 360.0 * n)

    def y_of(lat):
        return int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x_of(west), x_of(east), y_of(north), y_of(south)


def write_tiles(work, box, per_zoom):
    """Write tiles.txt: up to per_zoom tiles of each zoom, shuffled with a
    fixed seed so every run and every server get the same list."""
    rng = random.Random(20241204)
    tiles = []
    for z in ZOOMS:
        x0, x1, y0, y1 = xyz_range(box, z)
        every = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        rng.shuffle(every)
        tiles.extend(every[:per_zoom])
    rng.shuffle(tiles)
    with open(os.path.join(work, "tiles.txt"), "w", encoding="utf-8") as f:
        for z, x, y in tiles:
            f.write(f"{z} {x} {y}\n")
    return tiles


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build")
    parser.add_argument("work")
    parser.add_argument("--parcels", type=int, default=200000)
    parser.add_argument("--per-zoom", type=int, default=200)
    parser.add_argument("--vnsdi-port", type=int, required=True)
    parser.add_argument("--nginx-port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    count, box = generate_parcels(args.build, args.work, args.parcels)
    codes = used_codes(os.path.join(args.work, "parcels.gpkg"))
    write_vnsdi_config(args.work, args.vnsdi_port)
    write_mapfile(args.work, codes, landuse_colours())
    write_mapcache(args.work, args.nginx_port)
    write_nginx(args.work, args.nginx_port, args.workers)
    tiles = write_tiles(args.work, box, args.per_zoom)
    print(f"{count} parcels, CRS84 box {box}, {len(tiles)} tiles, codes {codes}", file=sys.stderr)


if __name__ == "__main__":
    main()
