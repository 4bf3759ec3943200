#!/usr/bin/env bash
# Installs the Debian packages AudioHAL's build and tests need, only those missing.
#   scripts/setup.sh            what building needs (ALSA headers, pkg-config)
#   scripts/setup.sh --tests    also the sound server (tier 3) and the VM with kernel drivers (tier 4)
set -euo pipefail

packages=(pkg-config libasound2-dev)
if [[ "${1:-}" == "--tests" ]]; then
    packages+=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils)
    packages+=(qemu-system-x86 linux-image-amd64 busybox-static cpio kmod)
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
$sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
