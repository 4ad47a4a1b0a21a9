package client

import (
	"errors"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestIDASCIIRulesMatchUnicode holds checkID's ASCII fast path to the Unicode rules
// it stands for, byte by byte.
func TestIDASCIIRulesMatchUnicode(t *testing.T) {
	op := Operation{Name: "DescribeImage"}
	for b := rune(0); b < utf8.RuneSelf; b++ {
		want := ""
		switch {
		case unicode.IsSpace(b):
			want = "contains white space"
		case unicode.IsControl(b) || !unicode.IsPrint(b):
			want = "contains a control character"
		case b == '/' || b == '?' || b == '#' || b == '%':
			want = "contains '" + string(b) + "'"
		}
		got := ""
		var ipe *InvalidParameterError
		if err := checkID(op, "imageId", "img-"+string(b)+"x"); errors.As(err, &ipe) {
			got = ipe.Reason
		} else if err != nil {
			t.Fatalf("byte %#x: %v", b, err)
		}
		if got != want {
			t.Errorf("byte %#x: checkID says %q, the Unicode rules %q", b, got, want)
		}
	}
}
