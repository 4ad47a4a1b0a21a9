package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// TestListAllPrintsEveryImageOnce lists every source of the catalog region with --all:
// together they print every seeded image of the region exactly once.
func TestListAllPrintsEveryImageOnce(t *testing.T) {
	e := newEnv(t)
	var want []string
	for _, img := range e.srv.Images().InRegion(fake.SeedCatalogRegion) {
		want = append(want, *img.ImageId)
	}
	var got []string
	for _, args := range [][]string{
		{"--source", "public", "--offline"}, {"--source", "thirdparty", "--offline"}, {"--source", "private"},
		{"--source", "shared"}, {"--source", "community"},
	} {
		r := e.run(t, append([]string{"list", "-r", fake.SeedCatalogRegion, "--all", "-o", "jsonl"}, args...)...)
		wantCode(t, r, ExitOK)
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if line == "" {
				continue
			}
			var img struct {
				ImageID string `json:"imageId"`
			}
			if err := json.Unmarshal([]byte(line), &img); err != nil {
				t.Fatalf("%v: line %q: %v", args, line, err)
			}
			got = append(got, img.ImageID)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("list --all printed\n%v\nwant every image of the region once\n%v", got, want)
	}
	if len(want) < 30 {
		t.Errorf("the catalog region has only %d images", len(want))
	}
}

func TestListFormats(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--page-size", "10", "--page", "3")
	wantCode(t, r, ExitOK)
	golden(t, "list_page3.golden", r.stdout)
	if r.stderr != "page 3: 10 image(s) of 30 matching; without --page and --page-size every page is listed\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	// json is one array whatever the count; an empty result is [] in json and yaml.
	for _, c := range []struct {
		format, want string
		n            int
	}{{"json", "", 30}, {"yaml", "", 30}} {
		r := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--all", "-o", c.format)
		wantCode(t, r, ExitOK)
		if c.format == "json" {
			var arr []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != c.n {
				t.Errorf("json: %d images, %v", len(arr), err)
			}
		} else if strings.Count(r.stdout, "\n- ") != c.n-1 || !strings.HasPrefix(r.stdout, "- ") {
			t.Errorf("yaml is not a sequence of %d:\n%s", c.n, r.stdout[:200])
		}
		empty := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--name", "nothing like it", "-o", c.format)
		if empty.stdout != "[]\n" {
			t.Errorf("%s of nothing: %q", c.format, empty.stdout)
		}
	}
	r = e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--platform", "Ubuntu", "--arch", "arm64", "--all")
	wantCode(t, r, ExitOK)
	golden(t, "list_filtered.golden", r.stdout)
}

// list gives every image by default (it showed the first page of 20), --max-items
// caps, enum filters and --platform take any case, and an empty listing in an
// undocumented region or of an undocumented platform says so.
func TestListEveryImageByDefault(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "-o", "json")
	wantCode(t, r, ExitOK)
	var arr []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 30 || r.stderr != "30 image(s)\n" {
		t.Errorf("default list: %d images (%v), stderr %q", len(arr), err, r.stderr)
	}
	r = e.run(t, "list", "-r", "cn-north-1", "--source", "public", "-o", "jsonl", "--max-items", "7")
	wantCode(t, r, ExitOK)
	if n := strings.Count(r.stdout, "\n"); n != 7 || !strings.Contains(r.stderr, "--max-items 7") {
		t.Errorf("--max-items 7: %d lines, stderr %q", n, r.stderr)
	}
	lower := e.run(t, "list", "-r", "cn-north-1", "--source", "PUBLIC", "--platform", "ubuntu", "--arch", "ARM64")
	wantCode(t, lower, ExitOK)
	golden(t, "list_filtered.golden", lower.stdout)
	r = e.run(t, "list", "-r", "cn-nowhere-1", "--source", "public")
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, `region "cn-nowhere-1" is not one of the documented regions`) {
		t.Errorf("undocumented region: stderr %q", r.stderr)
	}
	r = e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--platform", "Debian")
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, `--platform "Debian" is not one the API documents (Ubuntu, CentOS, Windows Server, Other Linux, Other Windows)`) {
		t.Errorf("undocumented platform: stderr %q", r.stderr)
	}
}

func TestListUsageErrors(t *testing.T) {
	e := newEnv(t)
	for args, want := range map[string]string{
		"list -r cn-north-1": "--source is required unless --id is given (one of public, thirdparty, private, shared, community)",
		"list -r cn-north-1 --source public --page-size 5":                "--page-size 5 must be between 10 and 100",
		"list -r cn-north-1 --source public --page 0":                     "--page 0 must be at least 1",
		"list -r cn-north-1 --source everything":                          `--source "everything": must be one of public, thirdparty, private, shared, community`,
		"list -r cn-north-1 --source public --status gone":                `--status "gone": must be one of pending, ready, deleting, error`,
		"list -r cn-north-1 --source public --all --page 2":               "give one or the other",
		"list -r cn-north-1 --source public --max-items 5 --page-size 10": "give one or the other",
		"list -r cn-north-1 --source public --max-items -1":               "--max-items -1 must not be negative",
		"list -r cn-north-1 --source public -o xml":                       "unknown output format",
		"list -r cn-north-1 --source public img-a":                        "list takes no arguments",
		"list -r cn-north-1 --id img-a --id img-b/c":                      "--id #2: does not match ^img-[a-z0-9]+$",
		"constraints -r cn-north-1":                                       "at least one image id",
		"members -r cn-north-1":                                           "members takes one image id",
		"validate --operation describeEverything -":                       "not an operation of the spec",
		"constraints -r cn-north-1 img-a -o xml":                          "unknown output format",
	} {
		r := e.run(t, strings.Fields(args)...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", args, r.code, r.stderr, want)
		}
	}
}

func TestConstraintsAndMembersCommands(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "constraints", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	golden(t, "constraints_one.golden", r.stdout)
	r = e.run(t, "constraints", "-r", "cn-north-1", fake.SeedCentOS, fake.SeedUbuntu, "img-catalog05")
	wantCode(t, r, ExitOK)
	golden(t, "constraints_batch.golden", r.stdout)
	r = e.run(t, "constraints", "-r", "cn-north-1", "img-nosuch01")
	wantCode(t, r, ExitNotFound)
	// One id's answer does not depend on how many were asked: unknown ids in a batch
	// are not found (exit 3, as alone), an unconstrained image reads "any" in both.
	r = e.run(t, "constraints", "-r", "cn-north-1", "img-nosuch01", "img-nosuch02", "-o", "json")
	wantCode(t, r, ExitNotFound)
	if r.stdout != "[]\n" || strings.Count(r.stderr, "not found") < 2 || !strings.Contains(r.stderr, "img-nosuch02") {
		t.Errorf("two unknown ids: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	alone := e.run(t, "constraints", "-r", "cn-north-1", "img-catalog05")
	wantCode(t, alone, ExitOK)
	if !strings.Contains(alone.stdout, "img-catalog05  any") { // and in a batch: constraints_batch.golden
		t.Errorf("unconstrained image alone %q", alone.stdout)
	}
	r = e.run(t, "constraints", "-r", "cn-north-1", fake.SeedCentOS, "img-nosuch01")
	wantCode(t, r, ExitNotFound)
	if !strings.Contains(r.stdout, fake.SeedCentOS) || !strings.Contains(r.stderr, "img-nosuch01") {
		t.Errorf("mixed batch: stdout %q, stderr %q", r.stdout, r.stderr)
	}

	r = e.run(t, "members", "-r", "cn-north-1", fake.SeedShared)
	wantCode(t, r, ExitOK)
	golden(t, "members.golden", r.stdout)
	r = e.run(t, "members", "-r", "cn-north-1", fake.SeedShared, "-o", "json")
	wantCode(t, r, ExitOK)
	var doc []struct {
		ImageID string   `json:"imageId"`
		Pins    []string `json:"pins"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc) != 1 || doc[0].ImageID != fake.SeedShared || len(doc[0].Pins) != 2 {
		t.Errorf("members json: %+v %v\n%s", doc, err, r.stdout)
	}
	r = e.run(t, "members", "-r", "cn-north-1", fake.SeedPrivate)
	wantCode(t, r, ExitOK)
	if r.stdout != "" || !strings.Contains(r.stderr, "shared with no one") {
		t.Errorf("unshared: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestServerTextIsEscapedInTables(t *testing.T) {
	e := newEnv(t)
	id, name := "img-evil00001", "pwned\x1b]0;owned\x07\x1b[2J name"
	if err := e.srv.Images().Put("cn-north-1", fakeImage(id, name)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"describe", "-r", "cn-north-1", id},
		{"describe", "-r", "cn-north-1", "-o", "wide", id},
		{"list", "-r", "cn-north-1", "--id", id},
	} {
		r := e.run(t, args...)
		wantCode(t, r, ExitOK)
		if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `pwned\x1b]0;owned\a\x1b[2J name`) {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
	// json stays exact: the escape is JSON's own.
	r := e.run(t, "describe", "-r", "cn-north-1", "-o", "json", id)
	if !strings.Contains(r.stdout, `\u001b]0;owned\u0007`) {
		t.Errorf("json: %s", r.stdout)
	}
}

func fakeImage(id, name string) api.Image {
	status, source := api.ImageStatusReady, api.ImageSourcePrivate
	return api.Image{ImageId: &id, Name: &name, Status: &status, ImageSource: &source}
}

func TestServerTextIsEscapedByWait(t *testing.T) {
	e := newEnv(t)
	id := "img-evil00002"
	img := fakeImage(id, "ready\x1b]0;owned\x07 image")
	if err := e.srv.Images().Put("cn-north-1", img); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "wait", "-r", "cn-north-1", id)
	wantCode(t, r, ExitOK)
	if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") || !strings.Contains(r.stdout, `ready\x1b]0;owned\a image`) {
		t.Errorf("wait printed %q / %q", r.stdout, r.stderr)
	}
	// A status the spec does not know, with an escape in it, until the wait times out.
	status := api.ImageStatus("pend\x1b[2Jing")
	img.Status = &status
	if err := e.srv.Images().Put("cn-north-1", img); err != nil {
		t.Fatal(err)
	}
	for _, term := range []bool{false, true} {
		e.terminal = term
		r = e.run(t, "wait", "-r", "cn-north-1", "--timeout", "1m", id)
		wantCode(t, r, ExitTimeout)
		if strings.Contains(r.stdout+r.stderr, "\x1b[2J") || !strings.Contains(r.stderr, `pend\x1b[2Jing`) && !strings.Contains(r.stderr, "pend?[2Jing") {
			t.Errorf("terminal=%v: wait printed %q / %q", term, r.stdout, r.stderr)
		}
	}
}

// A file and stdin share one size limit, and the error names it.
func TestValidateInputLimit(t *testing.T) {
	e := newEnv(t)
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxValidateInput + 1); err != nil { // sparse: no disk, no time
		t.Fatal(err)
	}
	f.Close()
	r := e.run(t, "validate", big)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "larger than the 64 MiB") {
		t.Errorf("stderr %q", r.stderr)
	}
	e.stdin = strings.Repeat(" ", MaxValidateInput+1)
	r = e.run(t, "validate", "-")
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "- is larger than the 64 MiB") {
		t.Errorf("stdin: stderr %q", r.stderr)
	}
}

// vmimage fake --log prints a line per request, with why authentication failed.
func TestFakeCommandLogsRequests(t *testing.T) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	url, stop := startFakeCommand(t, out, errOut, "--log")
	c, err := client.New(client.WithEndpoint(url), client.WithCredentials(signer.Credentials{AccessKey: "AKWRONG", SecretKey: "not-the-secret"}),
		client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	stop()
	if !regexp.MustCompile(`fake: \S+ GET /v1/regions/cn-north-1/images/img-centos82pub -> 401 \(refused: Invalid accessKey\)`).MatchString(errOut.String()) {
		t.Errorf("stderr:\n%s", errOut.String())
	}
}

// The bar fits the terminal: every redraw of the line stays within width-1 cells.
func TestWaitBarFitsTheTerminal(t *testing.T) {
	for _, width := range []int{80, 60, 40, 20} {
		e := newEnv(t)
		e.terminal, e.width = true, width
		r := e.run(t, "wait", "-r", "cn-north-1", fake.SeedPending)
		wantCode(t, r, ExitOK)
		for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\r\033[K") {
			if w := displayWidth(line); w > width-1 {
				t.Errorf("width %d: a %d-cell line: %q", width, w, line)
			}
		}
		if !strings.Contains(r.stderr, "100%") {
			t.Errorf("width %d: no final state: %q", width, r.stderr)
		}
	}
	// TERM=dumb: plain lines, no redraws, even on a terminal.
	e := newEnv(t)
	e.terminal = true
	t.Setenv("TERM", "dumb")
	r := e.run(t, "wait", "-r", "cn-north-1", fake.SeedPending)
	if strings.Contains(r.stderr, "\r") || !strings.Contains(r.stderr, "img-pending0001: status ready, progress 100%\n") {
		t.Errorf("TERM=dumb: %q", r.stderr)
	}
}

// wait says in words what it sees: an image not found yet, an offline one.
func TestWaitSaysWhatItSees(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "wait", "-r", "cn-south-1", fake.SeedOffline)
	wantCode(t, r, ExitFailed)
	if !strings.Contains(r.stderr, "img-offline0001: offline: no new instances can be created from it\n") || strings.Contains(r.stderr, "status ready") {
		t.Errorf("offline: %q", r.stderr)
	}
	r = e.run(t, "wait", "-r", "cn-north-1", "--not-found-grace", "5s", "--min-delay", "2s", "img-nosuch01")
	wantCode(t, r, ExitNotFound)
	if !strings.Contains(r.stderr, "img-nosuch01: not found yet (a new image can take a while to appear)\n") || strings.Contains(r.stderr, "status ,") {
		t.Errorf("missing: %q", r.stderr)
	}
}

func TestValidateOnATerminalNeedsAFile(t *testing.T) {
	e := newEnv(t)
	e.stdinTerminal = true
	r := e.run(t, "validate")
	wantCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "usage: vmimage validate [FILE|-]") {
		t.Errorf("stderr %q", r.stderr)
	}
	e.stdin = `{"requestId":"r","result":{"image":{}}}`
	r = e.run(t, "validate", "-") // explicit: reads the terminal's stdin
	wantCode(t, r, ExitOK)
}

// Global flags are accepted only by the commands they act on.
func TestAPIFlagsOnlyWhereTheyAct(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"spec", "--region", "cn-north-1"}, {"validate", "--endpoint", "http://127.0.0.1:1", "-"}, {"demo", "--debug"}, {"fake", "--timeout", "1s"}} {
		r := e.run(t, args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "unknown flag") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	for _, cmd := range []string{"describe", "list", "constraints", "members", "wait"} {
		r := e.run(t, cmd, "--help")
		if r.code != ExitOK || !strings.Contains(r.stdout, "--region") || !strings.Contains(r.stdout, "--insecure-http") {
			t.Errorf("%s --help lacks the API flags: %s", cmd, r.stdout)
		}
	}
	r := e.run(t, "spec", "--help")
	if strings.Contains(r.stdout, "--region") {
		t.Errorf("spec --help shows --region")
	}
}

// People coming from jdc type --region-id and --image-id.
func TestJdcAliases(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "describe", "--region-id", "cn-north-1", "--image-id", fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, fake.SeedCentOS) {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, args := range [][]string{
		{"members", "--region-id", "cn-north-1", "--image-id", fake.SeedShared},
		{"constraints", "--region-id", "cn-north-1", "--image-id", fake.SeedCentOS},
		{"wait", "--region-id", "cn-north-1", "--image-id", fake.SeedCentOS},
	} {
		if r := e.run(t, args...); r.code != ExitOK {
			t.Errorf("%v: exit %d %s", args, r.code, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := e.run(t, args...)
		wantCode(t, r, ExitOK)
		if !regexp.MustCompile(`^vmimage \d+\.\d+\.\d+ \(module \S+ \S+, revision \S+.*, go1\.\d+.* \w+/\w+\)\n$`).MatchString(r.stdout) {
			t.Errorf("%v: %q", args, r.stdout)
		}
	}
}

// --query is JMESPath over the json or yaml document, as in the AWS CLI.
func TestQuery(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--all", "--query", "[?architecture=='arm64'].imageId | sort(@)")
	wantCode(t, r, ExitOK)
	if r.stdout != "[\n  \"img-catalog06\",\n  \"img-catalog09\",\n  \"img-catalog12\",\n  \"img-catalog18\",\n  \"img-catalog21\",\n  \"img-catalog24\",\n  \"img-ubuntu2204x\"\n]\n" {
		t.Errorf("list --query: %q", r.stdout)
	}
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS, fake.SeedUbuntu, "--query", "[].name", "-o", "yaml")
	wantCode(t, r, ExitOK)
	if r.stdout != "- CentOS 8.2 64位\n- Ubuntu 22.04 64位 (arm64)\n" {
		t.Errorf("describe --query -o yaml: %q", r.stdout)
	}
	for _, args := range [][]string{
		{"describe", "-r", "cn-north-1", fake.SeedCentOS, "--query", "[?"},
		{"describe", "-r", "cn-north-1", fake.SeedCentOS, "--query", ""}, // was ignored
		{"describe", "-r", "cn-north-1", fake.SeedCentOS, "--query", "[].name", "-o", "jsonl"},
	} {
		if r := e.run(t, args...); r.code != ExitUsage || !strings.Contains(r.stderr, "--query") {
			t.Errorf("%v: exit %d %q", args, r.code, r.stderr)
		}
	}
}

// --query as AWS users write it: JMESPath's legacy unquoted literal (`ready`), and
// with -o table and -o text.
func TestQueryAsTheAWSCLI(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "list", "-r", "cn-north-1", "--source", "public", "--query", "[?architecture==`arm64`].imageId | sort(@)", "-o", "text")
	wantCode(t, r, ExitOK)
	if r.stdout != "img-catalog06\timg-catalog09\timg-catalog12\timg-catalog18\timg-catalog21\timg-catalog24\timg-ubuntu2204x\n" {
		t.Errorf("legacy literal, -o text: %q %s", r.stdout, r.stderr)
	}
	// A JSON literal, a raw string holding a backtick, and a quoted identifier are left alone.
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS, fake.SeedUbuntu, "--query", "[?status==`\"ready\"` && name!='a`b'].{id: imageId, \"disk\": systemDiskSizeGB}", "-o", "table")
	wantCode(t, r, ExitOK)
	if r.stdout != "DISK  ID\n40    img-centos82pub\n40    img-ubuntu2204x\n" {
		t.Errorf("-o table: %q %s", r.stdout, r.stderr)
	}
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS, "-o", "text")
	wantCode(t, r, ExitOK)
	if !strings.HasPrefix(r.stdout, fake.SeedCentOS+"\t") || strings.Contains(r.stdout, "IMAGE ID") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("-o text: %q", r.stdout)
	}
	for expr, want := range map[string]string{
		"[?status==`ready`]":  "[?status==`\"ready\"`]",
		"[?status==` ready`]": "[?status==`\"ready\"`]",
		"[?n==`1`]":           "[?n==`1`]",
		"['`x`']":             "['`x`']",
		"[?a==`\\`b`]":        "[?a==`\"\\`b\"`]",
		"`unterminated":       "`unterminated",
		"[?s==`{\"a\": 1}`]":  "[?s==`{\"a\": 1}`]",
	} {
		if got := legacyLiterals(expr); got != want {
			t.Errorf("legacyLiterals(%q) = %q, want %q", expr, got, want)
		}
	}
}

// TestExitCodesOfTheREADME runs every example of the README's exit-code table.
func TestExitCodesOfTheREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := string(readme)
	start, end := strings.Index(table, "<!-- exit-codes -->"), strings.Index(table, "<!-- /exit-codes -->")
	if start < 0 || end < start {
		t.Fatal("README has no exit-codes table")
	}
	row := regexp.MustCompile(`(?m)^\| (\d+) \| ([^|]+) \| (.*) \|$`)
	example := regexp.MustCompile("`vmimage ([^`]*)`")
	e := newEnv(t)
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	help := e.run(t, "--help").stdout
	rows := 0
	for i, m := range row.FindAllStringSubmatch(table[start:end], -1) {
		rows++
		code, _ := strconv.Atoi(m[1])
		// The meaning is --help's, word for word (markdown's backticks aside).
		meaning := strings.ReplaceAll(m[2], "`", "")
		if i >= len(exitCodes) || exitCodes[i].code != code || exitCodes[i].meaning != meaning || !strings.Contains(help, meaning) {
			t.Errorf("README row %d %q is not --help's", code, meaning)
		}
		if code == ExitInterrupted {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			app := &App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv,
				ClientOptions: []client.Option{client.WithHTTPClient(&http.Client{Transport: loopbackOnly})}}
			if got := app.Run(ctx, []string{"wait", "--endpoint", e.srv.URL, "-r", "cn-north-1", fake.SeedPending}); got != code {
				t.Errorf("an interrupted wait exits %d, the README says %d", got, code)
			}
			continue
		}
		examples := example.FindAllStringSubmatch(m[3], -1)
		if len(examples) == 0 {
			t.Errorf("row %d has no example", code)
		}
		for _, ex := range examples {
			var args []string
			for _, f := range strings.Fields(ex[1]) {
				switch {
				case f == "''":
					f = ""
				case strings.HasSuffix(f, ".json"): // a file of the repository, run from its root
					if _, err := os.Stat(filepath.Join(root, f)); err != nil {
						t.Errorf("vmimage %s: %v", ex[1], err)
					}
					f = filepath.Join(root, f)
				}
				args = append(args, f)
			}
			if r := e.run(t, args...); r.code != code {
				t.Errorf("vmimage %s: exit %d, the README says %d (stderr %q)", ex[1], r.code, code, r.stderr)
			}
		}
	}
	if rows != 7 {
		t.Errorf("the table has %d rows, want 7 (0-5 and 130)", rows)
	}
}

// A wrong region looks like one, and a 401 says whose credentials were refused.
func TestErrorsSayWhatToFix(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, "describe", "-r", "cn-nowhere-9", fake.SeedCentOS)
	wantCode(t, r, ExitNotFound)
	if !strings.Contains(r.stderr, `region "cn-nowhere-9" is not one of the documented regions cn-north-1, cn-east-1, cn-east-2, cn-south-1`) {
		t.Errorf("stderr %q", r.stderr)
	}
	t.Setenv("JDCLOUD_SECRET_KEY", "not-the-secret-at-all")
	r = e.run(t, "describe", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "401 ACCESS_ERROR") || !strings.Contains(r.stderr, "(credentials from environment; endpoint "+e.srv.URL+" from --endpoint; region cn-north-1 from --region)") || strings.Contains(r.stderr, "not-the-secret") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = e.run(t, "describe", "--endpoint", "http://example.com", "-r", "cn-north-1", fake.SeedCentOS)
	wantCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "add --insecure-http") || strings.Contains(r.stderr, "WithInsecureHTTP") {
		t.Errorf("stderr %q", r.stderr)
	}
}
