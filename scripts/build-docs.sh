#!/usr/bin/env bash
# Builds the DocC documentation of every library module of the package (read
# from `swift package describe`, so a new module is covered when it is added)
# as one combined archive, and fails when a module's documentation has a
# warning: a symbol link that does not resolve or is ambiguous, a parameter
# left undocumented, a malformed article. First it fails when a relative link
# in README.md or docs/ names a file that does not exist.
#
# Links between modules are written from the root: ``/AudioHAL/HALError``.
# The archives land in .build/plugins/Swift-DocC/outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Relative links in the Markdown documents: [text](path) and [text](path#anchor).
python3 - <<'PY'
import glob, os, re, sys
broken = []
for document in ["README.md"] + sorted(glob.glob("docs/**/*.md", recursive=True)):
    text = open(document, encoding="utf-8").read()
    for number, line in enumerate(text.splitlines(), 1):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            path = target.split("#", 1)[0]
            if not path or re.match(r"[a-z][a-z0-9+.-]*:", path):
                continue
            if not os.path.exists(os.path.join(os.path.dirname(document), path)):
                broken.append(f"{document}:{number}: {target}")
if broken:
    print("build-docs: links to files that do not exist:\n  " + "\n  ".join(broken), file=sys.stderr)
    sys.exit(1)
PY

# Library modules: Swift targets under Sources/ that are not executables or tests.
mapfile -t modules < <(swift package describe --type json | python3 -c '
import json, sys
for target in json.load(sys.stdin)["targets"]:
    if target["type"] == "library" and target.get("module_type") == "SwiftTarget" and target["path"].startswith("Sources/"):
        print(target["name"])
')
if ((${#modules[@]} == 0)); then
    echo "build-docs: swift package describe listed no library module" >&2
    exit 1
fi

# Builds the combined documentation of the modules given; prints its problems
# and fails when there are any.
build() {
    local log arguments=() status=0
    log=$(mktemp)
    for module in "$@"; do
        arguments+=(--target "$module")
    done
    swift package generate-documentation "${arguments[@]}" --enable-experimental-combined-documentation \
        >"$log" 2>&1 || status=$?
    # SwiftPM drops -pthread from portaudio-2.0's pkg-config flags and says so
    # on every build; Swift on Linux links libpthread anyway. Not a doc problem.
    sed -i '/^warning: prohibited flag(s): -pthread$/d' "$log"
    if [ "$status" -ne 0 ] || grep -qE '^(warning|error):' "$log"; then
        grep -vE '^\[[0-9]+/[0-9]+\]' "$log" | grep -E -A7 '^(warning|error):' >&2 || tail -20 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

if ! build "${modules[@]}"; then
    echo "build-docs: the documentation of ${modules[*]} has problems (above)" >&2
    exit 1
fi
echo "build-docs: documentation of ${modules[*]} built with no warnings"
