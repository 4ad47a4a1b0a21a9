package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vmimage/vmimage/fake"
)

// writeProfile writes $HOME/.jdc/config (HOME is the test's temporary one).
func writeProfile(t *testing.T, text string) string {
	t.Helper()
	dir := filepath.Join(os.Getenv("HOME"), ".jdc")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Keys in the environment do not change where requests go: the profile's region and
// endpoint (host:port with its scheme, as jdc writes it) still apply, each setting
// from its first source; --debug and a 401 say where each came from.
func TestEnvironmentKeysKeepTheProfilesRegionAndEndpoint(t *testing.T) {
	e := newEnv(t) // keys in the environment
	e.noEndpoint = true
	host := strings.TrimPrefix(e.srv.URL, "http://")
	path := writeProfile(t, "[default]\naccess_key = AKPROFILE\nsecret_key = secret-profile-value\nregion_id = cn-north-1\nendpoint = "+host+"\nscheme = http\n")
	r := e.run(t, "describe", "--debug", fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	prof := `profile \"default\" in ` + path
	for _, want := range []string{"endpoint=" + e.srv.URL, "endpoint_from=\"" + prof, "region=cn-north-1", "region_from=\"" + prof, "credentials_from=environment"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--debug lacks %s:\n%s", want, r.stderr)
		}
	}
	// JDCLOUD_REGION wins over the profile's region, and the endpoint stays the profile's.
	t.Setenv("JDCLOUD_REGION", "cn-east-2")
	r = e.run(t, "describe", "--debug", fake.SeedWindows)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, "region=cn-east-2 region_from=\"environment (JDCLOUD_REGION)\"") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// --region wins over both; --endpoint host:port is accepted (scheme from the profile).
	r = e.run(t, "describe", "--debug", "--region", "cn-north-1", "--endpoint", host, fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, "region_from=--region") || !strings.Contains(r.stderr, "endpoint_from=--endpoint") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// A 401 names the sources.
	t.Setenv("JDCLOUD_SECRET_KEY", "not-the-secret-at-all")
	r = e.run(t, "describe", fake.SeedWindows)
	wantCode(t, r, ExitError)
	if !strings.Contains(r.stderr, "credentials from environment; endpoint "+e.srv.URL+" from "+strings.ReplaceAll(prof, `\"`, `"`)+"; region cn-east-2 from environment (JDCLOUD_REGION)") {
		t.Errorf("401: %s", r.stderr)
	}
}

// No CLI message names a Go option.
func TestBadEndpointNamesTheFlag(t *testing.T) {
	e := newEnv(t)
	e.noEndpoint = true
	r := e.run(t, "describe", "-r", "cn-north-1", "--endpoint", "ftp://x", fake.SeedCentOS)
	wantCode(t, r, ExitUsage)
	if !strings.HasPrefix(r.stderr, "vmimage: --endpoint: ") || strings.Contains(r.stderr, "With") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// One rule, one place: the region the CLI calls is the one the client resolved (with
// --profile p, region cn-east-2, and JDCLOUD_REGION=cn-north-1 the client reported
// cn-east-2 while the CLI called cn-north-1).
func TestTheCLICallsTheClientsRegion(t *testing.T) {
	e := newEnv(t)
	writeProfile(t, "[p]\naccess_key = "+e.srv.Credentials().AccessKey+"\nsecret_key = "+e.srv.Credentials().SecretKey+"\nregion_id = cn-east-2\n")
	t.Setenv("JDCLOUD_REGION", "cn-north-1")
	r := e.run(t, "describe", "--debug", "--profile", "p", fake.SeedCentOS)
	wantCode(t, r, ExitOK)
	m := regexp.MustCompile(` region=(\S+) `).FindStringSubmatch(r.stderr)
	if m == nil || !strings.Contains(r.stderr, "/v1/regions/"+m[1]+"/images/") {
		t.Errorf("the client's region and the called one differ:\n%s", r.stderr)
	}
}

// The API flags are one set, registered once and shared by the commands that call
// the API (they were registered again on every command).
func TestAPIFlagsAreOneSet(t *testing.T) {
	root := New().rootCommand()
	var first *pflag.Flag
	for _, name := range []string{"describe", "list", "constraints", "members", "wait"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		f := cmd.Flags().Lookup("region")
		if first == nil {
			first = f
		}
		if f == nil || f != first {
			t.Errorf("%s: --region is not the shared flag", name)
		}
	}
	for _, name := range []string{"validate", "spec", "fake", "demo"} {
		if cmd, _, _ := root.Find([]string{name}); cmd.Flags().Lookup("region") != nil {
			t.Errorf("%s takes --region", name)
		}
	}
}
