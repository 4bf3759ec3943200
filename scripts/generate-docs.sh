#!/usr/bin/env bash
# Writes docs/conform.md from docs/templates/conform.md and what conform says
# of itself: `conform --help` replaces {{conform --help}}, and each check of
# `conform --list-checks` (id, summary, criterion) replaces {{conform --list-checks}}.
#   scripts/generate-docs.sh           rewrite docs/conform.md
#   scripts/generate-docs.sh --check   fail when docs/conform.md is not what it would write
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
*)
    echo "generate-docs: unknown option '$1'; accepted: --check, or none" >&2
    exit 2
    ;;
esac

swift build --product conform >&2
conform=.build/debug/conform
generated=$(mktemp)
help=$(mktemp)
checks=$(mktemp)
trap 'rm -f "$generated" "$help" "$checks"' EXIT
# A fixed width, whatever terminal runs this, so the text is the same everywhere.
COLUMNS=80 "$conform" --help </dev/null >"$help" 2>&1
"$conform" --list-checks </dev/null >"$checks"

python3 - docs/templates/conform.md "$help" "$checks" >"$generated" <<'PY'
import sys

template, help_path, checks_path = sys.argv[1:4]

def checks_markdown(text):
    """Each check of `conform --list-checks` as a heading, its summary and its criterion."""
    checks, current = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = {"id": line.strip(), "summary": None, "criterion": None}
            checks.append(current)
        elif current is not None and line.strip().startswith("criterion: ") and current["criterion"] is None:
            current["criterion"] = line.strip()[len("criterion: "):]
        elif current is not None and current["summary"] is None:
            current["summary"] = line.strip()
        else:
            sys.exit(f"generate-docs: line {number} of conform --list-checks is not an id, a summary or a "
                     f"criterion: {line!r}; update scripts/generate-docs.sh to its new form")
    if not checks or any(c["summary"] is None or c["criterion"] is None for c in checks):
        sys.exit("generate-docs: conform --list-checks gave a check without a summary or criterion")
    def sentence(text):
        return text if text.endswith((".", "!", "?")) else text + "."
    parts = []
    for c in checks:
        summary = sentence(c["summary"][0].upper() + c["summary"][1:])
        parts.append(f"### `{c['id']}`\n\n{summary}\n\n**Passes when:** {sentence(c['criterion'])}\n")
    return "\n".join(parts)

text = open(template, encoding="utf-8").read()
help_text = open(help_path, encoding="utf-8").read().rstrip("\n")
listing = open(checks_path, encoding="utf-8").read()
for marker, value in [("{{conform --help}}", "```\n" + help_text + "\n```"),
                      ("{{conform --list-checks}}", checks_markdown(listing).rstrip("\n"))]:
    if text.count(marker) != 1:
        sys.exit(f"generate-docs: {template} must hold {marker} once")
    text = text.replace(marker, value)
sys.stdout.write("<!-- Written by scripts/generate-docs.sh from docs/templates/conform.md and conform's "
                 "--help and --list-checks: edit those, then run the script. -->\n\n" + text)
PY

if [ "$check" -eq 1 ]; then
    if ! diff -u docs/conform.md "$generated" >&2; then
        echo "generate-docs: docs/conform.md is stale (diff above): run scripts/generate-docs.sh and commit it" >&2
        exit 1
    fi
    echo "generate-docs: docs/conform.md is up to date"
else
    cp "$generated" docs/conform.md
    echo "generate-docs: wrote docs/conform.md"
fi
