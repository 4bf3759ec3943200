#!/usr/bin/env bash
# Sets up what the test suite needs and runs all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build --disable-xctest
