package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmimage/vmimage"
	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// apiCommands are the commands that take the API flags: env.run points them at the
// fake.
var apiCommands = []string{"describe", "list", "constraints", "members", "wait", "wait-task", "create", "copy", "import", "export",
	"tasks", "share", "unshare", "release", "unrelease", "modify", "delete"}

var update = flag.Bool("update", false, "rewrite the golden files")

// env is a fake service and an App pointed at it, sharing a manual clock so that
// waits take no real time. Credentials reach the CLI through the environment only.
type env struct {
	srv      *fake.Server
	clock    *fake.ManualClock
	terminal bool
	width    int // the terminal's width when terminal (0: unknown)
	stdin    string
	// stdinTerminal makes stdin a terminal.
	stdinTerminal bool
	// noEndpoint leaves --endpoint off the API commands.
	noEndpoint bool
	// writeTimeout is the App's WriteTimeout (0: the default).
	writeTimeout time.Duration
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, fake.WithClock(clock))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("JDCLOUD_ACCESS_KEY", srv.Credentials().AccessKey)
	t.Setenv("JDCLOUD_SECRET_KEY", srv.Credentials().SecretKey)
	t.Setenv("JDCLOUD_REGION", "")
	t.Setenv("JDCLOUD_PROFILE", "")
	return &env{srv: srv, clock: clock}
}

type result struct {
	stdout, stderr string
	code           int
}

func (e *env) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &App{
		Stdin:           strings.NewReader(e.stdin),
		Stdout:          &stdout,
		Stderr:          &stderr,
		Getenv:          os.Getenv,
		IsTerminal:      func(io.Writer) bool { return e.terminal },
		StdinIsTerminal: func() bool { return e.stdinTerminal },
		TerminalWidth:   func(io.Writer) int { return e.width },
		ClientOptions: []client.Option{
			client.WithClock(e.clock),
			client.WithRandom(func() float64 { return 0 }),
			client.WithHTTPClient(&http.Client{Transport: loopbackOnly}),
		},
		Clock:        e.clock,
		WriteTimeout: e.writeTimeout,
	}
	full := args
	if e.noEndpoint {
		// the endpoint comes from the profile or nowhere
	} else if len(args) > 0 && slices.Contains(apiCommands, args[0]) {
		// The API flags belong to the commands that call the API.
		full = append([]string{args[0], "--endpoint", e.srv.URL}, args[1:]...)
	}
	code := app.Run(context.Background(), full)
	return result{stdout.String(), stderr.String(), code}
}

// loopbackOnly is the tests' transport: it refuses to dial anything but loopback, so
// no test can reach the network, whatever endpoint a command ends up with.
var loopbackOnly = func() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test transport: refusing to dial %s: tests talk to loopback only", addr)
		}
		return dial(ctx, network, addr)
	}
	return tr
}()

var (
	requestIDs   = regexp.MustCompile(`request id [a-z0-9]{32}`)
	rawRequestID = regexp.MustCompile(`"requestId":"[a-z0-9]{32}"`)
)

// golden compares got with testdata/name (request ids masked); -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = requestIDs.ReplaceAllString(got, "request id <id>")
	got = rawRequestID.ReplaceAllString(got, `"requestId":"<id>"`)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func TestDescribeFormats(t *testing.T) {
	e := newEnv(t)
	ids := []string{fake.SeedCentOS, fake.SeedPrivate, fake.SeedPending}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			r := e.run(t, append([]string{"describe", "-r", "cn-north-1", "-o", format}, ids...)...)
			wantCode(t, r, ExitOK)
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			golden(t, "describe_"+format+".golden", r.stdout)
		})
	}
}

func TestDescribeFailuresInInputOrder(t *testing.T) {
	e := newEnv(t)
	e.stdin = "# ids\n" + fake.SeedCentOS + "\n\nimg-missing001\n" + fake.SeedUbuntu + "\nimg-missing002\n"
	r := e.run(t, "describe", "--region", "cn-north-1", "--from-file", "-", "-o", "jsonl")
	wantCode(t, r, ExitNotFound)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], fake.SeedCentOS) || !strings.Contains(lines[1], fake.SeedUbuntu) {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	golden(t, "describe_missing.stderr.golden", r.stderr)

	// A failure other than not-found makes the exit code 1.
	if err := e.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Status: 403, Path: "/v1/regions/cn-north-1/images/" + fake.SeedUbuntu}); err != nil {
		t.Fatal(err)
	}
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS, fake.SeedUbuntu, "img-missing001")
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "403 HTTP_FORBIDDEN") || !strings.Contains(r.stderr, "2 of 3 image(s) failed") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestDescribeConcurrentKeepsOrder slows the first image down (in real time) so that
// it finishes last; the output must still follow the input.
func TestDescribeConcurrentKeepsOrder(t *testing.T) {
	e := newEnv(t)
	slow := fake.StartTest(t, fake.WithClock(client.SystemClock{}))
	e.srv = slow
	t.Setenv("JDCLOUD_ACCESS_KEY", slow.Credentials().AccessKey)
	if err := slow.Inject(fake.Fault{Latency: 200 * time.Millisecond, Path: "/v1/regions/cn-north-1/images/" + fake.SeedCentOS}); err != nil {
		t.Fatal(err)
	}
	ids := []string{fake.SeedCentOS, fake.SeedUbuntu, fake.SeedPrivate, fake.SeedPending, fake.SeedUbuntu, fake.SeedPrivate}
	e.clock = nil
	var stdout, stderr bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv, IsTerminal: func(io.Writer) bool { return true }}
	code := app.Run(context.Background(), append([]string{"--endpoint", slow.URL, "describe", "-r", "cn-north-1", "-o", "jsonl", "--concurrency", "6"}, ids...))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	for i, id := range ids {
		if !strings.Contains(lines[i], `"imageId":"`+id+`"`) {
			t.Fatalf("line %d is not %s:\n%s", i, id, stdout.String())
		}
	}
	// On a terminal, six ids get a progress bar on stderr, erased at the end.
	if !strings.Contains(stderr.String(), "describing [") || !strings.Contains(stderr.String(), "6/6") || !strings.HasSuffix(stderr.String(), "\r\033[K") {
		t.Errorf("no progress bar: %q", stderr.String())
	}
}

func TestWaitPlainOutput(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "wait", "-r", "cn-north-1", fake.SeedPending, "--min-delay", "2s", "--max-delay", "4s")
	wantCode(t, r, ExitOK)
	golden(t, "wait_plain.stderr.golden", r.stderr)
	if r.stdout != "image img-pending0001 is ready (build-2026-11-30)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestWaitTerminalProgressBar(t *testing.T) {
	e := newEnv(t)
	e.terminal = true
	r := e.run(t, "wait", "-r", "cn-north-1", fake.SeedPending)
	wantCode(t, r, ExitOK)
	for _, want := range []string{
		"\r\033[Kwaiting for img-pending0001 [..............................]   0% pending, poll 1, next in 2s",
		"\r\033[Kwaiting for img-pending0001 [##############################] 100% ready, poll 4\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%q", want, r.stderr)
		}
	}
	if !strings.HasSuffix(r.stderr, "\n") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("the bar should redraw one line and end it: %q", r.stderr)
	}
}

func TestWaitOutcomes(t *testing.T) {
	e := newEnv(t)
	id := "img-broken001"
	_ = e.srv.Images().Put("cn-north-1", api.Image{ImageId: &id})
	_ = e.srv.Images().Transition("cn-north-1", id, api.ImageStatusError, 10*time.Second)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"timeout", []string{"wait", "-r", "cn-north-1", fake.SeedPending, "--timeout", "5s", "--min-delay", "1s"}, ExitTimeout, "image not ready after 5s (last status pending"},
		{"failed", []string{"wait", "-r", "cn-north-1", id}, ExitFailed, `image will not become ready: status "error"`},
		{"offline", []string{"wait", "-r", "cn-south-1", fake.SeedOffline}, ExitFailed, "image is offline"},
		{"not found", []string{"wait", "-r", "cn-north-1", "img-nothere01", "--not-found-grace", "0s"}, ExitNotFound, "not found after the 0s grace period"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "timeout" {
				_ = e.srv.Images().Transition("cn-north-1", fake.SeedPending, api.ImageStatusReady, time.Hour)
			}
			r := e.run(t, c.args...)
			wantCode(t, r, c.code)
			last := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if line := last[len(last)-1]; !strings.HasPrefix(line, "vmimage: wait for image") || !strings.Contains(line, c.msg) {
				t.Errorf("last stderr line %q lacks %q", line, c.msg)
			}
		})
	}
}

func TestValidateCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"requestId":"r","result":{"image":{"sizeMB":"big","progress":7}}}`), 0o644)
	good := filepath.Join("..", "..", "..", "..", "tests", "testdata")
	r := e.run(t, "validate", filepath.Join(good, "docs_example.json"), filepath.Join(good, "not_found.json"))
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "docs_example.json: ok (status 200)") || !strings.Contains(r.stdout, "not_found.json: ok (status 404)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = e.run(t, "validate", bad)
	wantCode(t, r, ExitError)
	golden(t, "validate_bad.golden", strings.ReplaceAll(r.stdout, dir, "DIR"))

	e.stdin = `{"requestId":"r","error":{"code":404,"status":"NOT_FOUND","message":"m"}}`
	r = e.run(t, "validate", "--status", "418", "-")
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stdout, "-: status: status 418 is not documented") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestSpecIsByteForByte(t *testing.T) {
	r := newEnv(t).run(t, "spec")
	wantCode(t, r, ExitOK)
	if r.stdout != string(vmimage.Spec) {
		t.Fatal("spec output differs from the embedded document")
	}
}

func TestFakeCommandServesUntilCancelled(t *testing.T) {
	out := &syncBuffer{}
	url, stop := startFakeCommand(t, out, out)
	// A real client with the printed credentials is served.
	c, err := client.New(client.WithEndpoint(url), client.WithCredentials(fake.DefaultCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "JDCLOUD_ACCESS_KEY="+fake.DefaultCredentials().AccessKey) || !strings.Contains(out.String(), "fake stopped") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestDemo(t *testing.T) {
	e := newEnv(t)
	t.Setenv("JDCLOUD_ACCESS_KEY", "")
	t.Setenv("JDCLOUD_SECRET_KEY", "")
	r := e.run(t, "demo")
	wantCode(t, r, ExitOK)
	for _, want := range []string{"img-centos82pub  CentOS 8.2 64位", "errors.Is(err, client.ErrNotFound) = true", "404 NOT_FOUND: Image 'img-doesnotexist' not found",
		"errors.Is(err, client.ErrFailedPrecondition) = true", "unshared", "deleting", "Done."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !regexp.MustCompile(`img-[a-z0-9]+ \(cn-east-2\): ready, progress 100%`).MatchString(r.stderr) {
		t.Errorf("no copy's progress in stderr:\n%s", r.stderr)
	}
	for _, want := range []string{"refusing to delete without confirmation", "Can't delete shared image"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("demo stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"describe"},
		{"describe", "-o", "xml", "img-a"},
		{"describe", "--concurrency", "0", "img-a"},
		{"describe", "--nope", "img-a"},
		{"wait"},
		{"wait", "img-a", "img-b"},
		{"wait", "-r", "cn-north-1", "img-a", "--min-delay", "5s", "--max-delay", "1s"},
		{"validate", "--status", "99"},
		{"describe", "img-a"}, // no region anywhere
		{"describe", "--timeout", "0", "-r", "cn-north-1", "img-a"},
		{"wait", "--timeout", "-5s", "-r", "cn-north-1", "img-a"},
		{"describe", "-r", "cn_north.1", "img-a"}, // the spec's region shape, checked before sending
	} {
		r := e.run(t, args...)
		help := "vmimage " + args[0] // usage errors point at the command's own help
		if args[0] == "frobnicate" {
			help = "vmimage"
		}
		if r.code != ExitUsage || !strings.HasPrefix(r.stderr, "vmimage: ") || !strings.HasSuffix(r.stderr, "Run '"+help+" --help' for usage.\n") || strings.Count(r.stderr, "\n") != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestCredentialErrorsAndDebug(t *testing.T) {
	e := newEnv(t)
	sk := e.srv.Credentials().SecretKey
	r := e.run(t, "describe", "--debug", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, "vmimage: attempt\" operation=DescribeImage") || strings.Contains(r.stderr, sk) || strings.Contains(r.stderr, "Signature=") {
		t.Errorf("debug log:\n%s", r.stderr)
	}
	t.Setenv("JDCLOUD_SECRET_KEY", "")
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "environment is incomplete: JDCLOUD_SECRET_KEY is not set") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q", r.stderr)
	}
	t.Setenv("JDCLOUD_ACCESS_KEY", "")
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "credentials: none found; looked at:") {
		t.Errorf("stderr %q", r.stderr)
	}
	// The region may come from the environment.
	t.Setenv("JDCLOUD_ACCESS_KEY", e.srv.Credentials().AccessKey)
	t.Setenv("JDCLOUD_SECRET_KEY", sk)
	t.Setenv("JDCLOUD_REGION", "cn-east-2")
	r = e.run(t, "describe", fake.SeedWindows)
	wantCode(t, r, ExitOK)
}

func TestCompletion(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "completion", "bash")
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("no bash completion script")
	}
	r = e.run(t, "__complete", "describe", "-o", "")
	wantCode(t, r, ExitOK)
	for _, f := range formats {
		if !strings.Contains(r.stdout, f+"\n") {
			t.Errorf("completion lacks %s: %q", f, r.stdout)
		}
	}
	r = e.run(t, "__complete", "de")
	if !strings.Contains(r.stdout, "describe") || !strings.Contains(r.stdout, "demo") {
		t.Errorf("command completion: %q", r.stdout)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProfileFile reads credentials and the region from the jdc profile file named by
// --profile.
func TestProfileFile(t *testing.T) {
	e := newEnv(t)
	creds := e.srv.Credentials()
	t.Setenv("JDCLOUD_ACCESS_KEY", "")
	t.Setenv("JDCLOUD_SECRET_KEY", "")
	home := os.Getenv("HOME")
	if err := os.MkdirAll(filepath.Join(home, ".jdc"), 0o700); err != nil {
		t.Fatal(err)
	}
	profile := "[default]\naccess_key = WRONGKEY\nsecret_key = wrong\n\n[fake]\naccess_key = " + creds.AccessKey +
		"\nsecret_key = " + creds.SecretKey + "\nregion_id = cn-east-2\n"
	if err := os.WriteFile(filepath.Join(home, ".jdc", "config"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "describe", "--profile", "fake", fake.SeedWindows) // region from the profile
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, fake.SeedWindows) {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = e.run(t, "describe", "-r", "cn-east-2", fake.SeedWindows) // the default profile's key is refused
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "401 ACCESS_ERROR: Invalid accessKey") || strings.Contains(r.stderr, "wrong") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

func TestDescribeOneMissingImageIsOneLine(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "describe", "-r", "cn-north-1", "img-missing001")
	wantCode(t, r, ExitNotFound)
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "vmimage: describe image img-missing001 in cn-north-1: 404 NOT_FOUND") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// startFakeCommand runs `vmimage fake --addr 127.0.0.1:0` with args, waits for the
// URL it prints, and returns it with stop, which ends the command and returns its
// exit code (called at the test's end too, if the test has not).
func startFakeCommand(t *testing.T, stdout, stderr *syncBuffer, args ...string) (url string, stop func() int) {
	t.Helper()
	app := &App{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- app.Run(ctx, append([]string{"fake", "--addr", "127.0.0.1:0"}, args...)) }()
	var once sync.Once
	code := 0
	stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { stop() })
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for i := 0; i < 500 && url == ""; i++ {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" {
		stop()
		t.Fatalf("no URL printed: %s", stdout.String())
	}
	return url, stop
}
