package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/fake"
)

// validate checks what vmimage saves (describe -o json > f; validate f failed with
// "body: value must be an object"), and takes the API's operation names.
func TestValidateWhatTheCLISaves(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	save := func(name string, args ...string) string {
		r := e.run(t, args...)
		wantCode(t, r, ExitOK)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	described := save("described.json", "describe", "-r", "cn-north-1", "-o", "json", fake.SeedCentOS, fake.SeedPrivate)
	listed := save("listed.json", "list", "-r", "cn-north-1", "--source", "public", "-o", "json")
	r := e.run(t, "validate", described)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "ok (vmimage describe -o json output, 2 image(s))") {
		t.Errorf("stdout %q", r.stdout)
	}
	r = e.run(t, "validate", "--operation", "DescribeImages", listed)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "ok (vmimage list -o json output, 30 image(s))") {
		t.Errorf("stdout %q", r.stdout)
	}
	b, _ := os.ReadFile(described)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(strings.Replace(string(b), `"systemDiskSizeGB": 40`, `"systemDiskSizeGB": "40"`, 1)), 0o600)
	r = e.run(t, "validate", "--operation", "DescribeImage", broken)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stdout, "broken.json: body /0/systemDiskSizeGB: value must be an integer") {
		t.Errorf("stdout %q", r.stdout)
	}
}
