package tests

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/fake"
)

// TestREADMEGoBlocksCompileAndRun extracts every Go block of the README, checks that
// it is gofmt-clean, builds it against this module in a module of its own, and runs
// it against the fake: a program through a jdc profile file whose endpoint is the
// fake, a test with go test. The Go tool runs offline (GOPROXY=off, -mod=readonly):
// each snippet module carries this module's own requirements and go.sum, so its
// module graph is this module's and it needs only what this module's build fetched.
func TestREADMEGoBlocksCompileAndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every README block (about 20 s)")
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```\n").FindAllSubmatch(readme, -1)
	if len(blocks) < 3 {
		t.Fatalf("found %d Go blocks in the README, want at least 3", len(blocks))
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := snippetGoMod(root)
	if err != nil {
		t.Fatal(err)
	}
	// HOME moves to a directory with the profile file below: keep the Go caches.
	var goEnv []string
	for _, name := range []string{"GOMODCACHE", "GOCACHE", "GOPATH"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		goEnv = append(goEnv, name+"="+strings.TrimSpace(string(out)))
	}
	srv := fake.StartTest(t)
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".jdc"), 0o700)
	profile := fmt.Sprintf("[default]\naccess_key = %s\nsecret_key = %s\nendpoint = %s\nscheme = http\n",
		srv.Credentials().AccessKey, srv.Credentials().SecretKey, strings.TrimPrefix(srv.URL, "http://"))
	if err := os.WriteFile(filepath.Join(home, ".jdc", "config"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		src := b[1]
		t.Run(fmt.Sprintf("block %d", i+1), func(t *testing.T) {
			formatted, err := format.Source(src)
			if err != nil {
				t.Fatalf("does not parse: %v\n%s", err, src)
			}
			if !bytes.Equal(formatted, src) {
				t.Errorf("not gofmt-clean:\n%s", formatted)
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "go.mod"), mod, 0o644)
			os.WriteFile(filepath.Join(dir, "go.sum"), goSum, 0o644)
			env := append(append(os.Environ(), goEnv...), "GOPROXY=off", "GOFLAGS=-mod=readonly", "HOME="+home,
				"JDCLOUD_ACCESS_KEY=", "JDCLOUD_SECRET_KEY=", "JDCLOUD_PROFILE=", "JDCLOUD_REGION=")
			var args []string
			switch {
			case bytes.HasPrefix(src, []byte("package main\n")):
				os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
				args = []string{"run", "."}
			case bytes.Contains(src, []byte("func Test")):
				pkg := regexp.MustCompile(`^package (\w+?)(_test)?\n`).FindSubmatch(src)
				if pkg == nil {
					t.Fatalf("a test block must start with its package clause")
				}
				os.WriteFile(filepath.Join(dir, "doc.go"), []byte("package "+string(pkg[1])+"\n"), 0o644)
				os.WriteFile(filepath.Join(dir, "readme_test.go"), src, 0o644)
				args = []string{"test", "-count=1", "."}
			default:
				t.Fatalf("a Go block must be a program (package main) or a test file:\n%s", src)
			}
			cmd := exec.Command("go", args...)
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			t.Logf("go %s:\n%s", strings.Join(args, " "), out)
		})
	}
}

// snippetGoMod is the go.mod of a README snippet's module: this module's own file
// (its go line and every requirement, direct and indirect) renamed, plus a
// requirement of this module replaced by the checkout at root. With the same
// requirements the snippet's module graph is this module's: the go command needs
// no module this module's own build did not (a snippet module that required only
// this one made it load go.mod files of pre-module dependencies' dependencies).
func snippetGoMod(root string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	const self = "github.com/vmimage/vmimage"
	first, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok || string(bytes.TrimSpace(first)) != "module "+self {
		return nil, fmt.Errorf("go.mod does not start with module %s", self)
	}
	var out bytes.Buffer
	out.WriteString("module example.com/readme\n")
	out.Write(rest)
	fmt.Fprintf(&out, "\nrequire %s v0.0.0\n\nreplace %s => %s\n", self, self, root)
	return out.Bytes(), nil
}
