// Command vmimage finds, describes and checks JD Cloud VM images, waits for them to
// become ready, validates recorded responses against the API's spec, and runs a fake
// of the service. `vmimage demo` shows it all with no account.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmimage/vmimage/cmd/vmimage/internal/cli"
)

// interruptGrace is how long a command may take to wind down after SIGINT or
// SIGTERM before the process exits anyway (a read of a terminal or a FIFO cannot be
// interrupted otherwise).
const interruptGrace = 500 * time.Millisecond

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line. The first SIGINT or SIGTERM cancels the command's
// context; the process then exits with 130 (SIGINT) or 143 (SIGTERM) as soon as the
// command returns, or after interruptGrace at the latest.
func run(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan int, 1)
	go func() { done <- cli.New().Run(ctx, args) }()
	select {
	case code := <-done:
		return code
	case sig := <-sigs:
		cancel()
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		select {
		case <-done:
		case <-sigs:
		case <-time.After(interruptGrace):
		}
		return code
	}
}
