package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// api runs an API command with the fake's endpoint and region cn-north-1.
func (e *env) api(t *testing.T, args ...string) result {
	t.Helper()
	full := append([]string{args[0], "-r", fake.SeedCatalogRegion}, args[1:]...)
	return e.run(t, full...)
}

// writes is a request log's write calls (anything but a GET).
func writes(srv *fake.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// readyImage makes a ready private cloud-disk image to work on, through the CLI.
func readyImage(t *testing.T, e *env, name string) string {
	t.Helper()
	r := e.api(t, "create", fake.SeedInstanceCloud, "--name", name, "--wait", "--query", "[0].imageId", "-o", "text")
	if r.code != 0 {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	if img, ok := e.srv.Images().Get(fake.SeedCatalogRegion, id); !ok || img.GetStatus() != api.ImageStatusReady {
		t.Fatalf("create --wait printed %q, the fake has %v", id, img.Status)
	}
	return id
}

// copy --to three regions with --wait makes three copies and waits for them all,
// on the fake's clock: the service copies an image to one region at a time, so
// the clock moves by at least three job durations, and no real time is slept.
func TestCopyToThreeRegionsWaits(t *testing.T) {
	e := newEnv(t)
	src := readyImage(t, e, "copy-source")
	start := e.clock.Now()
	r := e.api(t, "copy", src, "--to", "cn-east-1,cn-east-2", "--destination-region", "cn-south-1", "--wait", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var rows []copyRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(rows) != 3 {
		t.Fatalf("%d copies: %s", len(rows), r.stdout)
	}
	for i, want := range []string{"cn-east-1", "cn-east-2", "cn-south-1"} {
		row := rows[i]
		img, ok := e.srv.Images().Get(row.DestinationRegion, row.DestinationImageID)
		if row.DestinationRegion != want || !ok || img.GetStatus() != api.ImageStatusReady || row.Status != "ready" || row.SourceImageID != src {
			t.Errorf("copy %d: %+v, in the fake %v %v", i, row, ok, img.Status)
		}
	}
	if moved := e.clock.Now().Sub(start); moved < 3*fake.DefaultJobDuration {
		t.Errorf("the fake's clock moved %s, want at least three copies' %s", moved, 3*fake.DefaultJobDuration)
	}
}

// The --query one-liner of the issue: the new image's id alone, as text.
func TestCopyQueryOneLiner(t *testing.T) {
	e := newEnv(t)
	src := readyImage(t, e, "one-liner")
	r := e.api(t, "copy", src, "--to", "cn-east-2", "--query", "[0].destinationImageId", "-o", "text")
	id := strings.TrimSpace(r.stdout)
	if _, ok := e.srv.Images().Get("cn-east-2", id); r.code != 0 || !ok || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

// Without a terminal and without --yes, delete (and release, and unshare) refuse
// with exit 2 and send nothing: the image is still there.
func TestDeleteWithoutTerminalRefuses(t *testing.T) {
	e := newEnv(t)
	id := readyImage(t, e, "keep-me")
	e.srv.ResetRequests()
	for _, args := range [][]string{
		{"delete", id},
		{"delete", id, "--delete-snapshots"},
		{"release", id},
		{"unshare", id, "--pin", "someone"},
	} {
		r := e.api(t, args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "--yes") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if len(e.srv.Requests()) != 0 {
		t.Errorf("requests sent: %v", e.srv.Requests())
	}
	if img, ok := e.srv.Images().Get(fake.SeedCatalogRegion, id); !ok || img.GetStatus() != api.ImageStatusReady {
		t.Errorf("the image is %v, %v", ok, img.Status)
	}
}

// On a terminal, delete names the image, its name, whom it is shared with and its
// snapshots, and does nothing unless the answer is yes.
func TestDeleteAsksOnATerminal(t *testing.T) {
	e := newEnv(t)
	id := readyImage(t, e, "ask-me")
	if r := e.api(t, "share", id, "--pin", "partner-pin"); r.code != 0 {
		t.Fatalf("share: %d %s", r.code, r.stderr)
	}
	e.stdinTerminal, e.stdin = true, "no\n"
	r := e.api(t, "delete", id, "--delete-snapshots")
	if r.code != ExitError || !strings.Contains(r.stderr, id) || !strings.Contains(r.stderr, `"ask-me"`) ||
		!strings.Contains(r.stderr, "shared with partner-pin") || !strings.Contains(r.stderr, "its snapshots go too") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if w := writes(e.srv); len(w) != 2 { // the create and the share
		t.Errorf("writes: %v", w)
	}
	// Shared: the service refuses, with its typed error; unshared, it goes.
	e.stdin = "yes\n"
	r = e.api(t, "delete", id)
	if r.code != ExitError || !strings.Contains(r.stderr, "Can't delete shared image") {
		t.Errorf("delete of a shared image: exit %d, %s", r.code, r.stderr)
	}
	e.stdin = "y\n"
	if r := e.api(t, "unshare", id, "--pin", "partner-pin"); r.code != 0 {
		t.Fatalf("unshare: %d %s", r.code, r.stderr)
	}
	e.stdin = "yes\n"
	r = e.api(t, "delete", id, "--wait", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"status": "gone"`) {
		t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if _, ok := e.srv.Images().Get(fake.SeedCatalogRegion, id); ok {
		t.Errorf("%s is still there", id)
	}
}

// --dry-run on every write sends nothing (the fake's log stays empty) and prints
// requests that vmimage validate --request accepts.
func TestDryRunSendsNothing(t *testing.T) {
	e := newEnv(t)
	cases := [][]string{
		{"create", fake.SeedInstanceCloud, "--name", "dry-image"},
		{"create", "--snapshot", "vda=" + fake.SeedSnapshotSystem, "--name", "dry-snap", "--platform", "CentOS", "--architecture", "x86_64", "--boot-mode", "bios"},
		{"copy", fake.SeedPrivate, "--to", "cn-east-2", "--to", "cn-south-1", "--name", "dry-copy"},
		{"copy", fake.SeedPrivate, "--to", "all"},
		{"import", "--url", "https://b.s3.cn-north-1.jdcloud-oss.com/u.qcow2", "--name", "dry-import", "--platform", "Ubuntu", "--os-type", "linux",
			"--architecture", "x86_64", "--disk-format", "qcow2", "--system-disk-size", "40"},
		{"export", fake.SeedPrivate, "--role-name", "exporter", "--oss-url", "https://backup.s3-internal.cn-north-1.jdcloud-oss.com"},
		{"share", fake.SeedPrivate, "--pin", "a-pin", "--login-name", "ops@example.com"},
		{"unshare", fake.SeedPrivate, "--pin", "a-pin"},
		{"release", fake.SeedPrivate},
		{"unrelease", fake.SeedPrivate},
		{"modify", fake.SeedPrivate, "--name", "renamed", "--description", "new words"},
		{"delete", fake.SeedPrivate, "--delete-snapshots"},
		{"copy", "--input-json", `{"regionId":"cn-north-1","sourceImageIds":["` + fake.SeedPrivate + `"],"destinationRegion":"cn-east-2"}`},
	}
	for _, args := range cases {
		e.srv.ResetRequests()
		r := e.api(t, append(args, "--dry-run")...)
		if r.code != 0 {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
			continue
		}
		if n := len(e.srv.Requests()); n != 0 {
			t.Errorf("%v: %d requests reached the fake", args, n)
		}
		var reqs []dryRequest
		if err := json.Unmarshal([]byte(r.stdout), &reqs); err != nil || len(reqs) == 0 {
			t.Errorf("%v: %v: %s", args, err, r.stdout)
			continue
		}
		if strings.Contains(r.stdout, "DRYRUN") || strings.Contains(strings.ToLower(r.stdout), "authorization") {
			t.Errorf("%v: the signature shows: %s", args, r.stdout)
		}
		e.stdin = r.stdout
		v := e.run(t, "validate", "--request", "-")
		e.stdin = ""
		if v.code != 0 || !strings.Contains(v.stdout, "ok") {
			t.Errorf("%v: validate --request: exit %d: %s %s\n%s", args, v.code, v.stdout, v.stderr, r.stdout)
		}
	}
	// validate --request catches a bad body and an unknown path.
	for _, bad := range []string{
		`[{"method":"POST","path":"/v1/regions/cn-north-1/images:copyImages","body":{"sourceImageIds":"img-x"}}]`,
		`{"method":"POST","path":"/v1/regions/cn-north-1/images:nothing","body":{}}`,
		`{"method":"POST","path":"/v1/regions/cn-north-1/instances/i-abc:createImage"}`,
	} {
		e.stdin = bad
		if v := e.run(t, "validate", "--request", "-"); v.code != ExitError {
			t.Errorf("validate --request %s: exit %d: %s", bad, v.code, v.stdout)
		}
	}
}

// --input-json is checked against the spec before anything is sent, and flags win
// over its fields.
func TestInputJSON(t *testing.T) {
	e := newEnv(t)
	r := e.api(t, "copy", "--input-json", `{"sourceImageIds":"img-x","destinationRegion":"cn-east-2"}`)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "sourceImageIds") || len(e.srv.Requests()) != 0 {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	r = e.api(t, "modify", fake.SeedPrivate, "--input-json", `{"name":"from-json","description":"kept"}`, "--name", "from-flag", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, `"from-flag"`) || !strings.Contains(r.stdout, `"kept"`) {
		t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, "modify", fake.SeedPrivate, "--input-json", `{"regionId":"cn-east-2","name":"x"}`)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "disagrees") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// A write whose answer was lost says so, names what to check, exits 1, and is not
// sent again.
func TestLostAnswerIsNotRepeated(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Inject(fake.Fault{Kind: fake.FaultAnswerLost, Operation: "copyImages", Times: 1}); err != nil {
		t.Fatal(err)
	}
	src := readyImage(t, e, "lost-answer")
	e.srv.ResetRequests()
	r := e.api(t, "copy", src, "--to", "cn-east-2")
	if r.code != ExitError || !strings.Contains(r.stderr, "may have taken effect") || !strings.Contains(r.stderr, "vmimage list --region cn-east-2") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if w := writes(e.srv); len(w) != 1 {
		t.Errorf("sent %d times: %v", len(w), w)
	}
	made := 0
	for _, img := range e.srv.Images().InRegion("cn-east-2") {
		if strings.Contains(img.GetDesc(), src) {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d copies in cn-east-2, want the one whose answer was lost", made)
	}
}

// Ctrl-C during copy --wait exits 130, prints the copies already made, and leaves
// no goroutine behind.
func TestCopyWaitInterrupted(t *testing.T) {
	e := newEnv(t)
	src := readyImage(t, e, "interrupt-me")
	loopbackOnly.CloseIdleConnections()
	before := runtime.NumGoroutine()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		IsTerminal: func(io.Writer) bool { return true }, TerminalWidth: func(io.Writer) int { return 80 },
		ClientOptions: []client.Option{client.WithClock(stuckClock{e.clock}), client.WithHTTPClient(&http.Client{Transport: loopbackOnly})}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"copy", "--endpoint", e.srv.URL, "-r", "cn-north-1", src, "--to", "cn-east-2", "--wait", "-o", "json"})
	}()
	for i := 0; i < 500 && !strings.Contains(stderr.String(), "pending"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	code := <-done
	var rows []copyRow
	if err := json.Unmarshal([]byte(stdout.String()), &rows); err != nil || len(rows) != 1 || rows[0].Status != "interrupted" {
		t.Fatalf("%v: stdout %q", err, stdout.String())
	}
	if _, ok := e.srv.Images().Get("cn-east-2", rows[0].DestinationImageID); !ok {
		t.Errorf("printed %s, not in the fake", rows[0].DestinationImageID)
	}
	if code != ExitInterrupted || !strings.HasSuffix(stderr.String(), "\n") || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	// Keep-alive connections are not the command's: closing the fake ends them.
	e.srv.Close()
	loopbackOnly.CloseIdleConnections()
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 200 {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Many bars fit the terminal's width, and each redraw ends its lines.
func TestBarsFitTheWidth(t *testing.T) {
	for _, width := range []int{0, 30, 50, 120} {
		for _, label := range []string{"img-abc (cn-east-2)", "task 7094 (cn-north-1)", strings.Repeat("x", 80)} {
			line := fitBar(label, "pending", 45, width)
			if width > 0 && displayWidth(line) > width-1 {
				t.Errorf("width %d: %d cells: %q", width, displayWidth(line), line)
			}
		}
	}
	m := &multiProgress{w: io.Discard, terminal: true, width: 40, lines: make([]string, 2), plain: make([]string, 2)}
	var b strings.Builder
	m.w = &b
	m.update(0, "img-a (cn-east-1)", "pending", 10)
	m.update(1, "img-b (cn-east-2)", "pending", 20)
	if out := b.String(); !strings.HasSuffix(out, "\n") || !strings.Contains(out, "\033[2A") {
		t.Errorf("%q", out)
	}
}

// The write commands take jdc's flag names.
func TestWriteAliases(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"copy", "--source-image-ids", fake.SeedPrivate, "--destination-region", "cn-east-2", "--region-id", "cn-north-1"},
		{"modify", "--image-id", fake.SeedPrivate, "--name", "x1"},
		{"share", "--image-id", fake.SeedPrivate, "--pins", "p1,p2"},
		{"delete", "--image-id", fake.SeedPrivate, "--delete-snapshot"},
		{"import", "--image-url", "https://b.s3.cn-north-1.jdcloud-oss.com/u.qcow2", "--image-name", "n1", "--platform", "Ubuntu", "--os-type", "linux",
			"--architecture", "x86_64", "--disk-format", "qcow2", "--system-disk-size-gb", "40", "--force-import"},
	} {
		r := e.api(t, append(args, "--dry-run")...)
		if r.code != 0 || !slices.ContainsFunc([]string{"images", "instances"}, func(s string) bool { return strings.Contains(r.stdout, s) }) {
			t.Errorf("%v: exit %d: %s %s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// The read commands take jdc's --input-json too: each field sets its flag.
func TestInputJSONOnReads(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "describe", "--input-json", `{"regionId":"cn-north-1","imageId":"`+fake.SeedCentOS+`"}`, "-o", "text")
	if r.code != 0 || !strings.HasPrefix(r.stdout, fake.SeedCentOS+"\t") {
		t.Errorf("describe: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.run(t, "list", "--input-json", `{"regionId":"cn-north-1","imageSource":"private","ids":["`+fake.SeedPrivate+`"]}`, "-o", "text")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(r.stdout, fake.SeedPrivate) {
		t.Errorf("list: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{`{"regionId":"cn-north-1","bogus":1}`, `[1]`, `{"regionId":"cn-north-1","pageSize":"x"}`} {
		if r := e.run(t, "list", "--input-json", bad); r.code != ExitUsage {
			t.Errorf("list --input-json %s: exit %d: %s", bad, r.code, r.stderr)
		}
	}
}

// A copy that fails while waited for exits 5 and says which; on a terminal with
// TERM=dumb the progress is plain lines.
func TestCopyFailsWhileWaited(t *testing.T) {
	e := newEnv(t)
	src := readyImage(t, e, "failing-copy")
	if err := e.srv.Inject(fake.Fault{Kind: fake.FaultJobFails, Operation: "copyImages", Times: 1}); err != nil {
		t.Fatal(err)
	}
	e.terminal = true
	t.Setenv("TERM", "dumb")
	r := e.api(t, "copy", src, "--to", "cn-east-2", "--wait", "-o", "json")
	var rows []copyRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0].Status != "failed" || r.code != ExitFailed {
		t.Fatalf("exit %d, %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "\033[") || !strings.Contains(r.stderr, rows[0].DestinationImageID+" (cn-east-2): failed") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// import and export start tasks; tasks lists them (one page, --all, filters) and
// wait-task waits for one; a failed import exits 5.
func TestTasksImportExport(t *testing.T) {
	e := newEnv(t)
	imp := []string{"import", "--name", "imported", "--platform", "Ubuntu", "--os-type", "linux", "--architecture", "x86_64",
		"--disk-format", "qcow2", "--system-disk-size", "40"}
	r := e.api(t, append(imp, "--url", "https://b.s3.cn-north-1.jdcloud-oss.com/u.qcow2", "-o", "json")...)
	var made []imageRowOut
	if err := json.Unmarshal([]byte(r.stdout), &made); err != nil || r.code != 0 || len(made) != 1 || made[0].TaskID == "" {
		t.Fatalf("import: exit %d, %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if r := e.api(t, "wait-task", made[0].TaskID); r.code != 0 || !strings.Contains(r.stdout, "task "+made[0].TaskID+" is finished") {
		t.Fatalf("wait-task: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	id := readyImage(t, e, "to-export")
	r = e.api(t, "export", id, "--role-name", "exporter", "--oss-url", "https://backup.s3-internal.cn-north-1.jdcloud-oss.com", "--wait", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"status": "finished"`) {
		t.Fatalf("export --wait: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, append(imp, "--url", fake.FailingImportURL, "--wait")...)
	if r.code != ExitFailed || !strings.Contains(r.stdout, "failed") {
		t.Errorf("failing import: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, "tasks", "--all", "--query", "length(@)")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "3" {
		t.Errorf("tasks --all: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, "tasks", "--action", "ExportImage", "-o", "text")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "\tExportImage\tfinished\t100%\t"+id) {
		t.Errorf("tasks --action ExportImage: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	if r := e.api(t, "tasks", "--since", "yesterday"); r.code != ExitUsage {
		t.Errorf("tasks --since yesterday: exit %d", r.code)
	}
}

// release and unshare ask on a terminal too, naming the image and what goes.
func TestReleaseAndUnshareAsk(t *testing.T) {
	e := newEnv(t)
	e.stdinTerminal, e.stdin = true, "n\n"
	r := e.api(t, "release", fake.SeedShared)
	if r.code != ExitError || !strings.Contains(r.stderr, "community image") || !strings.Contains(r.stderr, "shared with jdcloud-user-02") {
		t.Errorf("release: exit %d: %s", r.code, r.stderr)
	}
	r = e.api(t, "unshare", fake.SeedShared, "--pin", "jdcloud-user-02")
	if r.code != ExitError || !strings.Contains(r.stderr, "Stop sharing") || !strings.Contains(r.stderr, "shared-base-2025-03") {
		t.Errorf("unshare: exit %d: %s", r.code, r.stderr)
	}
	if w := writes(e.srv); len(w) != 0 {
		t.Errorf("writes: %v", w)
	}
	e.stdin = "yes\n"
	if r := e.api(t, "unshare", fake.SeedShared, "--pin", "jdcloud-user-02"); r.code != 0 {
		t.Errorf("unshare yes: exit %d: %s", r.code, r.stderr)
	}
	if m, _ := e.srv.Images().Members(fake.SeedCatalogRegion, fake.SeedShared); slices.Contains(m.Pins, "jdcloud-user-02") {
		t.Errorf("still shared: %v", m.Pins)
	}
}
