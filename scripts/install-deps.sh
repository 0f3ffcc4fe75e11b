#!/bin/sh
# Install the Debian 12 packages that vnsdi builds, runs and tests with.
# Does nothing when every package is already present; needs root otherwise.
set -eu

PACKAGES="
build-essential cmake pkg-config
libgdal-dev gdal-bin
libproj-dev proj-bin proj-data
libgeos-dev
libmicrohttpd-dev
libpng-dev zlib1g-dev
libcairo2-dev
libyaml-dev
libjansson-dev
libcmocka-dev
fonts-dejavu-core
curl
python3 python3-owslib python3-gdal
chromium
"

missing=""
for pkg in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done

# The viewer's bundle is rebuilt and its browser test run with Node.js and
# npm. Machines that already have a Node.js outside Debian's packages keep
# it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi

if [ -z "$missing" ]; then
	exit 0
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
