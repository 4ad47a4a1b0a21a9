package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/signer"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func home(t *testing.T, config, current string) string {
	t.Helper()
	h := t.TempDir()
	if config == "" && current == "" {
		return h
	}
	if err := os.MkdirAll(filepath.Join(h, ".jdc"), 0o700); err != nil {
		t.Fatal(err)
	}
	if config != "" {
		os.WriteFile(filepath.Join(h, ".jdc", "config"), []byte(config), 0o600)
	}
	if current != "" {
		os.WriteFile(filepath.Join(h, ".jdc", "current"), []byte(current), 0o600)
	}
	return h
}

const profiles = `
# jdc config
[default]
access_key = AKDEFAULT
secret_key = secret-default-value
region_id = cn-north-1
endpoint = vm.jdcloud-api.com
scheme = https

[work]
access_key = AKWORK
secret_key = secret-work-value
region_id = cn-east-2

[half]
access_key = AKHALF
`

func TestChainOrder(t *testing.T) {
	full := map[string]string{EnvAccessKey: "AKENV", EnvSecretKey: "secret-env-value", EnvRegion: "cn-south-1", EnvSecurityToken: "tok"}
	cases := []struct {
		name       string
		cfg        Config
		wantAK     string
		wantRegion string
		wantSource string
	}{
		{"explicit wins", Config{Explicit: &signer.Credentials{AccessKey: "AKX", SecretKey: "sx"}, Getenv: env(full), HomeDir: home(t, profiles, "")}, "AKX", "cn-south-1", "explicit"},
		{"env before profile", Config{Getenv: env(full), HomeDir: home(t, profiles, "")}, "AKENV", "cn-south-1", "environment"},
		{"default profile", Config{Getenv: env(nil), HomeDir: home(t, profiles, "")}, "AKDEFAULT", "cn-north-1", `profile "default"`},
		{"current file", Config{Getenv: env(nil), HomeDir: home(t, profiles, "work\n")}, "AKWORK", "cn-east-2", `profile "work"`},
		{"env profile beats current", Config{Getenv: env(map[string]string{EnvProfile: "default"}), HomeDir: home(t, profiles, "work")}, "AKDEFAULT", "cn-north-1", `profile "default"`},
		{"explicit profile beats env", Config{Profile: "work", Getenv: env(map[string]string{EnvProfile: "default"}), HomeDir: home(t, profiles, "")}, "AKWORK", "cn-east-2", `profile "work"`},
		{"env region beats profile", Config{Getenv: env(map[string]string{EnvRegion: "cn-east-1"}), HomeDir: home(t, profiles, "")}, "AKDEFAULT", "cn-east-1", `profile "default"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Resolve(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.AccessKey != c.wantAK || r.Region != c.wantRegion || !strings.HasPrefix(r.Source, c.wantSource) {
				t.Fatalf("got %v region %q source %q", r.Credentials, r.Region, r.Source)
			}
		})
	}
	r, _ := Resolve(Config{Getenv: env(nil), HomeDir: home(t, profiles, "")})
	if r.Endpoint != "https://vm.jdcloud-api.com" {
		t.Errorf("endpoint = %q", r.Endpoint)
	}
	r, _ = Resolve(Config{Getenv: env(full)})
	if r.SecurityToken != "tok" {
		t.Errorf("token not read from env")
	}
}

func TestHalfSetIsAnError(t *testing.T) {
	cases := map[string]struct {
		cfg     Config
		missing string
	}{
		"env key only":    {Config{Getenv: env(map[string]string{EnvAccessKey: "AK"}), HomeDir: home(t, profiles, "")}, EnvSecretKey},
		"env secret only": {Config{Getenv: env(map[string]string{EnvSecretKey: "secret-value"}), HomeDir: home(t, profiles, "")}, EnvAccessKey},
		"profile half":    {Config{Profile: "half", Getenv: env(nil), HomeDir: home(t, profiles, "")}, "secret_key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Resolve(c.cfg)
			var ie *IncompleteError
			if !errors.As(err, &ie) || ie.Missing != c.missing {
				t.Fatalf("got %v, want IncompleteError missing %s", err, c.missing)
			}
			if strings.Contains(err.Error(), "secret-value") {
				t.Fatal("secret in error")
			}
		})
	}
}

func TestNotFoundListsEveryPlace(t *testing.T) {
	for name, h := range map[string]string{"no file": home(t, "", ""), "no section": home(t, profiles, "missing")} {
		t.Run(name, func(t *testing.T) {
			_, err := Resolve(Config{Getenv: env(nil), HomeDir: h})
			var nf *NotFoundError
			if !errors.As(err, &nf) || len(nf.Looked) != 3 {
				t.Fatalf("got %v", err)
			}
			for _, want := range []string{"explicit", EnvAccessKey, filepath.Join(h, ".jdc", "config")} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q: %v", want, err)
				}
			}
		})
	}
}

func TestMalformedProfileFile(t *testing.T) {
	_, err := Resolve(Config{Getenv: env(nil), HomeDir: home(t, "secret_key = s3cr3t\n[default]\n", "")})
	if err == nil || !strings.Contains(err.Error(), "outside any [profile] section") || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("got %v", err)
	}
}

func TestProfileFileEdges(t *testing.T) {
	t.Run("byte-order mark", func(t *testing.T) {
		r, err := Resolve(Config{Getenv: env(nil), HomeDir: home(t, "\xef\xbb\xbf[default]\naccess_key = AKBOM\nsecret_key = 'secret bom value'\n", "")})
		if err != nil || r.Credentials.AccessKey != "AKBOM" || r.Credentials.SecretKey != "secret bom value" {
			t.Fatalf("got %+v, %v", r, err)
		}
	})
	for name, value := range map[string]string{"leading quote only": `"s3cr3t-value`, "trailing quote only": `s3cr3t-value'`, "mixed quotes": `"s3cr3t-value'`} {
		t.Run(name, func(t *testing.T) {
			_, err := Resolve(Config{Getenv: env(nil), HomeDir: home(t, "[default]\naccess_key = AK1\nsecret_key = "+value+"\n", "")})
			if err == nil || !strings.Contains(err.Error(), "mismatched quotes") || !strings.Contains(err.Error(), "config:3") || strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("over-long line names the file", func(t *testing.T) {
		h := home(t, "[default]\naccess_key = AK1\nsecret_key = "+strings.Repeat("s", 100<<10)+"\n", "")
		_, err := Resolve(Config{Getenv: env(nil), HomeDir: h})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(h, ".jdc", "config")) || strings.Contains(err.Error(), "sss") {
			t.Fatalf("got %v", err)
		}
	})
}

// As in the AWS CLI: a named profile's keys win over the environment's, it brings its
// timeout (its region only when JDCLOUD_REGION is unset: each setting on its own),
// and a missing one is an error listing those that exist.
func TestNamedProfileWinsOverTheEnvironment(t *testing.T) {
	e := env(map[string]string{EnvAccessKey: "AKENV", EnvSecretKey: "secret-env-value", EnvRegion: "cn-south-1"})
	h := home(t, profiles+"\n[slow]\naccess_key = AKSLOW\nsecret_key = secret-slow-value\ntimeout = 45\n", "")
	r, err := Resolve(Config{Getenv: e, HomeDir: h, Profile: "work"})
	if err != nil || r.AccessKey != "AKWORK" || r.Region != "cn-south-1" || !strings.Contains(r.Source, `profile "work"`) {
		t.Fatalf("got %+v, %v", r, err)
	}
	r, err = Resolve(Config{Getenv: e, HomeDir: h, Profile: "slow"})
	if err != nil || r.Timeout != 45*time.Second || r.Region != "cn-south-1" {
		t.Fatalf("slow: %+v, %v", r, err)
	}
	_, err = Resolve(Config{Getenv: e, HomeDir: h, Profile: "nosuch"})
	var pe *ProfileNotFoundError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `profile "nosuch" not found`) || !strings.Contains(err.Error(), "default, half, slow, work") {
		t.Fatalf("nosuch: %v", err)
	}
	// Without a named profile the environment still comes first.
	if r, err := Resolve(Config{Getenv: e, HomeDir: h}); err != nil || r.AccessKey != "AKENV" {
		t.Fatalf("no profile: %+v, %v", r, err)
	}
	if _, err := Resolve(Config{Getenv: env(nil), HomeDir: home(t, "[default]\naccess_key = A\nsecret_key = s3cr3t-value\ntimeout = soon\n", "")}); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("bad timeout: %v", err)
	}
}

// Each setting comes from the first source that has it, whatever the source of the
// others: keys in the environment keep the profile's region and endpoint (they sent
// requests to the production host and lost the region), a flag wins over both.
func TestEachSettingFromItsFirstSource(t *testing.T) {
	h := home(t, "[default]\naccess_key = AKPROF\nsecret_key = secret-prof-value\nregion_id = cn-east-2\nendpoint = 127.0.0.1:8080\nscheme = http\n", "")
	keys := map[string]string{EnvAccessKey: "AKENV", EnvSecretKey: "secret-env-value"}
	prof := `profile "default" in ` + filepath.Join(h, ".jdc", "config")
	r, err := Resolve(Config{Getenv: env(keys), HomeDir: h})
	if err != nil {
		t.Fatal(err)
	}
	if r.AccessKey != "AKENV" || r.Source != SourceEnvironment || r.Region != "cn-east-2" || r.RegionSource != prof ||
		r.Endpoint != "http://127.0.0.1:8080" || r.EndpointSource != prof {
		t.Fatalf("env keys, profile settings: %+v", r)
	}
	keys[EnvRegion] = "cn-north-1"
	r, _ = Resolve(Config{Getenv: env(keys), HomeDir: h})
	if r.Region != "cn-north-1" || r.RegionSource != "environment (JDCLOUD_REGION)" || r.Endpoint != "http://127.0.0.1:8080" {
		t.Fatalf("env keys and region: %+v", r)
	}
	// Explicit keys do not change where requests go either.
	r, _ = Resolve(Config{Explicit: &signer.Credentials{AccessKey: "AKX", SecretKey: "sx"}, Getenv: env(nil), HomeDir: h})
	if r.Source != SourceExplicit || r.Region != "cn-east-2" || r.Endpoint != "http://127.0.0.1:8080" {
		t.Fatalf("explicit keys: %+v", r)
	}
	// Flags win; a scheme-less endpoint (host:port, as jdc writes it) takes the profile's scheme.
	r, _ = Resolve(Config{Region: "cn-south-1", Endpoint: "localhost:9000", Getenv: env(keys), HomeDir: h})
	if r.Region != "cn-south-1" || r.RegionSource != SourceExplicit || r.Endpoint != "http://localhost:9000" || r.EndpointSource != SourceExplicit {
		t.Fatalf("flags: %+v", r)
	}
	// No profile file: the environment's keys and region alone, no endpoint.
	r, err = Resolve(Config{Getenv: env(keys), HomeDir: t.TempDir()})
	if err != nil || r.Region != "cn-north-1" || r.Endpoint != "" || r.EndpointSource != "" {
		t.Fatalf("no profile file: %+v, %v", r, err)
	}
	if got := EndpointURL("vm.example.com", ""); got != "https://vm.example.com" {
		t.Errorf("EndpointURL without scheme = %q", got)
	}
}
