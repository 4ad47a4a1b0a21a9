// Package credentials finds JD Cloud credentials along a documented chain:
//
//  1. explicit credentials given in code (Config.Explicit);
//  2. the environment: JDCLOUD_ACCESS_KEY and JDCLOUD_SECRET_KEY, with the optional
//     JDCLOUD_SECURITY_TOKEN and JDCLOUD_REGION (the names JD Cloud's Packer builder uses);
//  3. the profile file of JD Cloud's `jdc` CLI, ~/.jdc/config (INI, one section per
//     profile, keys access_key, secret_key, region_id, endpoint, scheme, timeout). The
//     profile is Config.Profile, else $JDCLOUD_PROFILE, else the name in
//     ~/.jdc/current, else "default".
//
// As in the AWS CLI, a profile named in code (Config.Profile, the CLI's --profile)
// wins over the environment: the chain then skips step 2, the profile's region_id
// wins over JDCLOUD_REGION, and a profile that does not exist is a
// *ProfileNotFoundError listing the profiles that do. Otherwise the first place that
// holds a key pair wins. A place that holds only half a pair (a
// key without a secret, or the reverse) is an error, never a fall-through. When no
// place holds credentials, the *NotFoundError lists every place looked at. No error
// ever contains a secret.
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
	// Getenv replaces os.Getenv (for tests).
	Getenv func(string) string
	// HomeDir replaces the user's home directory (for tests).
	HomeDir string
}

// Resolved is what the chain found.
type Resolved struct {
	signer.Credentials
	// Region is the default region named with the credentials ("" when none).
	Region string
	// Endpoint is the profile's scheme://endpoint ("" when none).
	Endpoint string
	// Timeout is the profile's timeout (its timeout key, in seconds; 0 when none).
	Timeout time.Duration
	// Source says where the credentials came from, e.g. "environment" or
	// "profile \"default\" in /home/u/.jdc/config".
	Source string
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

// Resolve walks the chain.
func Resolve(cfg Config) (*Resolved, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	region := strings.TrimSpace(getenv(EnvRegion))
	var looked []string

	if c := cfg.Explicit; c != nil {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("credentials: explicit credentials: %w", err)
		}
		return &Resolved{Credentials: *c, Region: region, Source: "explicit"}, nil
	}
	looked = append(looked, "explicit credentials (none given)")

	ak, sk := strings.TrimSpace(getenv(EnvAccessKey)), strings.TrimSpace(getenv(EnvSecretKey))
	switch {
	case cfg.Profile != "":
		looked = append(looked, "environment (skipped: a profile was named)")
		ak, sk = "", ""
	case ak != "" && sk != "":
		c := signer.Credentials{AccessKey: ak, SecretKey: sk, SecurityToken: strings.TrimSpace(getenv(EnvSecurityToken))}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("credentials: environment: %w", err)
		}
		return &Resolved{Credentials: c, Region: region, Source: "environment"}, nil
	case ak != "":
		return nil, &IncompleteError{Source: "environment", Missing: EnvSecretKey}
	case sk != "":
		return nil, &IncompleteError{Source: "environment", Missing: EnvAccessKey}
	}
	if cfg.Profile == "" {
		looked = append(looked, fmt.Sprintf("environment (%s and %s unset)", EnvAccessKey, EnvSecretKey))
	}

	home := cfg.HomeDir
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			looked = append(looked, "jdc profile file (no home directory: "+err.Error()+")")
			return nil, &NotFoundError{Looked: looked}
		}
		home = h
	}
	dir := filepath.Join(home, ".jdc")
	profile, how := cfg.Profile, "given"
	if profile == "" {
		profile, how = strings.TrimSpace(getenv(EnvProfile)), "from "+EnvProfile
	}
	if profile == "" {
		if b, err := os.ReadFile(filepath.Join(dir, "current")); err == nil && len(bytes.TrimSpace(b)) > 0 {
			profile, how = string(bytes.TrimSpace(b)), "from "+filepath.Join(dir, "current")
		}
	}
	if profile == "" {
		profile, how = DefaultProfile, "default"
	}
	path := filepath.Join(dir, "config")
	sections, err := readINI(path)
	if errors.Is(err, os.ErrNotExist) {
		looked = append(looked, fmt.Sprintf("jdc profile file %s (does not exist)", path))
		return nil, &NotFoundError{Looked: looked}
	}
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	sec, ok := sections[profile]
	if !ok && cfg.Profile != "" {
		return nil, &ProfileNotFoundError{Profile: profile, File: path, Available: slices.Sorted(maps.Keys(sections))}
	}
	if !ok {
		looked = append(looked, fmt.Sprintf("profile %q (%s) in %s (no such section; profiles there: %s)", profile, how, path, strings.Join(slices.Sorted(maps.Keys(sections)), ", ")))
		return nil, &NotFoundError{Looked: looked}
	}
	source := fmt.Sprintf("profile %q in %s", profile, path)
	ak, sk = sec["access_key"], sec["secret_key"]
	switch {
	case ak == "" && sk == "":
		looked = append(looked, source+" (no access_key or secret_key)")
		return nil, &NotFoundError{Looked: looked}
	case ak == "":
		return nil, &IncompleteError{Source: source, Missing: "access_key"}
	case sk == "":
		return nil, &IncompleteError{Source: source, Missing: "secret_key"}
	}
	c := signer.Credentials{AccessKey: ak, SecretKey: sk}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("credentials: %s: %w", source, err)
	}
	r := &Resolved{Credentials: c, Region: region, Source: source}
	if r.Region == "" || cfg.Profile != "" && sec["region_id"] != "" {
		r.Region = sec["region_id"]
	}
	if t := sec["timeout"]; t != "" {
		secs, err := strconv.Atoi(t)
		if err != nil || secs <= 0 {
			return nil, fmt.Errorf("credentials: %s: timeout %q is not a positive number of seconds", source, t)
		}
		r.Timeout = time.Duration(secs) * time.Second
	}
	if ep := sec["endpoint"]; ep != "" {
		scheme := sec["scheme"]
		if scheme == "" {
			scheme = "https"
		}
		if strings.Contains(ep, "://") {
			r.Endpoint = ep
		} else {
			r.Endpoint = scheme + "://" + ep
		}
	}
	return r, nil
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
