package cli

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
)

// vmimage fake --addr :PORT suggests a URL the CLI accepts (it suggested
// http://[::]:PORT, refused as plain http to a non-loopback host), and its "try"
// line runs as printed (it used the old flag order).
func TestFakeHintRuns(t *testing.T) {
	out := &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	go func() { done <- app.Run(ctx, []string{"fake", "--addr", ":0"}) }()
	var try []string
	for i := 0; i < 500 && try == nil; i++ {
		if m := regexp.MustCompile(`try: vmimage (.*)\n`).FindStringSubmatch(out.String()); m != nil {
			try = strings.Fields(m[1])
		}
		time.Sleep(10 * time.Millisecond)
	}
	if try == nil {
		cancel()
		t.Fatalf("no hint printed: %s", out.String())
	}
	if !regexp.MustCompile(`listening on http://127\.0\.0\.1:\d+ \(bound to `).MatchString(out.String()) {
		t.Errorf("output:\n%s", out.String())
	}
	e := newEnv(t)
	t.Setenv("JDCLOUD_ACCESS_KEY", fake.DefaultCredentials().AccessKey)
	t.Setenv("JDCLOUD_SECRET_KEY", fake.DefaultCredentials().SecretKey)
	e.noEndpoint = true
	if r := e.run(t, try...); r.code != ExitOK {
		t.Errorf("vmimage %s: exit %d, %s", strings.Join(try, " "), r.code, r.stderr)
	}
	cancel()
	<-done
}
