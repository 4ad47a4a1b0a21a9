package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
)

// A bad value the client refuses before sending is a usage error naming the flag the
// user typed (not the API's parameter or body field), for the write commands too.
func TestWriteCommandsNameTheFlagOfABadValue(t *testing.T) {
	e := newEnv(t)
	imp := []string{"import", "--url", "https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.qcow2", "--name", "ok-name", "--platform", "Ubuntu",
		"--os-type", "linux", "--disk-format", "qcow2"}
	snap := []string{"create", "--name", "okname", "--platform", "Ubuntu", "--boot-mode", "bios"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tasks", "--action", "Bogus"}, "--action: "},
		{[]string{"tasks", "--status", "bogus"}, "--status: "},
		{[]string{"create", fake.SeedInstanceCloud, "--name", "x"}, "--name: "},
		{[]string{"create", fake.SeedInstanceCloud, "--name", "okname", "--description", strings.Repeat("a", 300)}, "--description: "},
		{[]string{"create", fake.SeedInstanceCloud, "--name", "okname", "--data-disks", `[{"cloudDiskSpec":{"diskSizeGB":7}}]`}, "--data-disks #1 cloudDiskSpec.diskSizeGB: "},
		{append(snap, "--snapshot", "vda=snapshot-x", "--architecture", "bogus"), "--architecture: "},
		{append(snap, "--snapshot", "vda=snap-x", "--architecture", "x86_64"), "--snapshot or --cloud-disks #1 snapshotId: "},
		{append(imp, "--architecture", "bogus", "--system-disk-size", "40"), "--architecture: "},
		{append(imp, "--architecture", "x86_64", "--system-disk-size", "41"), "--system-disk-size: "},
		{[]string{"copy", "img-privshare01", "--to", "cn-east-2", "--name", "bad name"}, "--name: "},
		{[]string{"modify", "img-privdata001", "--name", "bad name"}, "--name: "},
		{[]string{"export", "img-privdata001", "--role-name", "r", "--oss-url", "not a url"}, "--oss-url: "},
	} {
		e.srv.ResetRequests()
		r := e.api(t, c.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "vmimage: "+c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args[:2], r.code, r.stderr, c.want)
		}
		if n := len(e.srv.Requests()); n != 0 {
			t.Errorf("%v: %d requests sent", c.args[:2], n)
		}
	}
	// list still names its own flag for the same parameter.
	if r := e.api(t, "list", "--source", "public", "--arch", "bogus"); r.code != ExitUsage || !strings.Contains(r.stderr, "vmimage: --arch ") {
		t.Errorf("list --arch bogus: exit %d, stderr %q", r.code, r.stderr)
	}
}

// --dry-run prints the requests as one JSON document: an -o or --query it cannot
// honour is refused (exit 2, naming the flag), not accepted and ignored.
func TestDryRunRefusesOutputItIgnores(t *testing.T) {
	e := newEnv(t)
	for _, extra := range [][]string{{"-o", "yaml"}, {"-o", "jsonl"}, {"-o", "text"}, {"--query", "[0].path"}, {"--query", "[0].path", "-o", "text"}} {
		for _, cmd := range [][]string{
			{"copy", "img-privshare01", "--to", "cn-east-2"},
			{"delete", "img-privdata001"},
			{"modify", "img-privdata001", "--name", "n"},
		} {
			r := e.api(t, append(append(cmd, "--dry-run"), extra...)...)
			if r.code != ExitUsage || r.stdout != "" || !strings.Contains(r.stderr, extra[0]) {
				t.Errorf("%s --dry-run %v: exit %d, stdout %q, stderr %q", cmd[0], extra, r.code, r.stdout, r.stderr)
			}
		}
	}
	// -o json (and the default) still print the requests.
	for _, extra := range [][]string{nil, {"-o", "json"}} {
		r := e.api(t, append([]string{"delete", "img-privdata001", "--dry-run"}, extra...)...)
		if r.code != 0 || !strings.Contains(r.stdout, `"method": "DELETE"`) {
			t.Errorf("delete --dry-run %v: exit %d, stdout %q, stderr %q", extra, r.code, r.stdout, r.stderr)
		}
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// An image named twice is deleted once: one DeleteImage, one row, one wait.
func TestDeleteSendsOneRequestPerImage(t *testing.T) {
	e := newEnv(t)
	id := readyImage(t, e, "delete-once")
	e.srv.ResetRequests()
	r := e.api(t, "delete", id, id, "--image-id", id, "--yes", "--wait", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := writes(e.srv); len(got) != 1 {
		t.Errorf("writes sent: %v", got)
	}
	if n := strings.Count(r.stdout, `"imageId"`); n != 1 {
		t.Errorf("%d rows: %s", n, r.stdout)
	}
	if _, ok := e.srv.Images().Get(fake.SeedCatalogRegion, id); ok {
		t.Errorf("%s is still there", id)
	}
}

// An image named twice is copied once: the service refuses sourceImageIds with a
// repeat, so copy sends each image once.
func TestCopyNamesEachImageOnce(t *testing.T) {
	e := newEnv(t)
	src := readyImage(t, e, "copy-once")
	r := e.api(t, "copy", src, src, "--to", "cn-east-2", "-o", "json")
	if r.code != 0 || strings.Count(r.stdout, `"destinationImageId"`) != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// An output the write cannot print (-o raw, a --query that does not compile or
// with -o jsonl) is refused before the write is sent: refused after, the image
// was made and its id never printed.
func TestWriteOutputCheckedBeforeSending(t *testing.T) {
	e := newEnv(t)
	for _, extra := range [][]string{{"-o", "raw"}, {"--query", "[[["}, {"--query", "[0].imageId", "-o", "jsonl"}} {
		e.srv.ResetRequests()
		r := e.api(t, append([]string{"create", fake.SeedInstanceCloud, "--name", "made-once"}, extra...)...)
		if r.code != ExitUsage {
			t.Errorf("create %v: exit %d, stdout %q, stderr %q", extra, r.code, r.stdout, r.stderr)
		}
		if got := writes(e.srv); len(got) != 0 {
			t.Errorf("create %v: sent %v", extra, got)
		}
	}
	for _, args := range [][]string{
		{"modify", "img-privdata001", "--name", "n", "-o", "raw"},
		{"share", "img-privshare01", "--pin", "p", "--query", "[[["},
		{"copy", "img-privshare01", "--to", "cn-east-2", "-o", "raw"},
		{"delete", "img-privdata001", "--yes", "--query", "[0]", "-o", "jsonl"},
		{"export", "img-privdata001", "--role-name", "r", "--oss-url", "https://b.example", "-o", "raw"},
	} {
		e.srv.ResetRequests()
		r := e.api(t, args...)
		if r.code != ExitUsage || len(writes(e.srv)) != 0 {
			t.Errorf("%v: exit %d, sent %v, stderr %q", args, r.code, writes(e.srv), r.stderr)
		}
	}
}

// delete with an image as argument and another in --input-json refuses (exit 2,
// nothing sent) instead of deleting both; the input's image alone is still deleted.
func TestDeleteInputJSONDisagreeingImage(t *testing.T) {
	e := newEnv(t)
	keep := readyImage(t, e, "keep-this")
	named := readyImage(t, e, "delete-this")
	e.srv.ResetRequests()
	r := e.api(t, "delete", named, "--input-json", `{"imageId":"`+keep+`"}`, "--yes")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--input-json") || len(writes(e.srv)) != 0 {
		t.Fatalf("exit %d, sent %v, stderr %q", r.code, writes(e.srv), r.stderr)
	}
	if _, ok := e.srv.Images().Get(fake.SeedCatalogRegion, keep); !ok {
		t.Fatalf("%s was deleted", keep)
	}
	r = e.api(t, "delete", named, "--input-json", `{"imageId":"`+named+`","deleteSnapshot":false}`, "--yes", "--dry-run")
	if r.code != 0 || strings.Count(r.stdout, `"DELETE"`) != 1 {
		t.Errorf("same image both ways: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, "delete", "--input-json", `{"imageId":"`+named+`"}`, "--yes", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, named) {
		t.Errorf("input only: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}

// The write commands' help offers only the formats they print (-o raw is refused).
func TestWriteHelpListsTheirFormats(t *testing.T) {
	e := newEnv(t)
	for _, cmd := range []string{"create", "copy", "delete", "share", "modify", "export"} {
		r := e.run(t, cmd, "--help")
		line := ""
		for l := range strings.SplitSeq(r.stdout, "\n") {
			if strings.Contains(l, "--output") {
				line = l
			}
		}
		if r.code != 0 || !strings.Contains(line, "yaml, text") || strings.Contains(line, "raw") {
			t.Errorf("%s --help: exit %d, -o line %q", cmd, r.code, line)
		}
	}
}

// A copy to several regions waits for each copy in flight before the next region,
// with or without --wait: it is bounded as a wait (--timeout, default 30m), not by
// the write timeout of one call, which would end it before the later regions are
// copied. To one region, the write timeout still bounds it.
func TestCopyToSeveralRegionsIsBoundedAsAWait(t *testing.T) {
	e := newEnv(t)
	e.writeTimeout = time.Nanosecond // any call bounded by it fails at once
	r := e.api(t, "copy", "img-privshare01", "--to", "cn-east-2", "--to", "cn-south-1", "-o", "json")
	if r.code != ExitOK || strings.Count(r.stdout, `"destinationImageId"`) != 2 {
		t.Fatalf("copy to two regions: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = e.api(t, "copy", "img-privshare01", "--to", "cn-east-1", "-o", "json")
	if r.code == ExitOK {
		t.Errorf("copy to one region ran past a write timeout of 1ns: stdout %q", r.stdout)
	}
}
