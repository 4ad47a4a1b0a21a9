package client

import (
	"regexp"
	"strings"
	"testing"
)

// specPatterns are the patterns openapi.yaml uses (ops.gen.go), and a few shapes
// the fast matcher must refuse or read with care.
func specPatterns(t testing.TB) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, o := range operations {
		var walk func(r *rule)
		walk = func(r *rule) {
			if r == nil {
				return
			}
			if r.pattern != nil {
				add(r.pattern.String())
			}
			walk(r.items)
			for _, p := range r.properties {
				walk(p)
			}
		}
		for _, p := range append(append([]param{}, o.pathParams...), o.query...) {
			walk(p.rule)
		}
		walk(o.body)
	}
	if len(out) < 10 {
		t.Fatalf("only %d patterns found in the operations", len(out))
	}
	for _, p := range []string{`^a*a$`, `^(ab)*a$`, `^[a-z]+[0-9a-f]+$`, `^(-[a-z]+)*-x$`, `^x(y+)+$`, `^(?i)img$`, `^a?$`,
		`^(ab){2}$`, `^[é-ü]{1,3}x$`, `^$`, `^a|b$`, `^.+$`, `img-[a-z]+`, `^[a-z]{2,}(-[a-z0-9]+)+$`,
		// U+FFFD, which invalid UTF-8 reads as; classes across the ASCII edge; groups
		// in groups, counted from 0
		`^\x{FFFD}+$`, `^[^\x{FFFD}]*$`, `^[\x{7e}-\x{81}]+é?$`, `^(a(b[c-d]?)+-){0,2}x$`, `^(?:ab){0,3}$`, `^[^a-z]+[a-z]{1,2}$`} {
		add(p)
	}
	return out
}

// TestPatternsMatchLikeRegexp: each spec pattern compiles, and the fast matcher is
// used for the common ones.
func TestPatternsMatchLikeRegexp(t *testing.T) {
	fast := 0
	for _, p := range specPatterns(t) {
		m := compilePattern(p)
		if m.String() != p {
			t.Errorf("String() = %q, want %q", m.String(), p)
		}
		if _, ok := m.(*classMatcher); ok {
			fast++
		}
		re := regexp.MustCompile(p)
		for _, s := range []string{"", "a", "aa", "ab", "aba", "abab", "img-abc1", "img-", "img-ABC", "cn-north-1", "cn-north-", "cn--1",
			"c-n", "abcd-ef-gh", "2026-01-02 03:04:05", "2026-01-02", "vda", "vdz", "vdab", "vdbm", "vdbn", "é", "éü", "éüx", "x",
			"xy", "xyy", "-ax", "-a-x", "-x", "abc123", "https://x.example/a.raw", "https://", "a b", "a\x00", "\xff", "\xef\xbf\xbd", "\xff\xef\xbf\xbd", "\x7f\u0080", "\x7f\u0080é", "\u0081\u0082",
			"abc-x", "abbcd-ab-x", "ab-x", "a-x", "abab", "ababab", "ababababab", "-a", "--ab", strings.Repeat("a", 40)} {
			if got, want := m.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", p, s, got, want)
			}
		}
	}
	for _, p := range []string{`^img-[a-z0-9]+$`, `^[a-z]{2,}(-[a-z0-9]+)+$`, `^[^\x00-\x1f\x7f]+$`, `^[\x21-\x7e]+$`,
		`^\x{FFFD}+$`, `^[\x{7e}-\x{81}]+é?$`, `^(a(b[c-d]?)+-){0,2}x$`, `^(?:ab){0,3}$`} {
		if _, ok := compilePattern(p).(*classMatcher); !ok {
			t.Errorf("%s is read by regexp, not the fast matcher", p)
		}
	}
	for _, p := range []string{`^a*a$`, `^(ab)*a$`, `^(-[a-z]+)*-x$`, `^(?i)img$`, `^a|b$`, `img-[a-z]+`} {
		if _, ok := compilePattern(p).(*classMatcher); ok {
			t.Errorf("%s should be left to regexp", p)
		}
	}
	t.Logf("%d patterns on the fast matcher", fast)
}

// FuzzPattern holds the fast matcher to package regexp on every pattern above.
func FuzzPattern(f *testing.F) {
	pats := specPatterns(f)
	for _, s := range []string{"img-a1", "cn-north-1", "2026-01-02 03:04:05", "a\x00b", "é-x", "vdbm", "\xff\xef\xbf\xbd", "abcbd-ab-x"} {
		f.Add(s)
	}
	ms := make([]regexpMatcher, len(pats))
	res := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		ms[i], res[i] = compilePattern(p), regexp.MustCompile(p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := range pats {
			if got, want := ms[i].MatchString(s), res[i].MatchString(s); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", pats[i], s, got, want)
			}
		}
	})
}
