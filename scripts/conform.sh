#!/usr/bin/env bash
# Sets up what building needs and runs conform; with no arguments, the whole
# suite on the loopback backend. Arguments go to conform: scripts/conform.sh --device hw:1
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product conform >&2
exec .build/debug/conform "$@"
