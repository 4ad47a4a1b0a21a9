package client

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestCheckBody walks the streaming body check over one rule with every shape the
// spec's bodies have: what it reports and in which order.
func TestCheckBody(t *testing.T) {
	disk := &rule{typ: "object", required: []string{"device"}, properties: map[string]*rule{
		"device": {typ: "string", pattern: regexp.MustCompile(`^vd[a-z]$`)},
		"size":   {typ: "integer", minimum: ptr(20.0), multipleOf: ptr(10.0)},
	}}
	r := &rule{typ: "object", required: []string{"name", "disks"}, properties: map[string]*rule{
		"name":   {typ: "string", minLength: 2, maxLength: 4},
		"disks":  {typ: "array", minItems: 1, maxItems: 2, items: disk},
		"public": {typ: "boolean"},
		"kind":   {typ: "string", enum: []string{"a", "b"}},
	}}
	op := Operation{Name: "Test"}
	for _, tc := range []struct{ body, param, reason string }{
		{`{"name":"ok","disks":[{"device":"vda","size":30}],"public":false,"kind":"a","other":{"x":[1]}}`, "", ""},
		{`{"name":"ok","disks":[{"device":"vda"}],"public":true,"kind":null}`, "", ""},
		{`[]`, "body", "does not encode as a JSON object"},
		{`{"disks":[{"device":"vda"}]}`, "name", "is required"},
		{`{"name":null,"disks":[{"device":"vda"}]}`, "name", "is required"},
		{`{"name":"","disks":[{"device":"vda"}]}`, "name", "is required"},
		// a missing required member is reported before a wrong one, wherever it is
		{`{"kind":"c","name":"ok"}`, "disks", "is required"},
		{`{"kind":"c","disks":[{"device":"vda"}],"name":"ok"}`, "kind", `"c" is not one of`},
		{`{"name":"toolong","disks":[{"device":"vda"}]}`, "name", "longer than 4"},
		{`{"name":"ok","disks":[]}`, "disks", "0 elements, at least 1"},
		{`{"name":"ok","disks":[{"device":"x"},{"device":"vdb"},{"device":"vdc"}]}`, "disks", "3 elements, at most 2"},
		{`{"name":"ok","disks":[{"device":"vda"},{"size":30}]}`, "disks[1].device", "is required"},
		{`{"name":"ok","disks":[{"device":"vda","size":25}]}`, "disks[0].size", "not a multiple of 10"},
		{`{"name":"ok","disks":[{"device":"vda","size":10}]}`, "disks[0].size", "below the minimum 20"},
		{`{"name":"ok","disks":[{"device":"vda","size":30.5}]}`, "disks[0].size", "not an integer"},
		{`{"name":"ok","disks":[{"device":"sda"}]}`, "disks[0].device", "does not match"},
		{`{"name":1,"disks":[{"device":"vda"}]}`, "name", "is not a string"},
		{`{"name":"ok","disks":{"device":"vda"}}`, "disks", "is not a list"},
		{`{"name":"ok","disks":["vda"]}`, "disks[0]", "is not an object"},
		{`{"name":"ok","disks":[{"device":"vda"}],"public":"yes"}`, "public", "is not true or false"},
		{`{"name":"ok","disks":[{"device":"vda","size":"30"}]}`, "disks[0].size", "is not a number"},
	} {
		err := checkBody(op, r, []byte(tc.body))
		var ip *InvalidParameterError
		switch {
		case tc.param == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.param == "":
		case !errors.As(err, &ip) || ip.Param != tc.param || !strings.Contains(ip.Reason, tc.reason):
			t.Errorf("%s: got %v, want %s %s", tc.body, err, tc.param, tc.reason)
		}
	}
}
