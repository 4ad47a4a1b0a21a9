package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// inputJSON is jdc's --input-json document: the request's path parameters (regionId,
// imageId, instanceId) and its body or query fields, in one JSON object.
type inputJSON map[string]json.RawMessage

// readInputJSON reads --input-json: the JSON text itself, or @FILE (@- reads stdin).
func (a *App) readInputJSON(ctx context.Context, s string) (inputJSON, error) {
	if s == "" {
		return nil, nil
	}
	raw := []byte(s)
	if name, ok := strings.CutPrefix(s, "@"); ok {
		b, err := a.readInput(ctx, name)
		if err != nil {
			return nil, usage("--input-json %s: %v", s, err)
		}
		raw = b
	}
	var in inputJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&in); err != nil || in == nil {
		return nil, usage("--input-json: not a JSON object (%v)", err)
	}
	if dec.More() {
		return nil, usage("--input-json: more than one JSON value")
	}
	return in, nil
}

// pathParam takes a path parameter from the document (a string), for the flag or
// argument named what: the document's value fills an empty *into, and one that
// disagrees with the flag is an error.
func (in inputJSON) pathParam(key, what string, into *string) error {
	raw, ok := in[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return usage("--input-json: %s must be a string", key)
	}
	switch {
	case *into == "":
		*into = v
	case *into != v:
		return usage("--input-json: %s %q disagrees with %s %q", key, terminalSafe(v), what, terminalSafe(*into))
	}
	return nil
}

// imagePath takes the two path parameters of a call on one image: regionId for
// --region and imageId for the image id given as an argument.
func (in inputJSON) imagePath(region, imageID *string) error {
	if err := in.pathParam("regionId", "--region", region); err != nil {
		return err
	}
	return in.pathParam("imageId", "the image id", imageID)
}

// body checks the document against the operation's request body schema (a body may
// carry copies of the path parameters, as jdc sends them) and decodes it into dst,
// refusing fields the body does not have.
func (in inputJSON) body(opID string, dst any) error {
	o, err := operationByID(opID)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(in)
	if problems := checkBody(o, raw); len(problems) > 0 {
		return usage("--input-json does not match the spec's %s request: %s", o.id, strings.Join(problems, "; "))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return usage("--input-json: %v", err)
	}
	return nil
}

// only refuses keys other than allowed (for a call without a body: its path and
// query parameters).
func (in inputJSON) only(opID string, allowed ...string) error {
	for k := range in {
		if !slices.Contains(allowed, k) {
			return usage("--input-json: %s takes no field %q (it takes %s)", opID, terminalSafe(k), strings.Join(allowed, ", "))
		}
	}
	return nil
}

// boolField reads an optional boolean field.
func (in inputJSON) boolField(key string) (bool, bool, error) {
	raw, ok := in[key]
	if !ok || string(raw) == "null" {
		return false, false, nil
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false, usage("--input-json: %s must be true or false", key)
	}
	return v, true, nil
}

// decodeInto decodes the whole document into dst (query parameters), refusing
// unknown fields.
func (in inputJSON) decodeInto(dst any) error {
	raw, _ := json.Marshal(in)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return usage("--input-json: %v", err)
	}
	return nil
}
