// Package bench measures what the client adds on top of the network round trip, against
// floors measured in the same run on the same loopback server. `make bench` runs the
// benchmarks and prints the ratios that matter (see BENCHMARKS.md); `make test` runs a
// 100-iteration smoke of every benchmark and the heap-bound test.
package bench
