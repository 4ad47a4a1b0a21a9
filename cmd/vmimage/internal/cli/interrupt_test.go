package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
)

// Ctrl-C during wait ends the progress line and says "interrupted" (it printed
// "request failed: context canceled" on the bar's line).
func TestWaitInterruptedEndsTheLine(t *testing.T) {
	e := newEnv(t)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		IsTerminal: func(io.Writer) bool { return true }, TerminalWidth: func(io.Writer) int { return 100 },
		ClientOptions: []client.Option{client.WithClock(stuckClock{e.clock}), client.WithHTTPClient(&http.Client{Transport: loopbackOnly})}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"wait", "--endpoint", e.srv.URL, "-r", "cn-north-1", fake.SeedPending})
	}()
	for i := 0; i < 500 && !strings.Contains(stderr.String(), "poll 1"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	code := <-done
	out := stderr.String()
	if code != ExitInterrupted || !strings.HasSuffix(out, "\nvmimage: interrupted: stopped waiting for "+fake.SeedPending+"\n") || strings.Contains(out, "context canceled") {
		t.Errorf("exit %d, stderr %q", code, out)
	}
}

// stuckClock's sleeps last until the context ends: the wait is still on when the
// test interrupts it.
type stuckClock struct{ client.Clock }

func (stuckClock) Sleep(ctx context.Context, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}
