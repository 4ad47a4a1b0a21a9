#!/usr/bin/env bash
# Fails when any Go module of the repository (every go.mod outside node_modules) is
# not tidy: `go mod tidy -diff` would change its go.mod or go.sum. Usage:
# tidy-check.sh [ROOT]
set -euo pipefail
cd "${1:-.}"
status=0
mods=$(find . -name go.mod -not -path '*/node_modules/*' | sort)
[ -n "$mods" ] || { echo "tidy-check: no go.mod found under $PWD"; exit 1; }
for m in $mods; do
  dir=$(dirname "$m")
  if ! out=$(cd "$dir" && go mod tidy -diff 2>&1); then
    echo "tidy-check: $dir is not tidy: run (cd $dir && go mod tidy) and commit the result"
    echo "$out" | head -40
    status=1
  fi
done
[ $status -eq 0 ] && echo "tidy-check: $(echo "$mods" | wc -l) modules tidy"
exit $status
