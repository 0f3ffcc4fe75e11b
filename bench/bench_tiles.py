#!/usr/bin/python3
"""Tile benchmark: vnsdi against MapServer 8, MapCache and nginx.

One run on one machine, every server on 127.0.0.1, the same list of XYZ
tiles (zooms 14 to 18) over the same GeoPackage of parcels with the same
style, measured by wrk at each concurrency:

  vnsdi uncached   /tiles/parcels/{z}/{x}/{y}.png with the tile cache off
                   (its folder cannot be created), so every tile is drawn
  MapServer        WMS 1.3.0 GetMap of the tile's EPSG:3857 box, 256 x 256,
                   mapserv under FastCGI (spawn-fcgi) behind nginx
  vnsdi cached     the same tiles after one pass filled the cache
  MapCache         /gmaps/ tiles of mapcache.fcgi, after one pass filled
                   its disk cache from that MapServer
  nginx static     the PNG files of the vnsdi pass, served from disk

Prints a Markdown table with requests/s, p50 and p99 latency, failed
requests, and peak RSS (VmHWM) of the server processes.

Needs the Debian packages wrk, nginx, spawn-fcgi, cgi-mapserver,
mapserver-bin and mapcache-cgi (only for this benchmark), and a vnsdi build.

Usage: bench/bench_tiles.py [--build DIR] [--work DIR] [--parcels N]
                            [--duration S] [--concurrency 2,16]
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_tiles_data  # noqa: E402

WRK_SCRIPT = os.path.join(HERE, "wrk_paths.lua")
WORKERS = 4   # vnsdi threads, mapserv processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _, _ = fetch(port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"127.0.0.1:{port}{path} did not return 200 within {timeout} s")


def fetch(port, path, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    if own:
        conn.close()
    return response.status, headers, body


def peak_rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children_of(pid):
    """Return the pids of the direct children of `pid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (FileNotFoundError, IndexError, ValueError):
            pass
    return out


class Processes:
    """Processes started by this script, stopped by pid at the end."""

    def __init__(self):
        self.items = []

    def start(self, command, log, env=None):
        with open(log, "ab") as f:
            process = subprocess.Popen(command, stdout=f, stderr=f, stdin=subprocess.DEVNULL,
                                       env=env)
        self.items.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                # mapserv and mapcache under FastCGI finish only after
                # one more request: they get SIGKILL after a short wait.
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for process in reversed(self.items):
            self.stop(process)


def wrk(port, list_path, concurrency, duration):
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{duration}s", "--timeout", "30s",
               "-s", WRK_SCRIPT, f"http://127.0.0.1:{port}", "--", list_path]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
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


def mercator_box(z, x, y):
    half = 20037508.342789244
    side = 2 * half / 2 ** z
    return (-half + x * side, half - (y + 1) * side, -half + (x + 1) * side, half - y * side)


def start_vnsdi(procs, args, work, port):
    """Start vnsdi on the config as vnsdi_config() last wrote it."""
    config = os.path.join(work, "vnsdi.yaml")
    process = procs.start([os.path.join(args.build, "vnsdi"), "serve", "--config", config,
                           "--listen", f"127.0.0.1:{port}"],
                          os.path.join(work, "vnsdi.log"))
    wait_http(port, "/healthz")
    return process


def vnsdi_config(work, data_dir):
    """Point the vnsdi config at another data_dir."""
    path = os.path.join(work, "vnsdi.yaml")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines = [("  data_dir: " + data_dir) if line.startswith("  data_dir:") else line
             for line in lines]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run_set(label, port, list_path, args, pids_of, results):
    for c in args.concurrency:
        data = wrk(port, list_path, c, args.duration)
        data["label"] = label
        data["concurrency"] = c
        data["rss_kib"] = peak_rss_kib(pids_of())
        results.append(data)
        print(f"{label:16} c={c:<3} {data['rps']:8.1f} req/s  p50 {data['p50_us'] / 1000:7.1f} ms  "
              f"p99 {data['p99_us'] / 1000:7.1f} ms  non-2xx {data['non_2xx']}  "
              f"errors {data['socket_errors']}", file=sys.stderr)


def warm_pass(port, paths, save_dir=None):
    """Fetch every path once over one connection and return the seconds
    taken and the number of responses that were not PNG. Saves the bodies
    as z/x/y.png under `save_dir` when it is given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    bad = 0
    start = time.monotonic()
    for path, tile in paths:
        status, headers, body = fetch(port, path, conn)
        if status != 200 or not headers.get("content-type", "").startswith("image/png"):
            bad += 1
        elif save_dir is not None:
            z, x, y = tile
            folder = os.path.join(save_dir, str(z), str(x))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{y}.png"), "wb") as f:
                f.write(body)
    conn.close()
    return time.monotonic() - start, bad


def machine_facts(args):
    model = "?"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    build_type = "?"
    cache = os.path.join(args.build, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    build_type = line.split("=", 1)[1].strip()
    versions = {}
    for name, command in (("mapserver", ["mapserv", "-v"]), ("nginx", ["nginx", "-v"]),
                          ("wrk", ["wrk", "-v"])):
        result = subprocess.run(command, capture_output=True, text=True)
        versions[name] = (result.stdout + result.stderr).strip().splitlines()[0][:60]
    return {"cpu": model, "cores": os.cpu_count(), "gcc": gcc, "build_type": build_type,
            "kernel": platform.release(), **versions}


def print_table(results, facts, extra):
    print("| server | concurrency | requests/s | p50 ms | p99 ms | failed | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['concurrency']} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} | "
              f"{r['p99_us'] / 1000:.1f} | {r['non_2xx'] + r['socket_errors']} | "
              f"{r['rss_kib'] / 1024:.0f} |")
    print()
    for key, value in {**facts, **extra}.items():
        print(f"- {key}: {value}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    parser.add_argument("--work", default="/tmp/vnsdi-bench-tiles")
    parser.add_argument("--parcels", type=int, default=200000)
    parser.add_argument("--per-zoom", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", default="2,16")
    parser.add_argument("--skip-mapcache", action="store_true")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    for tool in ("wrk", "nginx", "spawn-fcgi", "mapserv"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install wrk nginx spawn-fcgi cgi-mapserver "
                     "mapserver-bin mapcache-cgi")
    work = os.path.abspath(args.work)
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    vnsdi_port, nginx_port = free_port(), free_port()

    count, box = bench_tiles_data.generate_parcels(args.build, work, args.parcels)
    codes = bench_tiles_data.used_codes(os.path.join(work, "parcels.gpkg"))
    bench_tiles_data.write_vnsdi_config(work, vnsdi_port)
    bench_tiles_data.write_mapfile(work, codes, bench_tiles_data.landuse_colours())
    bench_tiles_data.write_mapcache(work, nginx_port)
    bench_tiles_data.write_nginx(work, nginx_port, WORKERS)
    tiles = bench_tiles_data.write_tiles(work, box, args.per_zoom)
    xyz = [(f"/tiles/parcels/{z}/{x}/{y}.png", (z, x, y)) for z, x, y in tiles]
    wms = ["/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels&STYLES=&CRS=EPSG:3857"
           "&BBOX=%r,%r,%r,%r&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
           % mercator_box(z, x, y) for z, x, y in tiles]
    static = [f"/static/{z}/{x}/{y}.png" for z, x, y in tiles]
    mapcache = [f"/mapcache/gmaps/parcels@GoogleMapsCompatible/{z}/{x}/{y}.png"
                for z, x, y in tiles]
    lists = {name: write_list(work, f"list-{name}.txt", paths) for name, paths in
             (("xyz", [p for p, _ in xyz]), ("wms", wms), ("static", static),
              ("mapcache", mapcache))}

    procs = Processes()
    results = []
    extra = {"parcels": count, "tiles in the list": len(tiles), "wrk duration s": args.duration}
    try:
        # vnsdi without a cache: a plain file named "tilecache" makes the
        # cache folder impossible to create, so every tile is drawn.
        nocache = os.path.join(work, "var-nocache")
        os.makedirs(nocache)
        open(os.path.join(nocache, "tilecache"), "w").close()
        vnsdi_config(work, nocache)
        process = start_vnsdi(procs, args, work, vnsdi_port)
        status, headers, _ = fetch(vnsdi_port, xyz[0][0])
        if headers.get("x-tile-cache") == "hit":
            raise RuntimeError("the uncached vnsdi served a cached tile")
        extra["vnsdi RSS after load MiB"] = round(peak_rss_kib([process.pid]) / 1024)
        run_set("vnsdi uncached", vnsdi_port, lists["xyz"], args, lambda: [process.pid], results)
        procs.stop(process)

        # vnsdi with its cache: one pass fills it (and writes the PNG files
        # that nginx serves), then wrk.
        vnsdi_config(work, os.path.join(work, "var"))
        process = start_vnsdi(procs, args, work, vnsdi_port)
        seconds, bad = warm_pass(vnsdi_port, xyz, os.path.join(work, "static"))
        extra["vnsdi cold pass, one connection"] = f"{len(xyz) / seconds:.0f} tiles/s ({bad} not PNG)"
        run_set("vnsdi cached", vnsdi_port, lists["xyz"], args, lambda: [process.pid], results)
        procs.stop(process)

        # MapServer under FastCGI behind nginx, and MapCache.
        env = dict(os.environ, MAPSERVER_CONFIG_FILE=os.path.join(work, "mapserver.conf"),
                   MS_MAPFILE=os.path.join(work, "parcels.map"))
        spawners = []
        for i in range(WORKERS):
            spawners.append(procs.start(["spawn-fcgi", "-n", "-M", "0666", "-s",
                                         os.path.join(work, f"mapserv{i}.sock"), "--",
                                         shutil.which("mapserv")],
                                        os.path.join(work, "mapserv.log"), env))
        mapcache_bin = "/usr/lib/cgi-bin/mapcache"
        use_mapcache = not args.skip_mapcache and os.path.exists(mapcache_bin)
        if use_mapcache:
            os.makedirs(os.path.join(work, "mapcache"), exist_ok=True)
            os.makedirs(os.path.join(work, "mapcache-lock"), exist_ok=True)
            mapcache_env = dict(os.environ,
                                MAPCACHE_CONFIG_FILE=os.path.join(work, "mapcache.xml"))
            procs.start(["spawn-fcgi", "-n", "-M", "0666", "-s", os.path.join(work, "mapcache.sock"), "--",
                         mapcache_bin], os.path.join(work, "mapcache.log"), mapcache_env)
        nginx = procs.start(["nginx", "-c", os.path.join(work, "nginx.conf")],
                            os.path.join(work, "nginx.log"))
        time.sleep(1.0)
        status, headers, body = fetch(nginx_port, wms[0])
        if status != 200 or headers.get("content-type") != "image/png":
            raise RuntimeError(f"MapServer returned {status} {headers}: {body[:300]!r}")
        ms_pids = lambda: spawners_pids(spawners)  # noqa: E731
        run_set("MapServer WMS", nginx_port, lists["wms"], args, ms_pids, results)
        if use_mapcache:
            seconds, bad = warm_pass(nginx_port, [(p, None) for p in mapcache])
            extra["MapCache cold pass, one connection"] = (
                f"{len(mapcache) / seconds:.0f} tiles/s ({bad} not PNG)")
            run_set("MapCache cached", nginx_port, lists["mapcache"], args,
                    lambda: spawners_pids(procs.items[WORKERS:WORKERS + 1]), results)
        run_set("nginx static", nginx_port, lists["static"], args,
                lambda: [nginx.pid] + children_of(nginx.pid), results)
    finally:
        procs.stop_all()
    print_table(results, machine_facts(args), extra)


def spawners_pids(spawners):
    """spawn-fcgi -n execs the FastCGI program in place: its pid is the app."""
    return [p.pid for p in spawners]


if __name__ == "__main__":
    main()
