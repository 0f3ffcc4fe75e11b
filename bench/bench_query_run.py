#!/usr/bin/python3
"""Measuring half of bench_query.sh: both servers are already running.

1. Checks that vnsdi and MapServer return the same numberMatched and the same
   feature ids for every bbox of the list (CRS84, limit 1000).
2. Runs wrk with wrk_paths.lua at each concurrency on: the bbox list
   (items?bbox=...&limit=100) on both servers, and the CQL2 list on vnsdi.
   MapServer 8.0's OGC API has no filter, filter-lang or queryables, and
   ignores attribute parameters (checked here), so the CQL2 list has no
   MapServer side.
3. Downloads every parcel from each server and reports time, size and the
   server's resident memory before the request and at its peak.

Prints Markdown tables and the machine facts. Usage: see bench_query.sh.
"""

import argparse
import http.client
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import urllib.parse

from osgeo import ogr, osr

HERE = os.path.dirname(os.path.abspath(__file__))
WRK_SCRIPT = os.path.join(HERE, "wrk_paths.lua")
# Thread k of wrk starts at path k * n / WRK_SPREAD of the list.
WRK_SPREAD = "2"
BOXES = 40
BOX_M = 120.0          # side of a bbox, metres in EPSG:5897
CHECK_LIMIT = 1000


def q(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe=",")


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fetch_json(port, path):
    status, body = fetch(port, path)
    if status != 200:
        raise RuntimeError(f"{path} -> {status}: {body[:300]!r}")
    return json.loads(body)


def make_boxes(gpkg):
    """BOXES squares of BOX_M inside the layer extent, in CRS84, from a fixed seed."""
    dataset = ogr.Open(gpkg)
    layer = dataset.GetLayer(0)
    minx, maxx, miny, maxy = layer.GetExtent()
    source = osr.SpatialReference()
    source.ImportFromEPSG(5897)
    target = osr.SpatialReference()
    target.SetFromUserInput("OGC:CRS84")
    for srs in (source, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(source, target)
    rng = random.Random(5897)
    boxes = []
    for _ in range(BOXES):
        x = rng.uniform(minx + BOX_M, maxx - BOX_M)
        y = rng.uniform(miny + BOX_M, maxy - BOX_M)
        west, south, _ = transform.TransformPoint(x, y)
        east, north, _ = transform.TransformPoint(x + BOX_M, y + BOX_M)
        boxes.append(f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}")
    return boxes


def cql2_paths(boxes):
    """vnsdi requests with CQL2 filters: with a bbox, and on the whole layer."""
    paths = []
    for i, box in enumerate(boxes):
        west, south, east, north = map(float, box.split(","))
        polygon = (f"POLYGON(({west} {south},{east} {south},{east} {north},"
                   f"{west} {north},{west} {south}))")
        kind = i % 4
        if kind == 0:
            params = {"bbox": box, "filter": "KyHieuMucDichSuDung = 'ODT'"}
        elif kind == 1:
            params = {"filter": f"S_INTERSECTS(geometry,{polygon}) AND DienTich > 150"}
        elif kind == 2:
            params = {"filter": "KyHieuMucDichSuDung IN ('TMD','SKC') AND "
                                f"DienTich BETWEEN {100 + i} AND {160 + i}"}
        else:
            params = {"filter": "DiaChi LIKE '%Phường An Cư%' AND "
                                f"SoHieuToBanDo = {1 + i * 37 % 4000}"}
        params.update({"limit": 100, "f": "json"})
        paths.append("/collections/parcels/items?" + q(params))
    return paths


def check_same(args, boxes):
    """Compare numberMatched and ids per bbox; return (equal, problems)."""
    problems, equal = [], 0
    for box in boxes:
        params = q({"bbox": box, "limit": CHECK_LIMIT, "f": "json"})
        mine = fetch_json(args.vnsdi_port, f"/collections/parcels/items?{params}")
        theirs = fetch_json(args.ms_port, f"{args.ms_prefix}/collections/parcels/items?{params}")
        a = {int(f["id"]) for f in mine["features"]}
        b = {int(f["id"]) for f in theirs["features"]}
        if mine["numberMatched"] == theirs["numberMatched"] and a == b:
            equal += 1
        else:
            problems.append(f"bbox {box}: vnsdi {mine['numberMatched']}, MapServer "
                            f"{theirs['numberMatched']}, only vnsdi {sorted(a - b)[:5]}, "
                            f"only MapServer {sorted(b - a)[:5]}")
    # MapServer 8.0 ignores filter and attribute parameters: same count.
    plain = fetch_json(args.ms_port, f"{args.ms_prefix}/collections/parcels/items?limit=1&f=json")
    attr = fetch_json(args.ms_port, f"{args.ms_prefix}/collections/parcels/items?"
                      + q({"limit": 1, "f": "json", "KyHieuMucDichSuDung": "CLN",
                           "filter": "KyHieuMucDichSuDung = 'CLN'"}))
    ignored = plain["numberMatched"] == attr["numberMatched"]
    return equal, problems, ignored


def vm_kib(pids, field):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def wrk(port, list_path, concurrency, duration):
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{duration}s", "--timeout", "30s",
               "-s", WRK_SCRIPT, f"http://127.0.0.1:{port}", "--", list_path,
               WRK_SPREAD]
    result = subprocess.run(command, capture_output=True, text=True, check=True,
                            timeout=duration + 120)
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            return data
    raise RuntimeError("wrk printed no result:\n" + result.stdout + result.stderr)


def write_list(work, name, paths):
    path = os.path.join(work, name)
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(paths) + "\n")
    return path


class RssSampler(threading.Thread):
    """Sum of VmRSS of `pids`, sampled every 10 ms; keeps the maximum."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = vm_kib(pids, "VmRSS")
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, vm_kib(self.pids, "VmRSS"))
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


def download(port, path, pids):
    """Time one download read in 1 MiB chunks; return (bytes, s, rss0, peak)."""
    before = vm_kib(pids, "VmRSS")
    sampler = RssSampler(pids)
    sampler.start()
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    size = 0
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{path} -> {response.status}: {response.read(300)!r}")
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
    finally:
        conn.close()
    seconds = time.monotonic() - start
    return size, seconds, before, sampler.stop()


def machine_facts(build):
    model = "?"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    gcc = subprocess.run(["gcc", "--version"], capture_output=True,
                         text=True).stdout.splitlines()[0]
    build_type = "?"
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("CMAKE_BUILD_TYPE:"):
                build_type = line.split("=", 1)[1].strip()
    mapserver = subprocess.run(["mapserv", "-v"], capture_output=True, text=True).stdout
    proj = subprocess.run(["projinfo"], capture_output=True, text=True)
    gdal = subprocess.run(["gdal-config", "--version"], capture_output=True, text=True)
    return [f"CPU: {model}, {os.cpu_count()} cores seen (nproc)",
            f"kernel: {platform.release()}", f"compiler: {gcc}",
            f"vnsdi build type: {build_type}",
            f"MapServer: {mapserver.split(' OUTPUT')[0].strip()}",
            f"GDAL: {gdal.stdout.strip() or '?'}",
            f"PROJ: {(proj.stdout + proj.stderr).splitlines()[0] if proj.stdout + proj.stderr else '?'}"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vnsdi-port", type=int, required=True)
    parser.add_argument("--vnsdi-pid", type=int, required=True)
    parser.add_argument("--ms-port", type=int, required=True, help="nginx in front of mapserv")
    parser.add_argument("--ms-pids", required=True, help="mapserv pids, comma-separated")
    parser.add_argument("--ms-prefix", default="/ms/parcels/ogcapi")
    parser.add_argument("--gpkg", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--concurrency", default="2,16")
    return parser.parse_args()


def main():
    args = parse_args()
    ms_pids = [int(p) for p in args.ms_pids.split(",")]
    boxes = make_boxes(args.gpkg)
    equal, problems, ignored = check_same(args, boxes)
    print(f"bbox check: {equal} of {len(boxes)} boxes give the same numberMatched and ids")
    for problem in problems:
        print("  " + problem)
    print("MapServer ignores filter and attribute parameters: " + ("yes" if ignored else "no"))

    bbox_paths = [f"/collections/parcels/items?{q({'bbox': b, 'limit': 100, 'f': 'json'})}"
                  for b in boxes]
    lists = {
        "vnsdi bbox": (args.vnsdi_port, write_list(args.work, "vnsdi_bbox.txt", bbox_paths),
                       [args.vnsdi_pid]),
        "MapServer bbox": (args.ms_port, write_list(args.work, "ms_bbox.txt",
                                                    [args.ms_prefix + p for p in bbox_paths]),
                           ms_pids),
        "vnsdi CQL2": (args.vnsdi_port, write_list(args.work, "vnsdi_cql2.txt",
                                                   cql2_paths(boxes)), [args.vnsdi_pid]),
    }
    for label, (port, list_path, _) in lists.items():
        with open(list_path, encoding="ascii") as f:
            for path in f.read().split():
                status, body = fetch(port, path)
                if status != 200:
                    sys.exit(f"{label}: {path} -> {status}: {body[:300]!r}")

    print("\n| requests | c | req/s | p50 ms | p99 ms | errors | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for concurrency in [int(c) for c in args.concurrency.split(",")]:
        for label, (port, list_path, pids) in lists.items():
            r = wrk(port, list_path, concurrency, args.duration)
            errors = r["non_2xx"] + r["socket_errors"]
            print(f"| {label} | {concurrency} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} | "
                  f"{r['p99_us'] / 1000:.1f} | {errors} | {vm_kib(pids, 'VmHWM') / 1024:.0f} |",
                  flush=True)

    print("\n| download | body MiB | time s | server RSS before → peak MiB |")
    print("|---|---|---|---|")
    downloads = [
        ("vnsdi GeoJSON, limit=200000", args.vnsdi_port,
         "/collections/parcels/items?limit=200000&f=json", [args.vnsdi_pid]),
        ("vnsdi FlatGeobuf (f=fgb)", args.vnsdi_port, "/collections/parcels/items?f=fgb",
         [args.vnsdi_pid]),
        ("vnsdi GeoPackage (f=gpkg)", args.vnsdi_port, "/collections/parcels/items?f=gpkg",
         [args.vnsdi_pid]),
        ("MapServer GeoJSON, limit=200000", args.ms_port,
         f"{args.ms_prefix}/collections/parcels/items?limit=200000&f=json", ms_pids),
    ]
    for label, port, path, pids in downloads:
        size, seconds, before, peak = download(port, path, pids)
        print(f"| {label} | {size / 2**20:.1f} | {seconds:.2f} | "
              f"{before / 1024:.0f} → {peak / 1024:.0f} |", flush=True)

    print()
    for fact in machine_facts(args.build):
        print("- " + fact)


if __name__ == "__main__":
    main()
