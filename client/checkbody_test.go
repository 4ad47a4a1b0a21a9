package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/vmimage/vmimage/client/api"
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

// TestCheckBodyReadsAsEncodingJSON: the body check reads what encoding/json reads (as
// the map-based check before it did): a repeated name is no error and the last one
// says whether a required member is present, invalid UTF-8 and lone surrogates are
// no error. Only a json.RawMessage or a Marshaler in a free-form member can put them
// in a body, as the CreateImage call below does through DiskSpec.charge.
func TestCheckBodyReadsAsEncodingJSON(t *testing.T) {
	r := &rule{typ: "object", required: []string{"name"}, properties: map[string]*rule{
		"name":  {typ: "string", minLength: 2},
		"other": {typ: "object"},
	}}
	op := Operation{Name: "Test"}
	for _, tc := range []struct{ body, param string }{
		{`{"name":"ok","other":{"x":1,"x":2}}`, ""},
		{`{"name":"ok","other":{"x":"\ud800"}}`, ""},
		{"{\"name\":\"ok\",\"other\":{\"x\":\"\xff\"}}", ""},
		{`{"name":null,"name":"ok"}`, ""},
		{`{"name":"ok","name":null}`, "name"},
		{`{"name":"ok","name":""}`, "name"},
	} {
		err := checkBody(op, r, []byte(tc.body))
		var ip *InvalidParameterError
		switch {
		case tc.param == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.param == "":
		case !errors.As(err, &ip) || ip.Param != tc.param || ip.Reason != "is required":
			t.Errorf("%s: got %v, want %s is required", tc.body, err, tc.param)
		}
	}

	in := &api.CreateImageInput{Name: "img1", DataDisks: []api.InstanceDiskAttachmentSpec{{
		DeviceName: ptr("vdb"),
		CloudDiskSpec: &api.DiskSpec{Charge: map[string]any{
			"chargeMode": json.RawMessage(`{"a":1,"a":2}`),
			"note":       json.RawMessage("\"\xff\\ud800\""),
		}},
	}}}
	body, _, err := encodeBody(Operation{Name: "CreateImage"}, opCreateImage, in)
	if err != nil {
		t.Fatalf("CreateImage body %s: %v", body, err)
	}
	if !bytes.Contains(body, []byte(`{"a":1,"a":2}`)) {
		t.Errorf("body %s lacks the caller's charge", body)
	}
}

// TestCheckBodyManyRequired: every required member is checked, beyond the 64 the
// bit mask holds too.
func TestCheckBodyManyRequired(t *testing.T) {
	r := &rule{typ: "object", properties: map[string]*rule{}}
	for i := range 70 {
		k := "f" + strconv.Itoa(i)
		r.required = append(r.required, k)
		r.properties[k] = &rule{typ: "integer"}
	}
	for _, missing := range []int{0, 63, 64, 69} {
		var b strings.Builder
		b.WriteString("{")
		for i := range 70 {
			if i != missing {
				fmt.Fprintf(&b, `"f%d":%d,`, i, i)
			}
		}
		b.WriteString(`"x":null}`)
		err := checkBody(Operation{Name: "Test"}, r, []byte(b.String()))
		var ip *InvalidParameterError
		if want := "f" + strconv.Itoa(missing); !errors.As(err, &ip) || ip.Param != want || ip.Reason != "is required" {
			t.Errorf("f%d left out: got %v", missing, err)
		}
		// present but null
		body := strings.Replace(b.String(), `"x":null`, fmt.Sprintf(`"f%d":null`, missing), 1)
		if err := checkBody(Operation{Name: "Test"}, r, []byte(body)); !errors.As(err, &ip) || ip.Param != "f"+strconv.Itoa(missing) {
			t.Errorf("f%d null: got %v", missing, err)
		}
	}
}

// FuzzCheckBody holds the streaming check to the map-based one it replaced (the body
// decoded by encoding/json with UseNumber, then checked value by value): both accept
// the same bodies. Only the order of errors may differ, and a repeated name, where the
// streaming check reads every value and the map keeps the last, is left out.
func FuzzCheckBody(f *testing.F) {
	disk := &rule{typ: "object", required: []string{"device"}, properties: map[string]*rule{
		"device": {typ: "string", pattern: regexp.MustCompile(`^vd[a-z]$`)},
		"size":   {typ: "integer", minimum: ptr(20.0), multipleOf: ptr(10.0)},
		"free":   {typ: "object"},
		"f":      {typ: "number", maximum: ptr(1e300)},
	}}
	r := &rule{typ: "object", required: []string{"name", "disks"}, properties: map[string]*rule{
		"name":    {typ: "string", minLength: 2, maxLength: 4},
		"disks":   {typ: "array", minItems: 1, maxItems: 2, items: disk},
		"public":  {typ: "boolean"},
		"kind":    {typ: "string", enum: []string{"a", "b"}},
		"grid":    {typ: "array", items: &rule{typ: "array", items: &rule{typ: "integer", maximum: ptr(9.0)}}},
		"untyped": {},
	}}
	for _, s := range []string{
		`{"name":"ok","disks":[{"device":"vda","size":30}],"public":false,"kind":"a","other":{"x":[1]}}`,
		`{"name":"ok","disks":[{"device":"vda","free":{"a":[{}]}}],"public":true,"kind":null,"untyped":[1]}`,
		`{"name":"ok","disks":[{"device":"vda"}],"x":"\ud800"}`,
		"{\"name\":\"ok\",\"disks\":[{\"device\":\"vda\"}],\"x\":\"\xff\"}",
		`{"name":"ok","disks":[{"device":"vda","f":1e400}]}`,
		`{"name":"ok","disks":[{"device":"vda","size":2E1}],"grid":[[1,2],[3.0],null,[null]]}`,
		`{"name":"ok","disks":[null,{"device":""}],"grid":[[10]]}`,
		`{"name":"","disks":[]}`, `{"name":"ok","disks":[{"device":"vda"}],"public":"true"}`,
	} {
		f.Add([]byte(s))
	}
	op := Operation{Name: "Test"}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) || !jsontext.Value(b).IsValid(jsontext.AllowInvalidUTF8(true)) {
			return // not JSON, or a repeated name
		}
		old, got := mapCheckBody(op, r, b), checkBody(op, r, b)
		if (old == nil) != (got == nil) {
			t.Errorf("%s: the map-based check says %v, the streaming one %v", b, old, got)
		}
	})
}

// mapCheckBody is the body check as it was before the streaming one (git show
// cbcf777^:client/check.go): the body decoded into a map, required members first
// (absent, null and "" alike), then each member.
func mapCheckBody(op Operation, r *rule, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return &InvalidParameterError{Op: op, Param: "body", Reason: "does not encode as a JSON object"}
	}
	return mapCheckObject(op, "", r, m)
}

func mapCheckValue(op Operation, name string, r *rule, v any) error {
	if r == nil || v == nil {
		return nil
	}
	bad := func(reason string) error { return &InvalidParameterError{Op: op, Param: name, Reason: reason} }
	switch r.typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return bad("is not an object")
		}
		return mapCheckObject(op, name, r, m)
	case "array":
		items, ok := v.([]any)
		if !ok {
			return bad("is not a list")
		}
		if err := checkCount(op, name, r, len(items)); err != nil {
			return err
		}
		for i, it := range items {
			if err := mapCheckValue(op, name+"["+strconv.Itoa(i)+"]", r.items, it); err != nil {
				return err
			}
		}
		return nil
	}
	return checkValue(op, name, r, v) // scalars: the same code as path and query values
}

func mapCheckObject(op Operation, prefix string, r *rule, m map[string]any) error {
	for _, k := range r.required {
		if v, ok := m[k]; !ok || v == nil || v == "" {
			return &InvalidParameterError{Op: op, Param: k, Reason: "is required"}
		}
	}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		if err := mapCheckValue(op, prefix+"."+k, r.properties[k], m[k]); err != nil {
			return err
		}
	}
	return nil
}
