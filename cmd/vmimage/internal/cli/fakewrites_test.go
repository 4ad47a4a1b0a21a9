package cli

import (
	"context"
	"os"
	"strings"
	"testing"
)

// vmimage fake refuses a job duration or quota the fake refuses, naming it.
func TestFakeWriteFlagsAreChecked(t *testing.T) {
	for _, c := range []struct{ flag, want string }{
		{"--job-duration=0s", "WithJobDuration: 0s is not positive"},
		{"--image-quota=-1", "WithImageQuota: -1 is not between 0 and 1000000"},
	} {
		out, errOut := &syncBuffer{}, &syncBuffer{}
		app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut, Getenv: os.Getenv}
		if code := app.Run(context.Background(), []string{"fake", "--addr", "127.0.0.1:0", c.flag}); code == 0 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q", c.flag, code, errOut.String())
		}
	}
}
