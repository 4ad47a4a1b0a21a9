package client

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// compilePattern compiles a spec pattern for the input checks. The spec's patterns
// are anchored runs of character classes ("^img-[a-z0-9]+$", "^[a-z]{2,}(-[a-z0-9]+)+$",
// "^[^\x00-\x1f\x7f]+$"); those are matched by a classMatcher, which reads each rune
// once with no backtracking and no allocation, several times faster than the general
// engine. Any other pattern, or one whose runs could be read in two ways, is
// matched by package regexp. Both accept exactly the same strings (FuzzPattern).
func compilePattern(expr string) regexpMatcher {
	re := regexp.MustCompile(expr)
	if m := newClassMatcher(expr); m != nil {
		m.re = re
		return m
	}
	return re
}

// classMatcher matches an anchored sequence of runs: each run a character class (or
// a group of runs) repeated between min and max times, read greedily. It is built
// only when greedy reading is exact: what may follow a run never starts with a rune
// the run itself could take.
type classMatcher struct {
	seq []run
	re  *regexp.Regexp // the same pattern, for String
}

// run is one element of a sequence: a class (ascii bits, then ranges beyond ASCII)
// or a group, repeated min..max times (max < 0: no limit).
type run struct {
	ascii    [2]uint64
	ranges   []rune // lo, hi pairs, above ASCII only
	group    []run
	min, max int
}

// MatchString reports whether s matches the pattern.
func (m *classMatcher) MatchString(s string) bool {
	i, ok := matchRuns(m.seq, s, 0)
	return ok && i == len(s)
}

// String returns the pattern's source text.
func (m *classMatcher) String() string { return m.re.String() }

// matchRuns reads seq from s[i:] and returns where it ended.
func matchRuns(seq []run, s string, i int) (int, bool) {
	for k := range seq {
		r := &seq[k]
		n := 0
		for r.max < 0 || n < r.max {
			if r.group == nil {
				c, size := rune(0), 1
				if i >= len(s) {
					break
				}
				if c = rune(s[i]); c >= utf8.RuneSelf {
					c, size = utf8.DecodeRuneInString(s[i:])
				}
				if !r.has(c) {
					break
				}
				i += size
			} else {
				// A group starts only on a rune its first run takes, and no other
				// reading could take that rune: once started it must finish.
				if i >= len(s) || !r.group[0].startsWith(s[i:]) {
					break
				}
				var ok bool
				if i, ok = matchRuns(r.group, s, i); !ok {
					return i, false
				}
			}
			n++
		}
		if n < r.min {
			return i, false
		}
	}
	return i, true
}

// has reports whether the class takes c.
func (r *run) has(c rune) bool {
	if c < utf8.RuneSelf {
		return r.ascii[c>>6]&(1<<(c&63)) != 0
	}
	for j := 0; j+1 < len(r.ranges); j += 2 {
		if r.ranges[j] <= c && c <= r.ranges[j+1] {
			return true
		}
	}
	return false
}

// startsWith reports whether s begins with a rune the run (a class) takes.
func (r *run) startsWith(s string) bool {
	c := rune(s[0])
	if c >= utf8.RuneSelf {
		c, _ = utf8.DecodeRuneInString(s)
	}
	return r.has(c)
}

// newClassMatcher builds the matcher of expr, or returns nil when expr is not an
// anchored sequence of runs that greedy reading matches exactly.
func newClassMatcher(expr string) *classMatcher {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 2 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return nil
	}
	seq, ok := runsOf(re.Sub[1 : len(re.Sub)-1])
	if !ok || !deterministic(seq, nil) {
		return nil
	}
	return &classMatcher{seq: seq}
}

// runsOf turns parsed elements into runs.
func runsOf(subs []*syntax.Regexp) ([]run, bool) {
	var seq []run
	for _, s := range subs {
		if s.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		switch s.Op {
		case syntax.OpLiteral:
			for _, c := range s.Rune {
				seq = append(seq, classRun([]rune{c, c}, 1, 1))
			}
		case syntax.OpCharClass:
			seq = append(seq, classRun(s.Rune, 1, 1))
		case syntax.OpCapture:
			inner, ok := runsOf([]*syntax.Regexp{s.Sub[0]})
			if !ok {
				return nil, false
			}
			seq = append(seq, inner...)
		case syntax.OpConcat:
			inner, ok := runsOf(s.Sub)
			if !ok {
				return nil, false
			}
			seq = append(seq, inner...)
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			lo, hi := s.Min, s.Max // OpRepeat's
			switch s.Op {
			case syntax.OpStar:
				lo, hi = 0, -1
			case syntax.OpPlus:
				lo, hi = 1, -1
			case syntax.OpQuest:
				lo, hi = 0, 1
			}
			inner, ok := runsOf([]*syntax.Regexp{s.Sub[0]})
			if !ok || len(inner) == 0 {
				return nil, false
			}
			if len(inner) == 1 && inner[0].group == nil && inner[0].min == 1 && inner[0].max == 1 {
				r := inner[0]
				r.min, r.max = lo, hi
				seq = append(seq, r)
			} else {
				seq = append(seq, run{group: inner, min: lo, max: hi})
			}
		default:
			return nil, false
		}
	}
	return seq, true
}

// classRun is a class of lo, hi rune pairs, repeated min..max times.
func classRun(pairs []rune, minN, maxN int) run {
	r := run{min: minN, max: maxN}
	for j := 0; j+1 < len(pairs); j += 2 {
		lo, hi := pairs[j], pairs[j+1]
		for c := lo; c <= hi && c < utf8.RuneSelf; c++ {
			r.ascii[c>>6] |= 1 << (c & 63)
		}
		if hi >= utf8.RuneSelf {
			r.ranges = append(r.ranges, max(lo, utf8.RuneSelf), hi)
		}
	}
	return r
}

// first is the set of runes a run can start with: its class, or its group's first
// run's class (a group must start with a run of at least one).
func (r *run) first() (*run, bool) {
	if r.group == nil {
		return r, true
	}
	if r.group[0].group != nil || r.group[0].min < 1 {
		return nil, false
	}
	return &r.group[0], true
}

// deterministic reports whether greedy reading of seq is exact when follow (classes)
// may come after it: every run that may repeat a variable number of times, or be
// absent, has a class disjoint from whatever may come next.
func deterministic(seq []run, follow []*run) bool {
	for k := range seq {
		r := &seq[k]
		f, ok := r.first()
		if !ok {
			return false
		}
		// What may come after r: the runs after it up to the first one that must
		// appear, then (when all may be absent) what follows seq.
		var next []*run
		all := true
		for j := k + 1; j < len(seq); j++ {
			nf, ok := seq[j].first()
			if !ok {
				return false
			}
			next = append(next, nf)
			if seq[j].min > 0 {
				all = false
				break
			}
		}
		if all {
			next = append(next, follow...)
		}
		if r.min != r.max {
			for _, n := range next {
				if overlaps(f, n) {
					return false
				}
			}
		}
		if r.group != nil {
			// Inside the group: after its last run come another round (its first
			// run) or what comes after the group.
			inner := append([]*run{f}, next...)
			if !deterministic(r.group, inner) {
				return false
			}
		}
	}
	return true
}

// overlaps reports whether two classes share a rune.
func overlaps(a, b *run) bool {
	if a.ascii[0]&b.ascii[0] != 0 || a.ascii[1]&b.ascii[1] != 0 {
		return true
	}
	for i := 0; i+1 < len(a.ranges); i += 2 {
		for j := 0; j+1 < len(b.ranges); j += 2 {
			if a.ranges[i] <= b.ranges[j+1] && b.ranges[j] <= a.ranges[i+1] {
				return true
			}
		}
	}
	return false
}
