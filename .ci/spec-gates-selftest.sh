#!/usr/bin/env bash
# Shows that every spec gate can fail: each runs on a deliberately broken copy of
# openapi.yaml (or a drifted generated file) and must fail for the stated reason.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
gen=examples/downstream/imagesapi/imagesapi.gen.go
cp "$gen" "$tmp/gen.backup"
tssigner=spec-tools/ts/client/signer.mts
cp "$tssigner" "$tmp/signer.backup"
cleanup() {
  cp "$tmp/gen.backup" "$gen"
  cp "$tmp/signer.backup" "$tssigner"
  spec-tools/run ts openapi.yaml >/dev/null 2>&1 || true # types back from the real spec
  rm -rf "$tmp"
}
trap cleanup EXIT

# expect_failure NAME PATTERN COMMAND...: COMMAND must fail and print PATTERN.
expect_failure() {
  local name=$1 pattern=$2
  shift 2
  if out=$("$@" 2>&1); then
    echo "selftest: gate '$name' PASSED a broken input; it must fail" >&2
    echo "$out" | tail -20 >&2
    exit 1
  fi
  if ! grep -qE -- "$pattern" <<<"$out"; then
    echo "selftest: gate '$name' failed, but not for the expected reason ($pattern):" >&2
    echo "$out" | tail -20 >&2
    exit 1
  fi
  echo "selftest: gate '$name' fails on a broken input, as it must ($pattern)"
}

# An invalid document: a property of a type that does not exist.
sed 's/^          description: The image name\.$/          description: The image name.\n          type: strin/' openapi.yaml |
  awk '!(/^          type: string$/ && prev ~ /^        name:$/) {print} {prev=$0}' > "$tmp/invalid.yaml"
grep -q 'type: strin$' "$tmp/invalid.yaml"
expect_failure "libopenapi document validation" "properties.name.type" \
  env VMIMAGE_SPEC="$tmp/invalid.yaml" bash -c 'cd spec-tools/gotools && go test -count=1 -run TestDocumentIsValidForLibopenapi ./...'
expect_failure "kin-openapi document validation" "unsupported .type. value \"strin\"" \
  go run ./.ci/kinvalidate "$tmp/invalid.yaml"

# A lint violation: a property without an example.
awk '{print} /^        sizeMB:$/ {getline; print; getline; print; getline; next}' openapi.yaml > "$tmp/lint.yaml"
expect_failure "Spectral lint" "vmimage-property-example" spec-tools/run lint "$tmp/lint.yaml"

# A breaking change: a response enum grows.
sed 's/enum: \[pending, ready, deleting, error\]/enum: [pending, ready, deleting, error, archived]/' openapi.yaml > "$tmp/breaking.yaml"
expect_failure "oasdiff breaking-change gate" "response-property-enum-value-added" \
  bash -c "cd spec-tools/gotools && go run github.com/oasdiff/oasdiff breaking ../../api/released/openapi.yaml '$tmp/breaking.yaml' --fail-on ERR"

# A TypeScript type error: progress becomes a number, and the consumer reads a string.
awk '/^        progress:$/ {print; getline; print "          type: integer"; getline; getline; print "          description: Progress."; next} {print}' openapi.yaml > "$tmp/ts.yaml"
grep -A2 '^        progress:$' "$tmp/ts.yaml" | grep -q 'type: integer'
expect_failure "TypeScript consumer" "error TS" spec-tools/run ts "$tmp/ts.yaml"

# The TypeScript runtime client: a step of the signer that departs from the security
# scheme's words fails against the fake: the path signed as sent instead of
# canonicalized (rule 5), or the hash of an empty body signed for a write's body
# (rule 7). So does a spec that no longer matches the fake (a read's or a write's path
# renamed).
go build -o "$tmp/vmimage" ./cmd/vmimage
sed -i 's|const path = canonicalPath(input.url.pathname); // CANONICAL-PATH|const path = input.url.pathname;|' "$tssigner"
grep -q 'const path = input.url.pathname;$' "$tssigner"
expect_failure "TypeScript client, a wrong signing step (path)" "not ok .* an id that needs escaping" spec-tools/run ts-client "$tmp/vmimage"
cp "$tmp/signer.backup" "$tssigner"
sed -i 's|const body = request.body === null ? "" : await request.clone().text(); // BODY-HASH|const body = "";|' "$tssigner"
grep -q 'const body = "";$' "$tssigner"
expect_failure "TypeScript client, a wrong signing step (body hash)" "not ok .* every write operation succeeds" spec-tools/run ts-client "$tmp/vmimage"
cp "$tmp/signer.backup" "$tssigner"
sed 's|^  /regions/{regionId}/images/{imageId}/members:$|  /regions/{regionId}/images/{imageId}/sharing:|' openapi.yaml > "$tmp/renamed.yaml"
grep -q '/sharing:$' "$tmp/renamed.yaml"
expect_failure "TypeScript client, spec and fake disagree (a read)" "error TS" spec-tools/run ts-client "$tmp/vmimage" "$tmp/renamed.yaml"
sed 's|^  /regions/{regionId}/images/{imageId}:share:$|  /regions/{regionId}/images/{imageId}:shareWith:|' openapi.yaml > "$tmp/renamed-write.yaml"
grep -q ':shareWith:$' "$tmp/renamed-write.yaml"
expect_failure "TypeScript client, spec and fake disagree (a write)" "error TS" spec-tools/run ts-client "$tmp/vmimage" "$tmp/renamed-write.yaml"

# JD Cloud's Node SDK: a documented error the fake does not answer as the spec says
# (the message of createImage's stopFirst example changed) fails.
sed 's|message: Please stop the instance first}|message: Stop the instance first}|' openapi.yaml > "$tmp/example.yaml"
grep -q 'message: Stop the instance first}' "$tmp/example.yaml"
expect_failure "JD Cloud's Node SDK, spec example and fake disagree" "not ok .* createImage" spec-tools/run jdsdk "$tmp/vmimage" "$tmp/example.yaml"

# Downstream drift: a generated file edited by hand.
echo "// edited by hand" >> "$gen"
expect_failure "downstream generate-check" "imagesapi.gen.go was stale" .ci/generate-check.sh examples/downstream
cmp -s "$gen" "$tmp/gen.backup" || { echo "selftest: generate-check did not restore $gen" >&2; exit 1; }

echo "selftest: every spec gate fails on broken input"
