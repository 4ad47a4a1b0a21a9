// Command vmimage describes JD Cloud VM images, waits for them to become ready,
// validates recorded responses against the API's spec, and runs a fake of the
// service. `vmimage demo` shows it all with no account.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmimage/vmimage/cmd/vmimage/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.New().Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
