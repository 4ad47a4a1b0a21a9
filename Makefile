# vmimage: the two commands a new user needs are `go run ./cmd/vmimage demo` and `make test`.
GO      ?= go

.PHONY: tools load all generate generate-check tidy-check lint test bench bench-smoke demo spec-check spec-validators spec-lint spec-breaking spec-diff spec-ts spec-ts-client spec-jdsdk downstream docs docs-check spec-gates-selftest contract-live

all: test

## generate: regenerate code from openapi.yaml (oapi-codegen pinned in tools.go)
generate:
	$(GO) generate ./...

## generate-check: regenerate into the tree and fail if anything changed
generate-check:
	@.ci/generate-check.sh .

## tidy-check: every Go module of the repository (each go.mod outside node_modules) is tidy
tidy-check:
	@.ci/tidy-check.sh .

## lint: gofmt and go vet (the live contract tests included)
lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags live ./tests/

## tools: Node.js 20.19+ and npm are there and the spec tools installed; fails in
## seconds, with what to install, before anything slow runs
tools:
	@spec-tools/run ensure

## test: lint, tidy-check (go mod tidy -diff for every module), generate-check, the race-enabled suite, a benchmark smoke run, and the
## spec checks (validators, lint, breaking changes, TypeScript, downstream, docs)
test: tools lint tidy-check generate-check
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory bench-smoke
	$(MAKE) --no-print-directory spec-check

## spec-check: the spec as a shared artifact (see README, "The spec as a shared artifact")
spec-check: spec-validators spec-lint spec-breaking spec-ts spec-ts-client spec-jdsdk downstream docs-check spec-gates-selftest

## spec-validators: libopenapi-validator agrees with kin-openapi that the document is valid
spec-validators:
	cd spec-tools/gotools && $(GO) test -count=1 ./...

## spec-lint: Spectral (spectral:oas + our rules), zero warnings
spec-lint:
	spec-tools/run lint openapi.yaml

OASDIFF = cd spec-tools/gotools && $(GO) run github.com/oasdiff/oasdiff
## spec-breaking: fail on any ERR-level change against the last released spec
spec-breaking:
	$(OASDIFF) breaking ../../api/released/openapi.yaml ../../openapi.yaml --fail-on ERR

## spec-diff: print the changelog against the last released spec
spec-diff:
	$(OASDIFF) changelog ../../api/released/openapi.yaml ../../openapi.yaml

## spec-ts: TypeScript types from the spec, and a consumer that type-checks against them
spec-ts:
	spec-tools/run ts openapi.yaml

## spec-ts-client: a TypeScript client made only from openapi.yaml (openapi-fetch + a signer written from the
## security scheme's words) makes every operation against vmimage fake
spec-ts-client:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) build -o "$$tmp/vmimage" ./cmd/vmimage && spec-tools/run ts-client "$$tmp/vmimage"

## spec-jdsdk: JD Cloud's own Node SDK (jdcloud-sdk-js, unmodified) makes every image call it has (the 5 reads, 11
## of the 12 writes: it lacks createImageFromSnapshots) against vmimage fake, failures equal to the spec's examples
spec-jdsdk:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) build -o "$$tmp/vmimage" ./cmd/vmimage && spec-tools/run jdsdk "$$tmp/vmimage"

## downstream: the example module's go generate (drift fails) and tests against the fake
downstream:
	@.ci/generate-check.sh examples/downstream
	cd examples/downstream && $(GO) vet ./... && $(GO) test -count=1 ./...

## docs: rebuild docs/index.html from the spec
docs:
	spec-tools/run docs docs/index.html

## docs-check: the docs build, and the committed page is the one the spec gives
docs-check:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	spec-tools/run docs "$$tmp/index.html" && \
	if cmp -s "$$tmp/index.html" docs/index.html; then echo "docs-check: docs/index.html is up to date"; \
	else echo "docs-check: docs/index.html is stale: run make docs and commit it"; exit 1; fi

## spec-gates-selftest: every spec gate fails on a deliberately broken spec
spec-gates-selftest:
	.ci/spec-gates-selftest.sh

## contract-live: describe a real image with real credentials (skips without them)
contract-live:
	$(GO) test -tags live -count=1 -run Live -v ./tests/

# The benchmarks with 20 ms of latency (about 0.3 s an iteration) run once in the smoke run.
SLOW_BENCH = NetworkPages|DescribeFanOut
BENCH_PKGS = ./bench/ ./cmd/vmimage/internal/cli/
## bench-smoke: every benchmark, 100 iterations (those with latency one), so none rots (no figures kept)
bench-smoke:
	$(GO) test -run '^$$' -bench . -skip '$(SLOW_BENCH)' -benchtime=100x $(BENCH_PKGS) > /dev/null
	$(GO) test -run '^$$' -bench '$(SLOW_BENCH)' -benchtime=1x $(BENCH_PKGS) > /dev/null

BENCH_COUNT ?= 5
## bench: the benchmarks with -benchmem, then the budget summary computed from this run
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=$(BENCH_COUNT) $(BENCH_PKGS) | tee bench.out
	$(GO) run ./bench/summary -strict < bench.out

## load: the fake's bounded load test (about 30 s, loopback only): heap after floods, Verify's cost by size
load:
	VMIMAGE_LOAD=1 $(GO) test -count=1 -run 'TestLoad|TestCreateFlood' -v ./fake/ | grep -E 'load_test|ok|FAIL'

## demo: the embedded default, against an in-process fake
demo:
	$(GO) run ./cmd/vmimage demo
