#!/usr/bin/env bash
# Sets up what the test suite needs (Debian packages included) and runs all of
# it, every tier:
#   1    a program using only AudioHAL and LoopbackBackend scripts/build-without-audio-libs.sh
#        builds and runs with every audio library hidden
#   1    the WAV header parser under libFuzzer, 60 s     scripts/fuzz-wave-header.sh
#   1-2  unit tests and the loopback backend            swift test --skip ALSABackendTests
#   3    a private PulseAudio server through ALSA        swift test --filter ALSABackendTests after
#                                                        it; both inside
#                                                        scripts/with-pulseaudio.sh, which then
#                                                        runs conform --device alsa:pulse at its
#                                                        defaults and at period 1024
#                                                        (reports/conform-pulse*.*), and conform
#                                                        --backend portaudio --device pulse
#                                                        (reports/conform-portaudio*.*)
#   3    hal playrec through the same server, 15 starts  scripts/hal-pulse.sh (reports/hal-pulse.txt)
#   3    a private PipeWire server through ALSA          scripts/with-pipewire.sh: the wake-up
#                                                        tests (gating), then conform --device alsa:pipewire
#                                                        (reports/conform-pipewire*.*, not gating)
#   4    real kernel drivers (snd-dummy, snd-aloop)      scripts/alsa-vm.sh (conform through
#                                                        PortAudio on hw:1 there is reported, not gating)
# Before the tiers: the DocC documentation builds without warnings (scripts/build-docs.sh),
# and docs/conform.md is what scripts/generate-docs.sh writes from conform's own help.
# Reports (JSON, JUnit, logs) land in reports/. CI runs exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports

scripts/setup.sh --tests
swift build --build-tests
scripts/build-docs.sh
scripts/generate-docs.sh --check

echo "== tier 1: a program using only AudioHAL and LoopbackBackend builds and runs with every audio system library hidden"
no_audio_libs=0
scripts/build-without-audio-libs.sh > reports/build-without-audio-libs.log 2>&1 || no_audio_libs=$?
tail -1 reports/build-without-audio-libs.log

echo "== tier 1: the WAV header parser under libFuzzer for 60 s (scripts/fuzz-wave-header.sh)"
fuzz=0; scripts/fuzz-wave-header.sh > reports/fuzz-wave-header.log 2>&1 || fuzz=$?; tail -1 reports/fuzz-wave-header.log

echo "== tier 1: the Buffers tests under ThreadSanitizer (scripts/tsan-buffers.sh, .build-tsan)"
tsan_buffers=0
scripts/tsan-buffers.sh > reports/tsan-buffers.log 2>&1 || tsan_buffers=$?
grep -E "Test run with|ThreadSanitizer|error:" reports/tsan-buffers.log | tail -3 || true

echo "== tiers 1-3: swift test --disable-xctest, with a private sound server, and conform on it"
# The sound-server tests (ALSABackendTests, then PortAudioBackendTests) run
# after the others, on their own: beside the real-time loopback tests, which
# keep both cores busy, the server was starved into an underrun in the middle
# of a bit-exact loop; and two suites looping audio through the one server at
# once broke each other's loops (ALSA's bit-exact loop: 2163 of 24000 frames).
# For the same reason each of those runs is --no-parallel: the suites within
# ALSABackendTests that loop audio through the server (an 11025 Hz loop came
# back at SNR -3 dB beside the others, whole alone) take turns.
tiers_1_3=0
scripts/with-pulseaudio.sh bash -c '
    status=0
    swift test --skip-build --disable-xctest --skip "ALSABackendTests|PortAudioBackendTests" 2>&1 | tee reports/swift-test.log
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    swift test --skip-build --disable-xctest --no-parallel --filter ALSABackendTests 2>&1 | tee reports/swift-test-alsa.log
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    swift test --skip-build --disable-xctest --no-parallel --filter PortAudioBackendTests 2>&1 | tee reports/swift-test-portaudio.log
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    echo "== tier 3: hal playrec through ALSA'"'"'s pulse PCM: the round trip, and how close the alignment gets (scripts/hal-pulse.sh)"
    scripts/hal-pulse.sh || status=1
    exit "$status"' || tiers_1_3=$?

echo "== tier 3: PipeWire through ALSA, and conform on it"
pipewire=0
scripts/with-pipewire.sh swift test --skip-build --disable-xctest --filter SoundServerWakeupTests 2>&1 | tee reports/swift-test-pipewire.log || pipewire=$?

# Tier 4 runs whatever tiers 1-3 gave, so every report is there to read.
echo "== tier 4: ALSA tests and conform --device hw:1 on kernel drivers in a VM"
tier_4=0
ALSA_VM_OUT="$PWD/reports/alsa-vm" scripts/alsa-vm.sh || tier_4=$?

grep -hE "Test run with [0-9]+ tests" reports/swift-test.log reports/swift-test-alsa.log reports/swift-test-portaudio.log reports/swift-test-pipewire.log | tail -4 || true
if [ "$no_audio_libs" -ne 0 ] || [ "$fuzz" -ne 0 ] || [ "$tsan_buffers" -ne 0 ] || [ "$tiers_1_3" -ne 0 ] || [ "$pipewire" -ne 0 ] || [ "$tier_4" -ne 0 ]; then
    # What failed, last, where a truncated log still shows it.
    echo "== what failed" >&2
    {
        grep -hE "^✘ Test .* (recorded an issue|failed after)" reports/swift-test.log reports/swift-test-alsa.log reports/swift-test-portaudio.log reports/swift-test-pipewire.log reports/alsa-vm/guest.log 2>/dev/null | cut -c1-300 | head -20
        grep -hE "^[a-z.-]+ \[(fail|error)\]: |^conform: error" reports/conform-pulse*.txt reports/conform-portaudio.txt reports/conform-pipewire*.txt reports/alsa-vm/guest.log 2>/dev/null | cut -c1-300 | head -20
        grep -hE "^conform failed once" reports/alsa-vm/guest.log 2>/dev/null | head -1
        [ "$no_audio_libs" -eq 0 ] || tail -20 reports/build-without-audio-libs.log
        [ "$fuzz" -eq 0 ] || grep -E "ERROR|fuzz-wave-header" reports/fuzz-wave-header.log | head -5
        [ "$tsan_buffers" -eq 0 ] || grep -hE "^✘|WARNING: ThreadSanitizer|SUMMARY" reports/tsan-buffers.log | head -20
    } >&2 || true
    echo "== failed: build without audio libraries exit $no_audio_libs, fuzzing exit $fuzz, ThreadSanitizer Buffers tests exit $tsan_buffers, tiers 1-3 exit $tiers_1_3, PipeWire exit $pipewire, tier 4 exit $tier_4 (reports/ has the details)" >&2
    exit 1
fi
echo "== all tiers passed"
