#!/usr/bin/env bash
# The Buffers tests (rings, shared rings, blocks) under ThreadSanitizer, in a
# build folder of their own (.build-tsan) so the main build is left alone.
# The two-thread ring stress moves 64 MiB here instead of 1 GiB: the
# sanitizer slows every access down. The allocation counts are skipped
# (AUDIOHAL_SANITIZER): the sanitizer's malloc hides allocations from the
# interposer that counts them.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
AUDIOHAL_SANITIZER=thread AUDIOHAL_RING_STRESS_MIB=64 timeout 900 swift test --skip-build --sanitize=thread --scratch-path .build-tsan \
    --disable-xctest --filter BuffersTests
