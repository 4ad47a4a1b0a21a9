package cli

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/validate"
)

// The start-up banner of vmimage fake lists every operation of openapi.yaml, each
// method with its paths, and no path the spec lacks (it said "image read service" and
// listed only the GET paths after the fake served the write calls).
func TestFakeBannerListsEveryOperation(t *testing.T) {
	out := &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"fake", "--addr", "127.0.0.1:0", "--job-duration", "3s", "--image-quota", "7"})
	}()
	for i := 0; i < 500 && !strings.Contains(out.String(), "try: "); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	banner := out.String()
	if !strings.Contains(banner, "fake image service listening on") || strings.Contains(banner, "read service") {
		t.Errorf("banner does not describe the whole image API:\n%s", banner)
	}
	if !strings.Contains(banner, "work takes 3s (--job-duration); 7 private images a region (--image-quota)") {
		t.Errorf("banner does not say the job duration and quota in force:\n%s", banner)
	}
	listed := map[string]bool{}
	method := ""
	in := false
	for _, line := range strings.Split(banner, "\n") {
		switch {
		case strings.Contains(line, "calls of JD Cloud's image API under"):
			in = true
			continue
		case !in:
			continue
		case !strings.HasPrefix(line, "    "):
			in = false
			continue
		}
		fields := strings.Fields(line)
		if m := fields[0]; m == "GET" || m == "POST" || m == "DELETE" {
			method = m
			fields = fields[1:]
		}
		for _, f := range strings.Split(strings.Join(fields, ""), ",") {
			if f == "" {
				continue
			}
			for _, p := range expand(f) {
				listed[method+" /regions/{regionId}"+p] = true
			}
		}
	}
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	n := 0
	for path, item := range v.Document().Paths.Map() {
		for m := range item.Operations() {
			n++
			key := m + " " + path
			if !listed[key] {
				missing = append(missing, key)
			}
			delete(listed, key)
		}
	}
	if len(missing) > 0 || len(listed) > 0 || n != 17 {
		slices.Sort(missing)
		t.Errorf("banner misses %v; lists %v which the spec lacks; spec has %d operations\n%s", missing, listed, n, banner)
	}
	if !strings.Contains(banner, "all 17 calls") {
		t.Errorf("banner does not say all 17 calls:\n%s", banner)
	}
}

var altGroup = regexp.MustCompile(`\{[^{}]*\|[^{}]*\}`)

// expand spells out the banner's shorthand: [x] is optional and [a|b] one of a, b or
// neither (innermost first); {a|b} is one of a or b; {name} alone is a path parameter.
func expand(s string) []string {
	if i := strings.LastIndex(s, "["); i >= 0 {
		j := i + strings.Index(s[i:], "]")
		var out []string
		for _, mid := range append([]string{""}, strings.Split(s[i+1:j], "|")...) {
			out = append(out, expand(s[:i]+mid+s[j+1:])...)
		}
		return out
	}
	if loc := altGroup.FindStringIndex(s); loc != nil {
		var out []string
		for _, alt := range strings.Split(s[loc[0]+1:loc[1]-1], "|") {
			out = append(out, expand(s[:loc[0]]+alt+s[loc[1]:])...)
		}
		return out
	}
	return []string{s}
}
