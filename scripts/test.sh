#!/usr/bin/env bash
# Sets up what the test suite needs (Debian packages included) and runs all of
# it, every tier:
#   1-2  unit tests and the loopback backend            swift test
#   3    a private PulseAudio server through ALSA        the same swift test run, inside
#                                                        scripts/with-pulseaudio.sh, which then
#                                                        reports conform --device alsa:pulse
#                                                        (reports/conform-pulse.*; not yet gating:
#                                                        see the README)
#   4    real kernel drivers (snd-dummy, snd-aloop)      scripts/alsa-vm.sh
# Reports (JSON, JUnit, logs) land in reports/. CI runs exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports

scripts/setup.sh --tests
swift build --build-tests

echo "== tiers 1-3: swift test --disable-xctest, with a private sound server"
scripts/with-pulseaudio.sh bash -c \
    'swift test --skip-build --disable-xctest 2>&1 | tee reports/swift-test.log; exit "${PIPESTATUS[0]}"'

echo "== tier 4: ALSA tests and conform --device hw:1 on kernel drivers in a VM"
ALSA_VM_OUT="$PWD/reports/alsa-vm" scripts/alsa-vm.sh

echo "== all tiers passed"
grep -E "Test run with [0-9]+ tests" reports/swift-test.log | tail -1
