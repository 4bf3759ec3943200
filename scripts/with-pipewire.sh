#!/usr/bin/env bash
# Runs a command with a private, headless PipeWire server (null sink "conform",
# 48000 Hz stereo) reachable through ALSA's `pipewire` PCM, and stops the
# server afterwards, whatever happens.
#
#   scripts/with-pipewire.sh swift test --disable-xctest --filter ALSABackendTests
#
# Needs no D-Bus, systemd or sound card. WirePlumber links ALSA clients to the
# sink; it runs reduced to its linking policy and default nodes. The ALSA
# plugin comes from the pipewire-alsa package, which on Debian 12 conflicts
# with pulseaudio: when it is not installed, its .deb is downloaded and
# unpacked (not installed) into AUDIOHAL_PIPEWIRE_ALSA_DIR, and only the
# processes started here see it, through ALSA_CONFIG_PATH.
#
# The command sees AUDIOHAL_TEST_PIPEWIRE=1; its status is the script's.
# Afterwards conform runs on alsa:pipewire (scripts/conform-on-server.sh, as
# for PulseAudio): at its defaults into reports/conform-pipewire.* and at
# 1024-frame periods in an 8192-frame buffer into reports/conform-pipewire-1024.*.
# Both report without gating: at 256-frame periods the server's 5.3 ms graph
# cycle is missed now and then on a loaded two-core machine (a block of zeros
# or a lost block, no xrun told to the client; aplay and arecord are hit the
# same way; docs/real-devices.md).
# AUDIOHAL_PIPEWIRE_CONFORM=0 skips both.
# The server logs are kept as reports/pipewire.log and reports/wireplumber.log.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

"$repo/scripts/setup.sh" --pipewire

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
plugin_dir=${AUDIOHAL_PIPEWIRE_ALSA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/audiohal/pipewire-alsa}
runtime=$(mktemp -d "${TMPDIR:-/tmp}/audiohal-pipewire.XXXXXX")
chmod 700 "$runtime"

pids=()
stop_server() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    mkdir -p "$repo/reports"
    cp "$runtime/pipewire.log" "$repo/reports/pipewire.log" 2>/dev/null || true
    cp "$runtime/wireplumber.log" "$repo/reports/wireplumber.log" 2>/dev/null || true
    rm -rf "$runtime"
}
trap stop_server EXIT INT TERM

# The ALSA plugin: installed, or unpacked from the package.
if [ -e "/usr/lib/$arch/alsa-lib/libasound_module_pcm_pipewire.so" ] && [ -e /etc/alsa/conf.d/50-pipewire.conf ]; then
    alsa_config=""
else
    lib="$plugin_dir/usr/lib/$arch/alsa-lib"
    if [ ! -e "$lib/libasound_module_pcm_pipewire.so" ]; then
        download=$(mktemp -d)
        chmod 755 "$download"
        if ! (cd "$download" && apt-get download -q pipewire-alsa >/dev/null 2>&1); then
            echo "with-pipewire: could not download pipewire-alsa (apt-get download pipewire-alsa)" >&2
            rm -rf "$download"
            exit 2
        fi
        mkdir -p "$plugin_dir"
        dpkg-deb -x "$download"/pipewire-alsa_*.deb "$plugin_dir"
        rm -rf "$download"
    fi
    cat > "$runtime/alsa-pipewire.conf" <<CONF
pcm_type.pipewire { lib "$lib/libasound_module_pcm_pipewire.so" }
ctl_type.pipewire { lib "$lib/libasound_module_ctl_pipewire.so" }
CONF
    alsa_config="/usr/share/alsa/alsa.conf:$runtime/alsa-pipewire.conf:$plugin_dir/usr/share/alsa/alsa.conf.d/50-pipewire.conf"
fi

# The server: native protocol, the nodes and links a session manager needs, a
# timer driver for when no sink drives the graph, and the null sink.
cat > "$runtime/pipewire.conf" <<'CONF'
context.properties = {
    core.daemon = true
    core.name = pipewire-0
    support.dbus = false
    default.clock.rate = 48000
    default.clock.allowed-rates = [ 48000 ]
    mem.warn-mlock = false
    log.level = 2
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.* = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-rt args = { nice.level = -11 } flags = [ ifexists nofail ] }
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
    { name = libpipewire-module-session-manager }
]
context.objects = [
    { factory = spa-node-factory
      args = { factory.name = support.node.driver node.name = Dummy-Driver node.group = pipewire.dummy priority.driver = 20000 } }
    { factory = adapter
      args = { factory.name = support.null-audio-sink node.name = conform node.description = "conform null sink"
               media.class = Audio/Sink audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
               object.linger = true monitor.channel-volumes = false } }
]
CONF

# WirePlumber without device monitors, D-Bus plugins or stored state: default
# nodes (conform becomes the default sink, its monitor the default source)
# and the policy that links clients to them.
mkdir -p "$runtime/wireplumber/headless.lua.d" "$runtime/state"
cat > "$runtime/wireplumber/wireplumber.conf" <<'CONF'
context.properties = { log.level = 2 wireplumber.script-engine = lua-scripting }
context.spa-libs = { audio.convert.* = audioconvert/libspa-audioconvert support.* = support/libspa-support }
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-client-device }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-session-manager }
]
wireplumber.components = [
    { name = libwireplumber-module-lua-scripting, type = module }
    { name = headless.lua, type = config/lua }
]
CONF
cat > "$runtime/wireplumber/headless.lua.d/50-headless.lua" <<'CONF'
components = {}
local function load_module(name, args)
  components[name] = { "libwireplumber-module-" .. name, type = "module", args = args }
end
local function load_script(name, args)
  components[name] = { name, type = "script/lua", args = args }
end
local policy = { ["move"] = true, ["follow"] = true, ["filter.forward-format"] = false,
                 ["audio.no-dsp"] = false, ["duck.level"] = 0.3 }
load_module("metadata")
load_module("default-nodes", { ["use-persistent-storage"] = false, ["auto-echo-cancel"] = false })
-- policy-node.lua needs si-audio-endpoint loaded.
for _, name in ipairs({ "si-node", "si-audio-adapter", "si-standard-link", "si-audio-endpoint", "default-nodes-api", "mixer-api" }) do
  load_module(name)
end
load_script("create-item.lua", policy)
load_script("policy-node.lua", policy)
CONF

export XDG_RUNTIME_DIR="$runtime"
unset DBUS_SESSION_BUS_ADDRESS PIPEWIRE_REMOTE
PIPEWIRE_CONFIG_DIR="$runtime" setsid pipewire -c pipewire.conf </dev/null >"$runtime/pipewire.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -S "$runtime/pipewire-0" ] && break; sleep 0.05; done
if [ ! -S "$runtime/pipewire-0" ]; then
    echo "with-pipewire: the server did not start; its log:" >&2
    cat "$runtime/pipewire.log" >&2
    exit 2
fi
WIREPLUMBER_CONFIG_DIR="$runtime/wireplumber" XDG_STATE_HOME="$runtime/state" setsid wireplumber </dev/null >"$runtime/wireplumber.log" 2>&1 &
pids=("$!" "${pids[@]}")
# Ready once WirePlumber has made conform both the default sink and the default
# source, so the first stream is linked like every later one.
ready() {
    local key
    for key in default.audio.sink default.audio.source; do
        timeout 2 pw-metadata -n default 0 "$key" 2>/dev/null | grep -q '"conform"' || return 1
    done
}
for _ in $(seq 100); do ready && break; sleep 0.1; done
if ! ready; then
    echo "with-pipewire: WirePlumber did not make conform the default sink and source; the logs:" >&2
    cat "$runtime/pipewire.log" "$runtime/wireplumber.log" >&2
    exit 2
fi
[ -n "$alsa_config" ] && export ALSA_CONFIG_PATH="$alsa_config"
server_alive() { kill -0 "${pids[-1]}" 2>/dev/null; }

export AUDIOHAL_TEST_PIPEWIRE=1
status=0
"$@" || status=$?
if ! server_alive; then
    echo "with-pipewire: the server is no longer running; the end of its log:" >&2
    tail -40 "$runtime/pipewire.log" >&2 || true
    [ "$status" -eq 0 ] && status=1
fi

# conform on this server (scripts/conform-on-server.sh), reporting (above).
if [ "${AUDIOHAL_PIPEWIRE_CONFORM:-1}" = 1 ] && [ "$(basename "$1")" != conform ]; then
    "$repo/scripts/conform-on-server.sh" pipewire alsa:pipewire report || status=$(( status == 0 ? 1 : status ))
    if ! server_alive; then
        echo "with-pipewire: the server died during conform; the end of its log:" >&2
        tail -40 "$runtime/pipewire.log" >&2 || true
        [ "$status" -eq 0 ] && status=1
    fi
fi
exit "$status"
