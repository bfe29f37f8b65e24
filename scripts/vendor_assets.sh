#!/usr/bin/env bash
# Re-fetch the vendored front-end assets from the npm registry (pinned versions) into static/vendor/.
# Usage: scripts/vendor_assets.sh   (needs npm; nothing is fetched at run time)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fetch() {  # name version
  (cd "$TMP" && npm pack --silent "$1@$2" >/dev/null && mkdir -p "$1" && tar -xzf ./*"$2".tgz -C "$1" && rm ./*.tgz)
}
fetch leaflet 1.9.4
fetch leaflet.markercluster 1.5.3
fetch axe-core 4.14.1
rm -rf "$DEST/leaflet" "$DEST/leaflet.markercluster" "$DEST/axe-core"
mkdir -p "$DEST/leaflet/images" "$DEST/leaflet.markercluster" "$DEST/axe-core"
P="$TMP/leaflet/package"
cp "$P/dist/leaflet.js" "$P/dist/leaflet.css" "$P/LICENSE" "$DEST/leaflet/"
cp "$P/dist/images/"*.png "$DEST/leaflet/images/"
P="$TMP/leaflet.markercluster/package"
cp "$P/dist/leaflet.markercluster.js" "$P/dist/MarkerCluster.css" "$P/dist/MarkerCluster.Default.css" \
   "$P/MIT-LICENCE.txt" "$DEST/leaflet.markercluster/"
P="$TMP/axe-core/package"
cp "$P/axe.min.js" "$P/LICENSE" "$DEST/axe-core/"
echo "vendored into $DEST"
