# vmimage: the two commands a new user needs are `go run ./cmd/vmimage demo` and `make test`.
GO      ?= go
GENERATED = $(shell find . -name '*.gen.go' -not -path './examples/*' | sort)

.PHONY: all generate generate-check lint test bench bench-smoke demo

all: test

## generate: regenerate code from openapi.yaml (oapi-codegen pinned in tools.go)
generate:
	$(GO) generate ./...

## generate-check: regenerate into the tree and fail if anything changed
generate-check:
	@snap=$$(mktemp -d); trap 'rm -rf "$$snap"' EXIT; \
	for f in $(GENERATED); do mkdir -p "$$snap/$$(dirname $$f)"; cp "$$f" "$$snap/$$f"; done; \
	$(GO) generate ./... || exit 1; \
	status=0; \
	for f in $$(find . -name '*.gen.go' -not -path './examples/*' | sort); do \
	  if [ ! -f "$$snap/$$f" ]; then echo "generate-check: $$f is new: run 'make generate' and commit it"; status=1; \
	  elif ! cmp -s "$$f" "$$snap/$$f"; then echo "generate-check: $$f was stale (regenerated now): commit it"; diff -u "$$snap/$$f" "$$f" | head -40; status=1; fi; \
	done; \
	for f in $(GENERATED); do [ -f "$$f" ] || { echo "generate-check: $$f is no longer generated: remove it"; status=1; }; done; \
	[ $$status -eq 0 ] && echo "generate-check: generated code is up to date"; exit $$status

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## test: lint, generate-check, the race-enabled test suite and a benchmark smoke run
test: lint generate-check
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory bench-smoke

## bench-smoke: every benchmark for 100 iterations, so none rots (no figures kept)
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime=100x ./bench/ > /dev/null

BENCH_COUNT ?= 5
## bench: the benchmarks with -benchmem, then the budget summary computed from this run
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=$(BENCH_COUNT) ./bench/ | tee bench.out
	$(GO) run ./bench/summary < bench.out

## demo: the embedded default, against an in-process fake
demo:
	$(GO) run ./cmd/vmimage demo
