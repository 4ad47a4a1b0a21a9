// Package credentials finds JD Cloud credentials and the settings that go with them
// (region, endpoint, scheme, timeout). Each setting is taken from the first source
// that has it, independently of where the others came from, as the AWS CLI does:
//
//   - credentials: explicit credentials given in code (Config.Explicit); then the
//     environment, JDCLOUD_ACCESS_KEY and JDCLOUD_SECRET_KEY with the optional
//     JDCLOUD_SECURITY_TOKEN (the names JD Cloud's Packer builder uses); then the
//     profile. A profile named in code (Config.Profile, the CLI's --profile) skips
//     the environment's keys, as the AWS CLI's --profile does.
//   - region: Config.Region (the CLI's --region); then JDCLOUD_REGION; then the
//     profile's region_id.
//   - endpoint: Config.Endpoint (the CLI's --endpoint); then the profile's endpoint.
//     An endpoint without a scheme (host or host:port, as jdc writes it) gets the
//     first scheme found: the profile's scheme key, else https.
//   - timeout: the profile's timeout key (seconds).
//
// The profile is a section of the profile file of JD Cloud's `jdc` CLI,
// ~/.jdc/config (INI, keys access_key, secret_key, region_id, endpoint, scheme,
// timeout): Config.Profile, else $JDCLOUD_PROFILE, else the name in ~/.jdc/current,
// else "default". Where the keys come from never changes where requests go: with
// keys in the environment, the profile still gives the region and endpoint it has.
// A profile named in code that does not exist is a *ProfileNotFoundError listing
// the profiles that do; an unnamed profile that does not exist just gives nothing. A
// place that holds only half a key pair (a key without a secret, or the reverse) is
// an error, never a fall-through. When no place holds credentials, the
// *NotFoundError lists every place looked at. No error ever contains a secret.
package credentials

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vmimage/vmimage/signer"
)

// Environment variable names read by the chain.
const (
	EnvAccessKey     = "JDCLOUD_ACCESS_KEY"
	EnvSecretKey     = "JDCLOUD_SECRET_KEY"
	EnvSecurityToken = "JDCLOUD_SECURITY_TOKEN"
	EnvRegion        = "JDCLOUD_REGION"
	EnvProfile       = "JDCLOUD_PROFILE"
)

// DefaultProfile is the profile used when none is named anywhere.
const DefaultProfile = "default"

// Config says where to look. The zero value reads the process environment and the
// current user's home directory.
type Config struct {
	// Explicit credentials win over everything else when non-nil.
	Explicit *signer.Credentials
	// Profile names the jdc profile to read; "" falls back to $JDCLOUD_PROFILE,
	// ~/.jdc/current, then "default".
	Profile string
	// Region, when not "", wins over JDCLOUD_REGION and the profile's region_id.
	Region string
	// Endpoint, when not "", wins over the profile's endpoint. Without a scheme
	// (host or host:port) it gets the profile's scheme, else https.
	Endpoint string
	// Getenv replaces os.Getenv (for tests).
	Getenv func(string) string
	// HomeDir replaces the user's home directory (for tests).
	HomeDir string
}

// Sources of a setting other than a profile (a profile's source is
// `profile "NAME" in PATH`).
const (
	// SourceExplicit is a setting given in code (Config.Explicit, Config.Region,
	// Config.Endpoint): a program's own option or a command line flag.
	SourceExplicit = "explicit"
	// SourceEnvironment is the environment (the variable is named with it, as in
	// "environment (JDCLOUD_REGION)", except for the key pair).
	SourceEnvironment = "environment"
)

// Resolved is what the chain found. Each setting carries its source; a setting no
// source had is "" with source "".
type Resolved struct {
	signer.Credentials
	// Source says where the credentials came from, e.g. "environment" or
	// "profile \"default\" in /home/u/.jdc/config".
	Source string
	// Region is the default region ("" when none) and RegionSource where it came from.
	Region, RegionSource string
	// Endpoint is the scheme://host[:port] requests go to ("" when no source named
	// one) and EndpointSource where it came from.
	Endpoint, EndpointSource string
	// Timeout is the profile's timeout (its timeout key, in seconds; 0 when none).
	Timeout time.Duration
}

// NotFoundError lists every place the chain looked, in order.
type NotFoundError struct {
	Looked []string
}

func (e *NotFoundError) Error() string {
	return "credentials: none found; looked at: " + strings.Join(e.Looked, "; ")
}

// IncompleteError reports half-set credentials in one place.
type IncompleteError struct {
	// Source is the place, e.g. "environment".
	Source string
	// Missing names what is missing, e.g. "JDCLOUD_SECRET_KEY".
	Missing string
}

// ProfileNotFoundError reports a profile named in code (or on the command line) that
// the profile file does not hold.
type ProfileNotFoundError struct {
	Profile, File string
	// Available are the profiles the file holds, sorted.
	Available []string
}

func (e *ProfileNotFoundError) Error() string {
	have := "it holds no profile"
	if len(e.Available) > 0 {
		have = "profiles there: " + strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("credentials: profile %q not found in %s (%s)", e.Profile, e.File, have)
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("credentials: %s is incomplete: %s is not set", e.Source, e.Missing)
}

// EndpointURL returns endpoint as a URL: unchanged when it has a scheme
// ("https://host"), else scheme://endpoint, scheme "" meaning https. jdc's profile
// writes the endpoint as host[:port] with the scheme apart.
func EndpointURL(endpoint, scheme string) string {
	if endpoint == "" || strings.Contains(endpoint, "://") {
		return endpoint
	}
	if scheme == "" {
		scheme = "https"
	}
	return scheme + "://" + endpoint
}

// profileSection is the profile the chain reads: its name, how it was chosen, the
// file, and its keys (nil when the file or the section does not exist).
type profileSection struct {
	name, how, path string
	keys            map[string]string
	// missing says why keys is nil, for NotFoundError.
	missing string
}

func (p *profileSection) source() string { return fmt.Sprintf("profile %q in %s", p.name, p.path) }

// readProfile finds and reads the profile. A profile named in cfg that does not
// exist is an error; an unnamed one is not (it gives nothing).
func readProfile(cfg Config, getenv func(string) string) (*profileSection, error) {
	home := cfg.HomeDir
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			if cfg.Profile != "" {
				return nil, fmt.Errorf("credentials: profile %q: no home directory: %w", cfg.Profile, err)
			}
			return &profileSection{missing: "jdc profile file (no home directory: " + err.Error() + ")"}, nil
		}
		home = h
	}
	dir := filepath.Join(home, ".jdc")
	p := &profileSection{name: cfg.Profile, how: "given", path: filepath.Join(dir, "config")}
	if p.name == "" {
		p.name, p.how = strings.TrimSpace(getenv(EnvProfile)), "from "+EnvProfile
	}
	if p.name == "" {
		if b, err := os.ReadFile(filepath.Join(dir, "current")); err == nil && len(bytes.TrimSpace(b)) > 0 {
			p.name, p.how = string(bytes.TrimSpace(b)), "from "+filepath.Join(dir, "current")
		}
	}
	if p.name == "" {
		p.name, p.how = DefaultProfile, "default"
	}
	sections, err := readINI(p.path)
	switch {
	case errors.Is(err, os.ErrNotExist) && cfg.Profile != "":
		return nil, &ProfileNotFoundError{Profile: p.name, File: p.path}
	case errors.Is(err, os.ErrNotExist):
		p.missing = fmt.Sprintf("jdc profile file %s (does not exist)", p.path)
		return p, nil
	case err != nil:
		return nil, fmt.Errorf("credentials: %w", err)
	}
	sec, ok := sections[p.name]
	switch {
	case !ok && cfg.Profile != "":
		return nil, &ProfileNotFoundError{Profile: p.name, File: p.path, Available: slices.Sorted(maps.Keys(sections))}
	case !ok:
		p.missing = fmt.Sprintf("profile %q (%s) in %s (no such section; profiles there: %s)", p.name, p.how, p.path, strings.Join(slices.Sorted(maps.Keys(sections)), ", "))
		return p, nil
	}
	p.keys = sec
	return p, nil
}

// Resolve takes each setting from the first source that has it (see the package
// documentation).
func Resolve(cfg Config) (*Resolved, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	prof, err := readProfile(cfg, getenv)
	if err != nil {
		return nil, err
	}
	r := &Resolved{}
	if err := resolveKeys(cfg, getenv, prof, r); err != nil {
		return nil, err
	}
	pk := prof.keys // nil map when there is no profile: every lookup gives ""

	switch envRegion := strings.TrimSpace(getenv(EnvRegion)); {
	case cfg.Region != "":
		r.Region, r.RegionSource = cfg.Region, SourceExplicit
	case envRegion != "":
		r.Region, r.RegionSource = envRegion, SourceEnvironment+" ("+EnvRegion+")"
	case pk["region_id"] != "":
		r.Region, r.RegionSource = pk["region_id"], prof.source()
	}
	switch {
	case cfg.Endpoint != "":
		r.Endpoint, r.EndpointSource = EndpointURL(cfg.Endpoint, pk["scheme"]), SourceExplicit
	case pk["endpoint"] != "":
		r.Endpoint, r.EndpointSource = EndpointURL(pk["endpoint"], pk["scheme"]), prof.source()
	}
	if t := pk["timeout"]; t != "" {
		secs, err := strconv.Atoi(t)
		if err != nil || secs <= 0 {
			return nil, fmt.Errorf("credentials: %s: timeout %q is not a positive number of seconds", prof.source(), t)
		}
		r.Timeout = time.Duration(secs) * time.Second
	}
	return r, nil
}

// resolveKeys sets r's credentials and Source: explicit, then the environment
// (unless a profile was named), then the profile.
func resolveKeys(cfg Config, getenv func(string) string, prof *profileSection, r *Resolved) error {
	if c := cfg.Explicit; c != nil {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("credentials: explicit credentials: %w", err)
		}
		r.Credentials, r.Source = *c, SourceExplicit
		return nil
	}
	looked := []string{"explicit credentials (none given)"}
	ak, sk := strings.TrimSpace(getenv(EnvAccessKey)), strings.TrimSpace(getenv(EnvSecretKey))
	switch {
	case cfg.Profile != "":
		looked = append(looked, "environment (skipped: a profile was named)")
	case ak != "" && sk != "":
		c := signer.Credentials{AccessKey: ak, SecretKey: sk, SecurityToken: strings.TrimSpace(getenv(EnvSecurityToken))}
		if err := c.Validate(); err != nil {
			return fmt.Errorf("credentials: environment: %w", err)
		}
		r.Credentials, r.Source = c, SourceEnvironment
		return nil
	case ak != "":
		return &IncompleteError{Source: SourceEnvironment, Missing: EnvSecretKey}
	case sk != "":
		return &IncompleteError{Source: SourceEnvironment, Missing: EnvAccessKey}
	default:
		looked = append(looked, fmt.Sprintf("environment (%s and %s unset)", EnvAccessKey, EnvSecretKey))
	}
	if prof.keys == nil {
		return &NotFoundError{Looked: append(looked, prof.missing)}
	}
	source := prof.source()
	ak, sk = prof.keys["access_key"], prof.keys["secret_key"]
	switch {
	case ak == "" && sk == "":
		return &NotFoundError{Looked: append(looked, source+" (no access_key or secret_key)")}
	case ak == "":
		return &IncompleteError{Source: source, Missing: "access_key"}
	case sk == "":
		return &IncompleteError{Source: source, Missing: "secret_key"}
	}
	c := signer.Credentials{AccessKey: ak, SecretKey: sk}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("credentials: %s: %w", source, err)
	}
	r.Credentials, r.Source = c, source
	return nil
}

// readINI parses a simple INI file: [section] headers, key = value lines, # and ;
// comments, a UTF-8 byte-order mark at the start ignored. A value may be quoted with
// matching ' or " quotes, which are removed; a value with a quote at one end only is
// an error. Errors name the file and line, never the value.
func readINI(path string) (map[string]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // editors on Windows write a BOM
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s:%d: malformed section header", path, n)
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			cur = out[name]
			if cur == nil {
				cur = map[string]string{}
				out[name] = cur
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("%s:%d: expected key = value", path, n)
			}
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: key outside any [profile] section", path, n)
			}
			v, ok = unquote(strings.TrimSpace(v))
			if !ok {
				return nil, fmt.Errorf("%s:%d: value of %s has mismatched quotes", path, n, strings.TrimSpace(k))
			}
			cur[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// unquote removes one pair of matching quotes; a quote at one end only is refused.
func unquote(v string) (string, bool) {
	if v == "" {
		return v, true
	}
	first, last := v[0], v[len(v)-1]
	quote := func(c byte) bool { return c == '"' || c == '\'' }
	switch {
	case len(v) >= 2 && quote(first) && first == last:
		return v[1 : len(v)-1], true
	case quote(first) || quote(last):
		return "", false
	}
	return v, true
}
