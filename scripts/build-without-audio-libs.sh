#!/usr/bin/env bash
# Builds and runs a program that depends only on the AudioHAL and
# LoopbackBackend products (the README's example) with every audio system
# library hidden: the headers, pkg-config files and libraries of ALSA,
# PortAudio and libsndfile are covered in a private mount namespace, as on a
# machine that never installed them. Fails when the build needs them, when the
# program links libasound, libportaudio or libsndfile, or when it does not run.
#
#   scripts/build-without-audio-libs.sh
#
# Needs root (or user namespaces) for unshare --mount; CI runs as root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/audiohal-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<EOF
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "consumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "AudioHAL", path: "$repo")],
    targets: [
        .executableTarget(
            name: "consumer",
            dependencies: [
                .product(name: "AudioHAL", package: "AudioHAL"),
                .product(name: "LoopbackBackend", package: "AudioHAL"),
                // Built, not imported by the example: Streams must need no audio system library either.
                .product(name: "Streams", package: "AudioHAL"),
            ])
    ]
)
EOF
cp "$repo/Examples/AudioHALExample/Example.swift" "$work/consumer/Sources/consumer/Example.swift"

export CONSUMER="$work/consumer"
unshare --mount bash -euo pipefail -c '
    mount --make-rprivate /
    # Every ALSA and libsndfile header, pkg-config file and library the machine has.
    hidden=0
    for path in /usr/include/alsa /usr/include/portaudio.h /usr/include/pulse /usr/include/sndfile.h /usr/include/sndfile.hh; do
        if [ -d "$path" ]; then mount -t tmpfs none "$path"; hidden=$((hidden + 1)); fi
        if [ -f "$path" ]; then mount --bind /dev/null "$path"; hidden=$((hidden + 1)); fi
    done
    for file in $(find /usr/lib /usr/share/pkgconfig /lib -name "libasound.so*" -o -name "alsa.pc" -o -name "portaudio*.pc" -o -name "libportaudio.so*" -o -name "sndfile.pc" -o -name "libsndfile.so*" 2>/dev/null); do
        [ -L "$file" ] && continue
        mount --bind /dev/null "$file"
        hidden=$((hidden + 1))
    done
    echo "build-without-audio-libs: $hidden audio headers, pkg-config files and libraries hidden"
    if pkg-config --exists alsa 2>/dev/null; then echo "build-without-audio-libs: pkg-config still finds alsa" >&2; exit 1; fi
    if pkg-config --exists portaudio-2.0 2>/dev/null; then echo "build-without-audio-libs: pkg-config still finds portaudio-2.0" >&2; exit 1; fi
    if pkg-config --exists sndfile 2>/dev/null; then echo "build-without-audio-libs: pkg-config still finds sndfile" >&2; exit 1; fi
    cd "$CONSUMER"
    swift build --product consumer
    if ldd .build/debug/consumer | grep -qE "asound|portaudio|sndfile"; then
        echo "build-without-audio-libs: the program links libasound, libportaudio or libsndfile:" >&2
        ldd .build/debug/consumer >&2
        exit 1
    fi
    AUDIOHAL_BACKEND=loopback .build/debug/consumer
'
echo "build-without-audio-libs: a program using AudioHAL and LoopbackBackend built and ran with no audio system library"
