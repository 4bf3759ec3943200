#!/usr/bin/env bash
# Installs the Debian packages AudioHAL's build and tests need, only those missing.
#   scripts/setup.sh            what building and the unit tests need (ALSA and libsndfile headers,
#                               pkg-config; Python's numpy and soundfile, which cross-check WAV files)
#   scripts/setup.sh --pulse    also the sound server (tier 3)
#   scripts/setup.sh --pipewire also the PipeWire server (tier 3; its ALSA plugin
#                               is unpacked by scripts/with-pipewire.sh, not installed)
#   scripts/setup.sh --vm       also the VM with kernel drivers (tier 4)
#   scripts/setup.sh --tests    every tier
set -euo pipefail

packages=(pkg-config libasound2-dev libsndfile1-dev portaudio19-dev)
pulse=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils)
pipewire=(pipewire pipewire-bin wireplumber)
# hal's tests pipe sox's output into hal, as a user does.
packages+=(sox)
vm=(qemu-system-x86 linux-image-amd64 busybox-static cpio kmod)
case "${1:-}" in
"") ;;
--pulse) packages+=("${pulse[@]}") ;;
--pipewire) packages+=("${pipewire[@]}") ;;
--vm) packages+=("${vm[@]}") ;;
--tests) packages+=("${pulse[@]}" "${pipewire[@]}" "${vm[@]}") ;;
*)
    echo "setup: unknown option '$1'; accepted: --pulse, --pipewire, --vm, --tests, or none" >&2
    exit 2
    ;;
esac

# The cross-checks run whichever python3 is first on PATH (not always Debian's),
# so its own pip provides numpy and soundfile when they are missing.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import numpy, soundfile' >/dev/null 2>&1; then
    echo "setup: installing numpy and soundfile for $(command -v python3)" >&2
    python3 -m pip install --quiet --disable-pip-version-check numpy soundfile >&2 ||
        echo "setup: pip could not install numpy and soundfile; the WAV cross-checks will fail" >&2
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
# PipeWire's recommends pull in its PulseAudio replacement, which conflicts with pulseaudio.
plain=() bare=()
for package in "${missing[@]}"; do
    if [[ " ${pipewire[*]} " == *" $package "* ]]; then bare+=("$package"); else plain+=("$package"); fi
done
((${#plain[@]} == 0)) || $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${plain[@]}" >&2
((${#bare[@]} == 0)) || $sudo apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${bare[@]}" >&2
