package client

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on parameters, checked before any request is sent.
const (
	MaxRegionIDLength = 64
	MaxImageIDLength  = 128
	// MaxIDs is the most ids one call takes (DescribeImages, DescribeImageConstraintsBatch).
	MaxIDs = 100
	// MinPageSize and MaxPageSize bound DescribeImages' page size.
	MinPageSize = 10
	MaxPageSize = 100
	// MaxTextLength bounds a free-text filter (an image name, a platform).
	MaxTextLength = 256
)

// RegionIDPattern is the one shape of a region id: the pattern of openapi.yaml's
// regionId parameter (a test keeps them equal). The client, the fake and the CLI all
// check region ids against it.
const RegionIDPattern = `^[a-z]{2,}(-[a-z0-9]+)+$`

var regionIDRE = regexp.MustCompile(RegionIDPattern)

// CheckRegionID reports whether regionID has the shape the spec gives region ids
// (RegionIDPattern, at most MaxRegionIDLength bytes); the error is an
// *InvalidParameterError for regionId.
func CheckRegionID(regionID string) error { return checkRegionID(Operation{}, regionID) }

// checkRegionID refuses a region id the spec does not allow (so also one that cannot
// travel as a path segment or stand in the signature's credential scope).
func checkRegionID(op Operation, regionID string) error {
	if err := checkID(op, "regionId", regionID, MaxRegionIDLength); err != nil {
		return err
	}
	if !regionIDRE.MatchString(regionID) {
		return &InvalidParameterError{Op: op, Param: "regionId", Reason: "must look like cn-north-1 (lowercase letters, then '-'-separated groups of lowercase letters and digits)"}
	}
	return nil
}

// checkPathIDs checks the region and one more path identifier of a call.
func checkPathIDs(op Operation, regionID, param, id string) error {
	if err := checkRegionID(op, regionID); err != nil {
		return err
	}
	return checkID(op, param, id, MaxImageIDLength)
}

// checkIDList checks an array of identifiers: at most MaxIDs, each a valid id. The
// error names the parameter and the element (ids[2]).
func checkIDList(op Operation, param string, ids []string) error {
	if len(ids) > MaxIDs {
		return &InvalidParameterError{Op: op, Param: param, Reason: "has " + strconv.Itoa(len(ids)) + " elements, at most " + strconv.Itoa(MaxIDs) + " are allowed"}
	}
	for i, id := range ids {
		if err := checkID(op, param+"["+strconv.Itoa(i)+"]", id, MaxImageIDLength); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses free text that is invalid UTF-8, over MaxTextLength bytes, or has
// control characters. Empty text means "no filter" and passes.
func checkText(op Operation, param, v string) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: param, Reason: reason} }
	switch {
	case len(v) > MaxTextLength:
		return bad("is longer than " + strconv.Itoa(MaxTextLength) + " bytes")
	case !utf8.ValidString(v):
		return bad("is not valid UTF-8")
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return bad("contains a control character")
	}
	return nil
}

// checkID refuses identifiers that cannot travel safely as one path segment.
func checkID(op Operation, param, v string, max int) error {
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: param, Reason: reason} }
	switch {
	case v == "":
		return bad("is empty")
	case len(v) > max:
		return bad("is longer than " + strconv.Itoa(max) + " bytes")
	case !utf8.ValidString(v):
		return bad("is not valid UTF-8")
	case v == "." || strings.Contains(v, ".."):
		return bad(`contains ".."`)
	}
	for _, r := range v {
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
