package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// TestMain lets a test run this binary's main as a subprocess: with
// VMIMAGE_TEST_MAIN=1, the test binary is vmimage.
func TestMain(m *testing.M) {
	if os.Getenv("VMIMAGE_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// A command blocked on a read of stdin that never ends (a FIFO, a terminal) still
// ends promptly on SIGINT, with 130; on SIGTERM with 143.
func TestInterruptEndsABlockedRead(t *testing.T) {
	for sig, want := range map[os.Signal]int{os.Interrupt: 130, syscall.SIGTERM: 143} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "validate", "-")
		cmd.Env = append(os.Environ(), "VMIMAGE_TEST_MAIN=1")
		cmd.Stdin = r
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		time.Sleep(time.Second) // let it install its handler and start reading
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != want {
				t.Errorf("%v: exit %v, want %d", sig, err, want)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%v: still running 10 s after the signal", sig)
		}
		w.Close()
	}
}

// On a real pseudo-terminal 60 columns wide, wait's progress bar is redrawn within
// the width, so no redraw leaves a wrapped line behind.
func TestWaitBarOnARealTerminal(t *testing.T) {
	srv := fake.StartTest(t)
	id := "img-ptytest01"
	name := "pty test image"
	if err := srv.Images().Put("cn-north-1", api.Image{ImageId: &id, Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Images().Transition("cn-north-1", id, api.ImageStatusReady, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "wait", "--endpoint", srv.URL, "-r", "cn-north-1", "--min-delay", "200ms", "--max-delay", "300ms", "--timeout", "30s", id)
	cmd.Env = append(os.Environ(), "VMIMAGE_TEST_MAIN=1", "TERM=xterm",
		"JDCLOUD_ACCESS_KEY="+srv.Credentials().AccessKey, "JDCLOUD_SECRET_KEY="+srv.Credentials().SecretKey)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 60, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out, _ := io.ReadAll(tty) // ends with EIO when the child exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	text := strings.ReplaceAll(string(out), "\r\n", "\n")
	if !strings.Contains(text, "\r\x1b[K") || !strings.Contains(text, "100%") {
		t.Fatalf("no bar drawn: %q", text)
	}
	for _, seg := range strings.Split(text, "\r\x1b[K") {
		for _, line := range strings.Split(seg, "\n") {
			if n := utf8.RuneCountInString(line); n > 59 {
				t.Errorf("a %d-column line on a 60-column terminal: %q", n, line)
			}
		}
	}
}

// Ctrl-C during copy --wait on a real terminal: exit 130, the copy already made is
// printed (so it can be found), and every bar line drawn was ended.
func TestCopyWaitInterruptedOnATerminal(t *testing.T) {
	srv := fake.StartTest(t, fake.WithJobDuration(time.Hour))
	src := "img-ctrlcsrc01"
	if err := srv.Images().Put("cn-north-1", api.Image{ImageId: &src, Name: ptr("ctrl-c source"), ImageSource: ptr(api.ImageSourcePrivate),
		Status: ptr(api.ImageStatusReady), RootDeviceType: ptr(api.RootDeviceTypeCloudDisk)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "copy", src, "--endpoint", srv.URL, "-r", "cn-north-1", "--to", "cn-east-2",
		"--wait", "--min-delay", "100ms", "--max-delay", "200ms")
	cmd.Env = append(os.Environ(), "VMIMAGE_TEST_MAIN=1", "TERM=xterm",
		"JDCLOUD_ACCESS_KEY="+srv.Credentials().AccessKey, "JDCLOUD_SECRET_KEY="+srv.Credentials().SecretKey)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 70, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var mu sync.Mutex
	var out []byte
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			out = append(out, buf[:n]...)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	output := func() string { mu.Lock(); defer mu.Unlock(); return string(out) }
	for deadline := time.Now().Add(20 * time.Second); strings.Count(output(), "pending") < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no progress drawn in 20 s: %q", output())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	<-read
	text := strings.ReplaceAll(output(), "\r\n", "\n")
	var ee *exec.ExitError
	if !errors.As(werr, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v: %q", werr, text)
	}
	found := false
	for _, img := range srv.Images().InRegion("cn-east-2") {
		if strings.Contains(img.GetDesc(), src) && strings.Contains(text, img.GetImageId()+"  interrupted") {
			found = true
		}
	}
	if !found {
		t.Errorf("the copy made is not printed: %q", text)
	}
	if !strings.HasSuffix(text, "\n") || !strings.Contains(text, "vmimage: interrupted") {
		t.Errorf("output does not end with a whole line: %q", text)
	}
	for i, seg := range strings.Split(text, "\r\x1b[K") {
		if i > 0 && !strings.Contains(seg, "\n") {
			t.Errorf("a bar line left unended: %q in %q", seg, text)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// readmeRecipe returns the sh block of the README that follows <!-- recipe: NAME -->.
func readmeRecipe(t *testing.T, name string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- recipe: " + regexp.QuoteMeta(name) + " -->\n```sh\n(.*?)```\n").FindSubmatch(readme)
	if m == nil {
		t.Fatalf("README has no sh block marked recipe: %s", name)
	}
	return string(m[1])
}

// runRecipe runs a README block with bash (-eu, pipefail) in a fresh directory, with
// vmimage on PATH being this binary and a jdc profile whose endpoint is srv.
func runRecipe(t *testing.T, srv *fake.Server, script string) (dir string, out []byte) {
	t.Helper()
	dir, bin, home := t.TempDir(), t.TempDir(), t.TempDir()
	wrapper := "#!/bin/sh\nVMIMAGE_TEST_MAIN=1 exec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "vmimage"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(home, ".jdc"), 0o700)
	profile := fmt.Sprintf("[default]\naccess_key = %s\nsecret_key = %s\nendpoint = %s\nscheme = http\n",
		srv.Credentials().AccessKey, srv.Credentials().SecretKey, strings.TrimPrefix(srv.URL, "http://"))
	if err := os.WriteFile(filepath.Join(home, ".jdc", "config"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-eu", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+home,
		"JDCLOUD_ACCESS_KEY=", "JDCLOUD_SECRET_KEY=", "JDCLOUD_PROFILE=", "JDCLOUD_REGION=", "TERM=dumb")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s\n--- script:\n%s", err, out, script)
	}
	return dir, out
}

// The README's CI recipe, against the fake: every id it prints is a ready image in
// the region it names, one in each documented region but the source.
func TestREADMECIRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's CI recipe against the fake (about 10 s)")
	}
	srv := fake.StartTest(t, fake.WithJobDuration(time.Second))
	dir, out := runRecipe(t, srv, readmeRecipe(t, "ci"))
	b, err := os.ReadFile(filepath.Join(dir, "copies.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var copies []struct{ Region, ImageID string }
	if err := json.Unmarshal(b, &copies); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var regions []string
	for _, c := range copies {
		img, ok := srv.Images().Get(c.Region, c.ImageID)
		if !ok || img.GetStatus() != api.ImageStatusReady {
			t.Errorf("%s in %s: found %v, status %v", c.ImageID, c.Region, ok, img.Status)
		}
		regions = append(regions, c.Region)
	}
	if want := []string{"cn-east-1", "cn-east-2", "cn-south-1"}; !slices.Equal(regions, want) {
		t.Errorf("copies in %v, want %v: %s", regions, want, b)
	}
}

// The README's five-step lifecycle, against the fake: the copy is ready in
// cn-east-2, the image itself is being deleted.
func TestREADMELifecycleRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's lifecycle against the fake (about 5 s)")
	}
	srv := fake.StartTest(t, fake.WithJobDuration(time.Second))
	_, out := runRecipe(t, srv, readmeRecipe(t, "lifecycle"))
	var copied, deleting bool
	for _, img := range srv.Images().InRegion("cn-east-2") {
		copied = copied || img.GetName() == "app-2024.06" && img.GetStatus() == api.ImageStatusReady
	}
	for _, img := range srv.Images().InRegion("cn-north-1") {
		deleting = deleting || img.GetName() == "app-2024.06" && img.GetStatus() == api.ImageStatusDeleting
	}
	if !copied || !deleting {
		t.Errorf("copied %v, deleting %v:\n%s", copied, deleting, out)
	}
}
