#!/usr/bin/env bash
# Fuzzes the WAV header parser (Sources/Buffers/WaveHeaderParser.swift) with
# libFuzzer under the address sanitizer for a bounded time, starting from the
# small real files in Tests/Fuzz/WaveHeaderCorpus (written by libsndfile, plus
# hand-made damaged ones). Fails when an input crashes the parser, reads
# outside the input, or breaks what it promises about an accepted file; the
# input is left in .build-fuzz/crashes/ to become a regression test.
#
#   scripts/fuzz-wave-header.sh [SECONDS]     (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out/corpus" "$out/crashes"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name WaveHeaderFuzz \
    Sources/Buffers/WaveHeaderParser.swift Sources/Buffers/WaveLayout.swift Sources/Buffers/WaveWarning.swift \
    Sources/Buffers/AudioFileError.swift Sources/Buffers/SampleType.swift Tests/Fuzz/WaveHeaderFuzz.swift \
    -o "$out/wave-header-fuzz"
cp Tests/Fuzz/WaveHeaderCorpus/* "$out/corpus/"
status=0
"$out/wave-header-fuzz" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/" "$out/corpus" || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzz-wave-header: the parser failed on an input; see $out/crashes/ (exit $status)" >&2
    exit 1
fi
echo "fuzz-wave-header: $seconds s of fuzzing found no crash ($(ls "$out/corpus" | wc -l) inputs in the corpus)"
