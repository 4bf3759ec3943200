#!/usr/bin/env bash
# hal on a real sound server (tier 3): run inside scripts/with-pulseaudio.sh.
#
#   AUDIOHAL_PULSE_CONFORM=0 scripts/with-pulseaudio.sh scripts/hal-pulse.sh
#
# Plays 1 s of noise (after 0.1 s of silence) with `hal playrec` through ALSA's
# pulse PCM and finds it in each recording (scripts/hal-lag.py): RUNS starts
# (default 5) aligned by the round trip the device reports, at 256- and
# 1024-frame periods; then `conform --save-latency` measures the round trip at
# 256 and as many starts aligned by that measurement. Gating: hal exits 0 and
# the noise comes back (correlation ≥ 0.9) in every run. The residuals (how
# far from sample alignment each start was) are the measurement; they go to
# standard output and reports/hal-pulse.txt.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
hal="$repo/.build/debug/hal"
conform="$repo/.build/debug/conform"
runs=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/audiohal-hal-pulse.XXXXXX")
trap 'rm -rf "$work"' EXIT
export AUDIOHAL_LATENCY_FILE="$work/latency.json"
mkdir -p "$repo/reports"
exec > >(tee "$repo/reports/hal-pulse.txt") 2>&1

python3 - "$work/noise.wav" <<'PY'
import sys
import numpy as np, soundfile
noise = np.random.default_rng(7).integers(-16000, 16000, size=(48000, 2)).astype(np.int16)
silence = np.zeros((4800, 2), np.int16)
soundfile.write(sys.argv[1], np.concatenate([silence, noise, silence, silence]), 48000, subtype="PCM_16")
PY

status=0
starts() {
    local label=$1
    shift
    local files=()
    for run in $(seq "$runs"); do
        if ! timeout 60 "$hal" playrec "$work/noise.wav" "$work/$label-$run.wav" --device pulse "$@" 2> "$work/hal.err"; then
            echo "hal-pulse: hal playrec $* failed:"; cat "$work/hal.err"; status=1
            continue
        fi
        [ "$run" -eq 1 ] && head -1 "$work/hal.err"
        files+=("$work/$label-$run.wav")
    done
    echo "== $label: hal playrec IN OUT --device pulse $*, $runs starts"
    python3 "$repo/scripts/hal-lag.py" "$work/noise.wav" 4800 "${files[@]}" | sed "s|$work/||" || status=1
}

starts reported-256 --period 256 --align reported
starts reported-1024 --period 1024 --align reported
echo "== conform --device alsa:pulse --format s16 --checks loopback.latency --save-latency"
"$conform" --device alsa:pulse --format s16 --checks loopback.latency --save-latency | grep -E "^loopback.latency|^latency stored" || status=1
starts measured-256 --period 256 --align measured
exit "$status"
