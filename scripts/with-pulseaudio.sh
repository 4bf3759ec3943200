#!/usr/bin/env bash
# Runs a command with a private PulseAudio server (null sink "conform",
# s16le 48000 Hz stereo) reachable through ALSA's `pulse` and `default` PCMs,
# and stops the server afterwards, whatever happens.
#
#   scripts/with-pulseaudio.sh swift test --disable-xctest --filter ALSABackendTests
#
# Installs the packages it needs with apt-get when they are missing. The
# command sees AUDIOHAL_TEST_PULSE=1, which enables the sound-server tests.
# Afterwards conform runs on alsa:pulse, at its defaults and at 1024-frame
# periods (scripts/conform-on-server.sh: reports/conform-pulse*.json, .xml,
# .txt), and fails the script when either fails; AUDIOHAL_PULSE_CONFORM=0
# skips that. The server's log is kept as reports/pulse.log.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

"$repo/scripts/setup.sh" --pulse

runtime=$(mktemp -d "${TMPDIR:-/tmp}/audiohal-pulse.XXXXXX")
export XDG_RUNTIME_DIR="$runtime"
export HOME="$runtime/home"
mkdir -p "$HOME"
export PULSE_SERVER="unix:$runtime/pulse/native"

reader=""
server_alive() {
    [ -f "$runtime/pulse/pid" ] && kill -0 "$(cat "$runtime/pulse/pid" 2>/dev/null)" 2>/dev/null
}
stop_server() {
    [ -n "$reader" ] && kill "$reader" 2>/dev/null || true
    if [ -f "$runtime/pulse/pid" ]; then
        kill "$(cat "$runtime/pulse/pid")" 2>/dev/null || true
        for _ in $(seq 50); do
            server_alive || break
            sleep 0.1
        done
    fi
    # The server's log is kept with the other reports.
    mkdir -p "$repo/reports" && cp "$runtime/pulse.log" "$repo/reports/pulse.log" 2>/dev/null || true
    rm -rf "$runtime"
}
trap stop_server EXIT INT TERM

# Audio moves through POSIX shared memory, memfd off: with memfd transport
# this server aborts when a client disconnects while a block it sent is still
# referenced ("Cannot send block reference with non-registered memfd ID", then
# an assertion in memblock_replace_import; PulseAudio issue 824). Without
# shared memory at all, every block crosses the socket through the server's
# main thread, which is not real time: with builds running beside it, streams
# lost stretches of audio with no xrun reported to the client.
# The resampler is soxr's very high quality one: conform judges converted rates
# by an SNR of 60 dB, which the default speex-float-1 does not reach at 88.2
# and 96 kHz (about 52 dB). AUDIOHAL_PULSE_RESAMPLER picks another.
pulseaudio -n --daemonize=yes --exit-idle-time=-1 --disable-shm=no --enable-memfd=no \
    --resample-method="${AUDIOHAL_PULSE_RESAMPLER:-soxr-vhq}" \
    --log-target="file:$runtime/pulse.log" --log-level=info --log-time=yes \
    -L "module-native-protocol-unix" \
    -L "module-null-sink sink_name=conform rate=48000 format=s16le channels=2" \
    -L "module-always-sink" 2>/dev/null

for _ in $(seq 100); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
done
if ! pactl info >/dev/null 2>&1; then
    echo "with-pulseaudio: the server did not start; its log:" >&2
    cat "$runtime/pulse.log" >&2 || true
    exit 2
fi
pactl set-default-sink conform
pactl set-default-source conform.monitor

# The null sink renders in cycles as long as the lowest latency its clients
# ask for, and 2 s when it has none: the first stream to connect then waits up
# to 2 s for its first period (every start did, so conform's 100 open/close
# cycles took 200 s). A real card's sink wakes sooner. A silent reader of the
# monitor asking for 50 ms keeps the idle cycle short without touching the
# audio (10 ms made the sink glitch under load). AUDIOHAL_PULSE_READER=0
# leaves it out, AUDIOHAL_PULSE_READER_MS sets its latency.
[ "${AUDIOHAL_PULSE_READER:-1}" = 1 ] && parec --device=conform.monitor --latency-msec=${AUDIOHAL_PULSE_READER_MS:-50} --format=s16le --rate=48000 --channels=2 >/dev/null 2>&1 &
reader=$(jobs -p | tail -1)
# Connected, and past the idle cycle the sink was in when it connected.
for _ in $(seq 50); do
    pactl list short source-outputs 2>/dev/null | grep -q . && break
    sleep 0.1
done
sleep 2.1

export AUDIOHAL_TEST_PULSE=1
status=0
"$@" || status=$?

# A server that died under the command explains every failure after it: say so
# and show the end of its log before it is removed.
if ! server_alive; then
    echo "with-pulseaudio: the server is no longer running; the end of its log:" >&2
    tail -40 "$runtime/pulse.log" >&2 || true
    [ "$status" -eq 0 ] && status=1
fi

# conform on this server (scripts/conform-on-server.sh: at its defaults and at
# 1024-frame periods, into reports/conform-pulse*), gating: the command's
# status stands only if conform passes too. Then the same server through
# PortAudio, at conform's defaults, every check, gating, into
# reports/conform-portaudio.* (duplex runs there as two PortAudio streams:
# docs/portaudio.md, "Duplex on a sound server").
# AUDIOHAL_PULSE_CONFORM=0 skips them all; so does a command that was conform itself.
conform="$repo/.build/debug/conform"
if [ "${AUDIOHAL_PULSE_CONFORM:-1}" = 1 ] && [ -x "$conform" ] && [ "$(basename "$1")" != conform ]; then
    "$repo/scripts/conform-on-server.sh" pulse alsa:pulse gate || status=$(( status == 0 ? 1 : status ))
    portaudio_conform() {
        local name=$1 gate=$2
        shift 2
        echo "with-pulseaudio: conform --backend portaudio --device pulse --format s16 $* → reports/$name.json" >&2
        if ! "$conform" --backend portaudio --device pulse --format s16 "$@" --json "$repo/reports/$name.json" \
            --junit "$repo/reports/$name.xml" > "$repo/reports/$name.txt" 2> "$repo/reports/$name.stderr"; then
            echo "with-pulseaudio: conform on portaudio:pulse ($*) failed$([ "$gate" = 1 ] || echo ', not gating'):" >&2
            cat "$repo/reports/$name.txt" >&2
            [ "$gate" = 1 ] && [ "$status" -eq 0 ] && status=1
        fi
        tail -1 "$repo/reports/$name.txt" >&2
    }
    portaudio_conform conform-portaudio 1
    if ! server_alive; then
        echo "with-pulseaudio: the server died during conform; the end of its log:" >&2
        tail -40 "$runtime/pulse.log" >&2 || true
        [ "$status" -eq 0 ] && status=1
    fi
fi
exit "$status"
