#!/bin/sh
# Make the sample data set under samples/data when it is missing.
# Usage: scripts/make-sample.sh BUILD_DIR
# The generator writes the GeoPackage last, so a run that was interrupted
# leaves no cantho_sample.gpkg and is redone next time.
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/samples/data"
if [ -f "$out/cantho_sample.gpkg" ] && [ -f "$out/imagery/mekong_overview.tif" ]; then
	exit 0
fi
gen="$build/vnsdi-samplegen"
if [ ! -x "$gen" ]; then
	echo "make-sample: $gen not found; build the project first (make build)" >&2
	exit 1
fi
echo "make-sample: generating the Can Tho sample into $out"
"$gen" "$out"
