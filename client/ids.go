package client

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vmimage/vmimage/signer"
)

var regionIDRE = compilePattern(RegionIDPattern)

// CheckRegionID reports whether regionID has the shape the spec gives region ids
// (RegionIDPattern, at most MaxRegionIDLength bytes); the error is an
// *InvalidParameterError for regionId.
func CheckRegionID(regionID string) error { return checkRegionID(Operation{}, regionID) }

// checkRegionID refuses a region id the spec does not allow (so also one that cannot
// travel as a path segment or stand in the signature's credential scope).
func checkRegionID(op Operation, regionID string) error {
	if err := checkID(op, "regionId", regionID); err != nil {
		return err
	}
	if len(regionID) > MaxRegionIDLength {
		return &InvalidParameterError{Op: op, Param: "regionId", Reason: "is longer than " + strconv.Itoa(MaxRegionIDLength) + " bytes"}
	}
	if !regionIDRE.MatchString(regionID) {
		return &InvalidParameterError{Op: op, Param: "regionId", Reason: "must look like cn-north-1 (lowercase letters, then '-'-separated groups of lowercase letters and digits)"}
	}
	return nil
}

// checkID refuses identifiers that cannot travel safely as one path segment; the
// spec's own rule (pattern, lengths) is checked after it.
func checkID(op Operation, param, v string) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: param, Reason: reason} }
	switch {
	case v == "":
		return bad("is empty")
	case !utf8.ValidString(v):
		return bad("is not valid UTF-8")
	case v == "." || strings.Contains(v, ".."):
		return bad(`contains ".."`)
	}
	for _, r := range v {
		if r < utf8.RuneSelf { // ASCII, as ids are: the same rules without table lookups
			switch {
			case r == ' ' || '\t' <= r && r <= '\r':
				return bad("contains white space")
			case r < 0x20 || r == 0x7f:
				return bad("contains a control character")
			case r == '/' || r == '?' || r == '#' || r == '%':
				return bad("contains '" + string(r) + "'")
			}
			continue
		}
		switch {
		case unicode.IsSpace(r):
			return bad("contains white space")
		case unicode.IsControl(r) || !unicode.IsPrint(r):
			return bad("contains a control character")
		case r == '/' || r == '?' || r == '#' || r == '%':
			return bad("contains '" + string(r) + "'")
		}
	}
	return nil
}

// newClientToken makes an idempotency token: a random UUIDv4.
func newClientToken() (string, error) { return signer.NewNonce() }
