#!/bin/sh
# Make the sample data set under samples/data when it is missing.
# Usage: scripts/make-sample.sh BUILD_DIR
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/samples/data"
if [ -f "$out/cantho_sample.gpkg" ] && [ -f "$out/imagery/mekong_overview.tif" ]; then
	exit 0
fi
echo "make-sample: generating the Can Tho sample into $out"
"$build/vnsdi-samplegen" "$out"
