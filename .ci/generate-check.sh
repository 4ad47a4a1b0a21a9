#!/usr/bin/env bash
# Regenerates the code of one Go module into its tree (go generate ./...) and fails if
# any *.gen.go file changed, appeared or disappeared. Usage: generate-check.sh [DIR]
set -euo pipefail
cd "${1:-.}"
snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
list() { find . -name '*.gen.go' -not -path './examples/*' -not -path './spec-tools/*' | sort; }
for f in $(list); do mkdir -p "$snap/$(dirname "$f")"; cp "$f" "$snap/$f"; done
list > "$snap/.before"
go generate ./...
status=0
for f in $(list); do
  if [ ! -f "$snap/$f" ]; then
    echo "generate-check: $PWD/$f is new: run go generate and commit it"; status=1
  elif ! cmp -s "$f" "$snap/$f"; then
    echo "generate-check: $PWD/$f was stale (regenerated now): commit it"
    diff -u "$snap/$f" "$f" | head -40 || true
    status=1
  fi
done
for f in $(cat "$snap/.before"); do
  [ -f "$f" ] || { echo "generate-check: $PWD/$f is no longer generated: remove it"; status=1; }
done
[ $status -eq 0 ] && echo "generate-check: generated code in $PWD is up to date"
exit $status
