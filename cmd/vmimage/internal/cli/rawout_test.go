package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/fake"
)

// -o raw prints each envelope as the service sent it, one per line, in the ids' (or
// the pages') order, and validate checks those envelopes, each on its own, finding
// their operation from their result (issue 20 item 8).
func TestRawOutputAndValidate(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	r := e.run(t, "describe", "-r", "cn-north-1", "-o", "raw", fake.SeedCentOS, fake.SeedPrivate, fake.SeedUbuntu)
	wantCode(t, r, ExitOK)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := []string{fake.SeedCentOS, fake.SeedPrivate, fake.SeedUbuntu}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %q", len(lines), len(want), r.stdout)
	}
	for i, line := range lines {
		var env struct {
			RequestID string `json:"requestId"`
			Result    struct {
				Image struct {
					ImageID string `json:"imageId"`
				} `json:"image"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil || env.RequestID == "" || env.Result.Image.ImageID != want[i] {
			t.Errorf("line %d: %v %q", i+1, err, line)
		}
	}
	described := filepath.Join(dir, "described.raw")
	os.WriteFile(described, []byte(r.stdout), 0o600)
	r = e.run(t, "validate", described)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "ok (3 envelopes (vmimage -o raw output) of describeImage)") {
		t.Errorf("validate: %q", r.stdout)
	}

	r = e.run(t, "list", "-r", "cn-north-1", "--source", "public", "-o", "raw")
	wantCode(t, r, ExitOK)
	if n := strings.Count(r.stdout, "\n"); n != 1 || strings.Count(r.stdout, `"imageId"`) != 30 {
		t.Errorf("list -o raw: want one page of the 30 images: %q", r.stdout)
	}
	listed := filepath.Join(dir, "listed.raw")
	os.WriteFile(listed, []byte(r.stdout), 0o600)
	r = e.run(t, "validate", listed) // its operation, describeImages, read from the envelope
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "ok (status 200)") {
		t.Errorf("validate: %q", r.stdout)
	}
	broken := filepath.Join(dir, "broken.raw")
	os.WriteFile(broken, []byte(strings.Replace(string(mustRead(t, described)), `"systemDiskSizeGB":40`, `"systemDiskSizeGB":"40"`, 1)), 0o600)
	r = e.run(t, "validate", broken)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stdout, "body #1/result/image/systemDiskSizeGB: value must be an integer") {
		t.Errorf("validate broken: %q", r.stdout)
	}

	r = e.run(t, "describe", "-r", "cn-north-1", "-o", "raw", "--query", "[0]", fake.SeedCentOS)
	wantCode(t, r, ExitUsage)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// On a terminal, -o raw escapes control characters (as JSON escapes, the same
// characters inside a string) so that the service cannot drive the terminal.
func TestRawOutputEscapesControlsOnATerminal(t *testing.T) {
	in := "{\"n\":\"a\x1b[2Jb\u009bc\x7f\",\"t\":\"\tok\"}\n\xff"
	got := string(escapeControls([]byte(in)))
	want := `{"n":"a\u001b[2Jb\u009bc\u007f","t":"` + "\t" + `ok"}` + "\n" + `\ufffd`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
