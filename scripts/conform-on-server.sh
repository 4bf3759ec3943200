#!/usr/bin/env bash
# Runs conform on a private sound server's ALSA PCM, for CI to keep, the same
# way for every server (scripts/with-pulseaudio.sh and scripts/with-pipewire.sh
# call it once their server is up and their command has run):
#
#   scripts/conform-on-server.sh NAME DEVICE gate|report [gate|report]
#
# Twice, with --format s16 (the servers' null sinks carry 16-bit samples): at
# conform's defaults (256-frame periods, the backend's buffer) into
# reports/conform-NAME.{json,xml,txt}, then at 1024-frame periods in an
# 8192-frame buffer into reports/conform-NAME-1024.*. The audio of failing
# checks is kept in reports/conform-NAME-audio(-1024)/. The first mode is the
# defaults run's, the second (the first when left out) the 1024-frame run's.
# `gate`: a failed run is printed whole and the script exits 1. `report`: a
# failed run's failing lines are printed and it does not change the exit
# status. It does nothing (exit 0) when .build/debug/conform is not built.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

mode_ok() { [ "$1" = gate ] || [ "$1" = report ]; }
if [ "$#" -lt 3 ] || [ "$#" -gt 4 ] || ! mode_ok "$3" || ! mode_ok "${4:-$3}"; then
    echo "usage: $0 NAME DEVICE gate|report [gate|report]   (e.g. $0 pulse alsa:pulse gate)" >&2
    exit 2
fi
name=$1 device=$2 defaults_mode=$3 mode_1024=${4:-$3}
conform="$repo/.build/debug/conform"
[ -x "$conform" ] || exit 0
mkdir -p "$repo/reports"

status=0
run() { # gate or report, the report's name, then conform's options
    local mode=$1 report=$2
    shift 2
    local audio=${report/conform-$name/conform-$name-audio} settings=${*:-defaults}
    echo "conform --device $device --format s16 $* → reports/$report.json" >&2
    if "$conform" --device "$device" --format s16 "$@" --json "$repo/reports/$report.json" --junit "$repo/reports/$report.xml" \
        --save-failures "$repo/reports/$audio" > "$repo/reports/$report.txt" 2>&1; then
        tail -1 "$repo/reports/$report.txt" >&2
    elif [ "$mode" = gate ]; then
        echo "conform on $device ($settings) failed:" >&2
        cat "$repo/reports/$report.txt" >&2
        status=1
    else
        echo "conform on $device ($settings) did not pass (reported, not gating):" >&2
        grep -E "^[a-z.-]+ \[(fail|error)\]:|^conform: error|passed, " "$repo/reports/$report.txt" >&2 || true
    fi
}
run "$defaults_mode" "conform-$name"
run "$mode_1024" "conform-$name-1024" --period 1024 --buffer 8192
exit "$status"
