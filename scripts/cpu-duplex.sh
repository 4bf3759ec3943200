#!/usr/bin/env bash
# CPU cost of a duplex stream through an ALSA device, AudioHAL's ALSA backend
# beside alsa-utils, in one run: CPU seconds (user + system, whole process, as
# /usr/bin/time counts them) per second of audio for SECONDS of 48 kHz stereo
# s16 at 256-frame periods. AudioHAL: one process (alsa-duplex-load) copying
# capture to playback. alsa-utils: arecord and aplay on the same device at the
# same period and buffer, side by side. Three rounds; the median ratio is the
# figure. Needs the device's server running, e.g.
#
#   scripts/with-pulseaudio.sh scripts/cpu-duplex.sh pulse
#   scripts/with-pipewire.sh scripts/cpu-duplex.sh pipewire
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-pulse}
seconds=${2:-10}
period=256

swift build -c release --product alsa-duplex-load >&2
load=$(swift build -c release --show-bin-path)/alsa-duplex-load
work=$(mktemp -d "${TMPDIR:-/tmp}/audiohal-cpu.XXXXXX")
trap 'rm -rf "$work"' EXIT

cpu() { awk '{ printf "%.3f", $1 + $2 }' "$1"; }
ratios=()
for round in 1 2 3; do
    /usr/bin/time -f "%U %S" -o "$work/ours" "$load" "$device" "$seconds" "$period" > "$work/ours.out"
    buffer=$(sed -n 's/.*buffer \([0-9]*\).*/\1/p' "$work/ours.out")
    xruns=$(sed -n 's/.* \([0-9]*\) xruns.*/\1/p' "$work/ours.out")
    common=(-D "$device" -t raw -f S16_LE -r 48000 -c 2 --period-size="$period" --buffer-size="$buffer" -d "$seconds" -q)
    /usr/bin/time -f "%U %S" -o "$work/arecord" arecord "${common[@]}" /dev/null &
    recorder=$!
    /usr/bin/time -f "%U %S" -o "$work/aplay" aplay "${common[@]}" /dev/zero
    wait "$recorder"
    ours=$(cpu "$work/ours")
    theirs=$(awk -v a="$(cpu "$work/aplay")" -v b="$(cpu "$work/arecord")" 'BEGIN { printf "%.3f", a + b }')
    ratio=$(awk -v o="$ours" -v t="$theirs" 'BEGIN { printf "%.2f", (t > 0 ? o / t : 0) }')
    ratios+=("$ratio")
    printf 'round %d: %s period %d buffer %d: AudioHAL %.4f CPU s per audio s (%s xruns), aplay + arecord %.4f; ratio %s\n' \
        "$round" "$device" "$period" "$buffer" "$(awk -v c="$ours" -v s="$seconds" 'BEGIN { print c / s }')" "$xruns" \
        "$(awk -v c="$theirs" -v s="$seconds" 'BEGIN { print c / s }')" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)
echo "median ratio AudioHAL / alsa-utils on $device: $median (target ≤ 2)"
