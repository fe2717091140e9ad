#!/usr/bin/env bash
# Runs fio's own tools on a run folder's fio JSON, to check that fio tooling reads it:
# fio_jsonplus_clat2csv (CSV per job from json+ bins, then --validate against them) on every
# fio/<row>.json, and fio-plot's -l, -C and -H charts on one row's fio-plot/ folders.
#
#   results/src/test/scripts/fio-tools.sh runs/20240410-150300-host [ROWDIR] [OUT]
#
# ROWDIR is a folder under fio-plot/ (default: the first, e.g. read-hole); charts and CSVs go to
# OUT (default a temporary folder, printed). Needs Debian's fio (apt-get install -y fio) and
# fio-plot from its source (git clone https://github.com/louwrentius/fio-plot; set FIO_PLOT to
# that folder) with Debian's python3-matplotlib, python3-numpy, python3-pil, python3-pyparsing.
# FioJsonExportTest runs fio_jsonplus_clat2csv too and is skipped, with the reason printed, where
# fio is not installed.
set -euo pipefail
run=${1:?usage: $0 RUN_FOLDER [ROWDIR] [OUT]}
[ -d "$run/fio" ] && [ -d "$run/fio-plot" ] || { echo "no fio/ or fio-plot/ in $run (run: foliobench report $run)" >&2; exit 1; }
run=$(cd "$run" && pwd)
row=${2:-$(ls "$run/fio-plot" | head -1)}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
py=/usr/bin/python3 # Debian's python, which has the modules the tools import
clat2csv=$(command -v fio_jsonplus_clat2csv || true)
[ -n "$clat2csv" ] || { echo "fio_jsonplus_clat2csv not found: apt-get install -y fio" >&2; exit 2; }
for f in "$run"/fio/*.json; do
    stub="$out/$(basename "$f" .json).csv"
    "$py" "$clat2csv" "$f" "$stub" >/dev/null
    "$py" "$clat2csv" "$f" "$stub" --validate | sed 's/^/  /'
done
[ -n "${FIO_PLOT:-}" ] && [ -d "$FIO_PLOT/fio_plot" ] || { echo "set FIO_PLOT to a fio-plot source folder for the charts" >&2; exit 2; }
cd "$out"
base="$run/fio-plot/$row"
rw=$(ls "$base/bh"/*/ | grep -m1 -o '^[a-z]*')
for bs in $(ls "$base/bh"); do
    PYTHONPATH="$FIO_PLOT" "$py" -m fio_plot -i "$base/iomap/$bs" -T "$row $bs iomap" -l -r "$rw" >/dev/null
    PYTHONPATH="$FIO_PLOT" "$py" -m fio_plot -i "$base/bh/$bs" "$base/iomap/$bs" -T "$row $bs bh vs iomap" -C -r "$rw" \
        -d 1 -n 1 >/dev/null
    PYTHONPATH="$FIO_PLOT" "$py" -m fio_plot -i "$base/iomap/$bs" -T "$row $bs iomap latency" -H -r "$rw" -d 1 -n 1 >/dev/null
done
ls "$out"/*.png
