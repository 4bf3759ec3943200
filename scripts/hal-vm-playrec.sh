#!/bin/sh
# Runs in the kernel VM's guest (scripts/alsa-vm.sh): hal playrec on the
# snd-aloop card hw:1, aligned by the round trip conform measures and stores
# just before, must give back the played file byte for byte.
#
#   scripts/hal-vm-playrec.sh PERIOD IN.wav WORKDIR
#
# Up to three runs, stopping at the first that passes. Every run is judged:
# one without xruns must give back IN.wav exactly (otherwise exit 1 at once);
# one with xruns is shown and counts as a failed try. Three tries with xruns
# fail too (exit 1). In the emulated guest on a loaded two-core host about one
# run in six had a device xrun pair (docs/hal.md), so a pass costs one run
# (about 7 s) nearly always.
set -u
period=$1 input=$2 work=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
export AUDIOHAL_LATENCY_FILE="$work/latency.json"
"$repo/.build/debug/conform" --device hw:1 --period "$period" --checks loopback.latency --save-latency > "$work/hal-latency.log" 2>&1 ||
    { echo "hal-vm: conform --save-latency failed:"; cat "$work/hal-latency.log"; exit 1; }
grep -E "^latency stored" "$work/hal-latency.log"
cp "$input" /tmp/hal-in.wav
for run in 1 2 3; do
    "$repo/.build/debug/hal" playrec /tmp/hal-in.wav /tmp/hal-out.wav --device hw:1 --period "$period" 2> /tmp/hal.err
    status=$?
    cat /tmp/hal.err
    [ "$status" -eq 0 ] || { echo "hal-vm: run $run: hal playrec exited $status"; exit 1; }
    if grep -q ", 0 xruns to " /tmp/hal.err; then
        cmp /tmp/hal-in.wav /tmp/hal-out.wav || { echo "hal-vm: run $run, without xruns, did not give back the played file"; exit 1; }
        echo "hal-vm: run $run gave back the played file byte for byte, without xruns"
        exit 0
    fi
    echo "hal-vm: run $run had device xruns (shown above)"
done
echo "hal-vm: three runs had xruns; hal playrec did not run clean on hw:1"
exit 1
