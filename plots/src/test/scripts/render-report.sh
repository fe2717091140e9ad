#!/usr/bin/env bash
# Renders a run folder's index.html in headless Chromium and writes a screenshot, to check the
# report offline (no network: every flag below keeps Chromium from calling home).
#
#   plots/src/test/scripts/render-report.sh runs/20240410-150300-host [out.png]
#
# Needs Debian's chromium (apt-get install -y chromium). The JUnit test
# ReportTest.rendersInHeadlessChromium does the same on a generated run and is skipped, with the
# reason printed, when chromium is not on PATH.
set -euo pipefail
run=${1:?usage: $0 RUN_FOLDER [out.png]}
out=${2:-$run/index-screenshot.png}
index=$(cd "$run" && pwd)/index.html
[ -f "$index" ] || { echo "no index.html in $run (run: foliobench report $run)" >&2; exit 1; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "chromium not found: apt-get update && apt-get install -y chromium" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$(realpath -m "$out")" --window-size=1400,2000 \
    "file://$index" 2>/dev/null
[ -s "$out" ] || { echo "chromium wrote no screenshot" >&2; exit 3; }
echo "$out"
