#!/usr/bin/env bash
# Runs every benchmark of the Benchmarks package and prints the comparisons
# they made, from reports/bench.jsonl (one JSON object per comparison:
# name, ours, peer, unit, ratio; ratio > 1 means ours did better).
#   scripts/bench.sh                       all benchmarks
#   scripts/bench.sh --filter 'Ring.*'     arguments go to `swift package benchmark`
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
export AUDIOHAL_BENCH_REPORT="$PWD/reports/bench.jsonl"
: > "$AUDIOHAL_BENCH_REPORT"

(cd Benchmarks && swift package --disable-sandbox benchmark --no-progress "$@")

echo
echo "== reports/bench.jsonl on $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
python3 - "$AUDIOHAL_BENCH_REPORT" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def figure(value):
    return "-" if value is None else f"{value:.6g}"
print("| comparison | ours | peer | unit | ratio |")
print("| --- | ---: | ---: | --- | ---: |")
for row in rows:
    ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
    print(f"| {row['name']} | {figure(row['ours'])} | {figure(row['peer'])} | {row['unit']} | {ratio} |")
PY
