#!/bin/bash
# Query benchmark: vnsdi against MapServer 8's OGC API - Features on the same
# GeoPackage of generated parcels, in one run on 127.0.0.1.
#
#   1. bench/gen_parcels.py writes N parcels (default 200000) in EPSG:5897.
#   2. vnsdi (RelWithDebInfo build, 4 threads) serves them as "parcels".
#      MapServer serves the same file through an OGR connection with the same
#      attributes and MaThua as feature id: 4 mapserv FastCGI processes
#      (spawn-fcgi), behind one nginx worker.
#   3. bench/bench_query_run.py checks that both return the same features per
#      bbox, runs wrk on the bbox and CQL2 lists, times the downloads, and
#      prints the tables and the machine facts.
#
# Needs the Debian packages wrk, nginx, spawn-fcgi, cgi-mapserver and
# mapserver-bin (for this benchmark only) and python3-gdal.
#
# Usage: bench/bench_query.sh [-b BUILD_DIR] [-w WORK_DIR] [-n PARCELS]
#                             [-d SECONDS] [-c 2,16]
set -euo pipefail

SOURCE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SOURCE/build-bench-query
WORK=
COUNT=200000
DURATION=10
CONCURRENCY=2,16
WORKERS=4   # vnsdi threads and mapserv processes

while getopts "b:w:n:d:c:" opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	w) WORK=$OPTARG ;;
	n) COUNT=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	c) CONCURRENCY=$OPTARG ;;
	*) echo "usage: $0 [-b build] [-w work] [-n parcels] [-d seconds] [-c 2,16]" >&2
	   exit 2 ;;
	esac
done

for tool in wrk nginx spawn-fcgi mapserv /usr/lib/cgi-bin/mapserv; do
	if ! command -v "$tool" >/dev/null; then
		echo "$tool is missing: apt-get install wrk nginx spawn-fcgi" \
		     "cgi-mapserver mapserver-bin (for this benchmark only)" >&2
		exit 1
	fi
done

if [ -z "$WORK" ]; then
	WORK=$(mktemp -d /tmp/vnsdi-bench-query.XXXXXX)
fi
mkdir -p "$WORK/nginx-tmp" "$WORK/var"

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {   # port path: wait up to 120 s for a 200
	for _ in $(seq 600); do
		if curl -sf -o /dev/null --noproxy '*' "http://127.0.0.1:$1$2"; then
			return 0
		fi
		sleep 0.2
	done
	echo "no 200 from 127.0.0.1:$1$2 within 120 s" >&2
	return 1
}

PIDS=()
# mapserv under FastCGI does not exit on SIGTERM while it waits in accept(),
# so whatever still runs 3 s after SIGTERM gets SIGKILL.
stop_all() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	sleep 3
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}
trap stop_all EXIT

# 1. Build and data.
if [ ! -x "$BUILD/vnsdi" ]; then
	cmake -S "$SOURCE" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$BUILD" --target vnsdi -j2 >/dev/null
fi
GPKG=$WORK/parcels.gpkg
if [ ! -f "$GPKG" ]; then
	echo "generating $COUNT parcels into $GPKG"
	/usr/bin/python3 "$SOURCE/bench/gen_parcels.py" "$GPKG" --count "$COUNT"
fi

VNSDI_PORT=$(free_port)
MS_PORT=$(free_port)
ATTRIBUTES="MaThua, MaXa, SoHieuToBanDo, SoThuTuThua, DienTich, KyHieuMucDichSuDung, DiaChi"

# 2a. vnsdi. max_features lets one GeoJSON page hold every parcel.
cat > "$WORK/vnsdi.yaml" <<EOF
server:
  listen: 127.0.0.1:$VNSDI_PORT
  threads: $WORKERS
  data_dir: $WORK/var
  title: {vi: "Đo hiệu năng truy vấn", en: "Query benchmark"}
limits:
  default_features: 10
  max_features: $COUNT
  request_timeout: 300
output_crs: [EPSG:4326, CRS:84, EPSG:5897]
layers:
  - id: parcels
    title: {vi: "Thửa đất sinh thử", en: "Generated parcels"}
    source: $GPKG
    source_layer: parcels
    crs: EPSG:5897
    id_attribute: MaThua
    attributes: [$ATTRIBUTES]
EOF
"$BUILD/vnsdi" serve --config "$WORK/vnsdi.yaml" --listen "127.0.0.1:$VNSDI_PORT" \
	> "$WORK/vnsdi.log" 2>&1 &
VNSDI_PID=$!
PIDS+=("$VNSDI_PID")

# 2b. MapServer: mapfile, config file with the map alias, FastCGI, nginx.
MS_ITEMS=$(echo "$ATTRIBUTES" | tr -d ' ')
# EPSG:5897 with the VN-2000 -> WGS 84 Helmert that vnsdi applies (Decision
# 05/2007/QD-BTNMT, EPSG:6960). vnsdi writes it in the coordinate frame
# convention; TOWGS84 takes position vector rotations, hence the opposite
# signs. MapServer 8.0 with "init=epsg:5897" applies no datum shift, which
# moves every parcel by about 200 m against vnsdi.
VN2000_TM3_105="+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
cat > "$WORK/parcels.map" <<EOF
MAP
  NAME "parcels"
  EXTENT 100000 1000000 1000000 2600000
  SIZE 256 256
  PROJECTION "$VN2000_TM3_105" END
  WEB
    METADATA
      "oga_enable_request" "*"
      "oga_onlineresource" "http://127.0.0.1:$MS_PORT/ms/parcels/ogcapi"
      "oga_max_limit" "$COUNT"
      "ows_title" "Query benchmark"
      "ows_srs" "EPSG:5897 EPSG:4326"
    END
  END
  LAYER
    NAME "parcels"
    TYPE POLYGON
    STATUS ON
    CONNECTIONTYPE OGR
    CONNECTION "$GPKG"
    DATA "parcels"
    PROJECTION "$VN2000_TM3_105" END
    TEMPLATE "void"
    METADATA
      "ows_title" "Generated parcels"
      "gml_include_items" "$MS_ITEMS"
      "gml_featureid" "MaThua"
      "gml_types" "auto"
    END
  END
END
EOF
cat > "$WORK/mapserver.conf" <<EOF
CONFIG
  ENV
    MS_MAP_PATTERN "^$WORK/"
    OGCAPI_HTML_TEMPLATE_DIRECTORY "/usr/share/mapserver/ogcapi/templates/html-plain/"
  END
  MAPS
    parcels "$WORK/parcels.map"
  END
END
EOF
UPSTREAMS=
MS_PIDS=
for i in $(seq "$WORKERS"); do
	rm -f "$WORK/mapserv$i.sock"
	MAPSERVER_CONFIG_FILE=$WORK/mapserver.conf spawn-fcgi -n -M 0666 \
		-s "$WORK/mapserv$i.sock" -- /usr/lib/cgi-bin/mapserv \
		> "$WORK/mapserv$i.log" 2>&1 &
	PIDS+=("$!")
	MS_PIDS=${MS_PIDS:+$MS_PIDS,}$!
	UPSTREAMS="$UPSTREAMS    server unix:$WORK/mapserv$i.sock;
"
done
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp;
  fastcgi_temp_path $WORK/nginx-tmp;
  proxy_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp;
  scgi_temp_path $WORK/nginx-tmp;
  upstream mapserv {
$UPSTREAMS    keepalive 8;
  }
  server {
    listen 127.0.0.1:$MS_PORT;
    location /ms/ {
      fastcgi_pass mapserv;
      fastcgi_keep_conn on;
      fastcgi_read_timeout 300s;
      include /etc/nginx/fastcgi_params;
      fastcgi_split_path_info ^(/ms)(/.*)\$;
      fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
      fastcgi_param PATH_INFO \$fastcgi_path_info;
    }
  }
}
EOF
nginx -c "$WORK/nginx.conf" > "$WORK/nginx.log" 2>&1 &
PIDS+=("$!")

wait_http "$VNSDI_PORT" /healthz
wait_http "$MS_PORT" "/ms/parcels/ogcapi/collections/parcels/items?f=json&limit=1"

# 3. Measure.
NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 /usr/bin/python3 "$SOURCE/bench/bench_query_run.py" \
	--vnsdi-port "$VNSDI_PORT" --vnsdi-pid "$VNSDI_PID" \
	--ms-port "$MS_PORT" --ms-pids "$MS_PIDS" --gpkg "$GPKG" \
	--work "$WORK" --build "$BUILD" --duration "$DURATION" \
	--concurrency "$CONCURRENCY"
echo "work folder: $WORK"
