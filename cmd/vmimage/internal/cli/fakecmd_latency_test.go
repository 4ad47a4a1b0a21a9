package cli

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
)

func TestFakeLatencyOutOfRangeIsAUsageError(t *testing.T) {
	for _, v := range []string{"-5ms", "2m"} {
		out := &syncBuffer{}
		app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: os.Getenv}
		if code := app.Run(context.Background(), []string{"fake", "--addr", "127.0.0.1:0", "--latency", v}); code != ExitUsage || !strings.Contains(out.String(), "--latency "+v) {
			t.Errorf("--latency %s: exit %d: %s", v, code, out.String())
		}
	}
}

// With --latency, the fake answers no sooner than the latency: a call whose deadline
// comes first (a minute of latency against two seconds) ends with its deadline.
func TestFakeLatencyDelaysAnswers(t *testing.T) {
	out := &syncBuffer{}
	url, stop := startFakeCommand(t, out, out, "--latency", "1m")
	c, err := client.New(client.WithEndpoint(url), client.WithCredentials(fake.DefaultCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
	_, _, err = c.DescribeImage(cctx, "cn-north-1", fake.SeedCentOS)
	ccancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the call's deadline", err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
}
