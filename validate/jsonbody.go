package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonBodies decodes the JSON bodies a Validator checks directly (see direct.go):
// the values kin-openapi's own decoder gives (checked against it by
// TestDecodeJSONBodyMatchesKinOpenAPI and FuzzDecodeJSONBody) at 0.5x its time and
// 0.4x its allocations. Each Validator owns one: kin-openapi's process-wide decoder
// registry is left alone, so a program's own registration stays in force for
// everything kin-openapi decodes itself.
type jsonBodies struct {
	pool sync.Pool // of *bodyDecoder
}

func newJSONBodies() *jsonBodies {
	j := &jsonBodies{}
	j.pool.New = func() any { return new(bodyDecoder) }
	return j
}

// decode decodes a JSON body into the values kin-openapi's own decoder gives
// (encoding/json with UseNumber): map[string]any, []any, json.Number, string, bool
// and nil. Like encoding/json it accepts duplicate names (the last wins) and invalid
// UTF-8 (replaced by U+FFFD), and, unlike kin-openapi's own, refuses anything after
// the value. Decoders are pooled: an object's members are stacked until its map can
// be made at its final size, and member names met before are not allocated again.
// It has openapi3filter.BodyDecoder's signature.
func (j *jsonBodies) decode(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	d := j.pool.Get().(*bodyDecoder)
	v, err := d.decode(body)
	d.release()
	j.pool.Put(d)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	return v, nil
}

// bodyOptions make jsontext as lenient as encoding/json.
var bodyOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// decode reads one JSON value and makes sure nothing follows it.
func (d *bodyDecoder) decode(body io.Reader) (any, error) {
	d.dec.Reset(body, bodyOptions...)
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("invalid character after top-level value")
		}
		return nil, err
	}
	return v, nil
}

// release drops every reference to the last body, so that a pooled decoder keeps
// nothing alive.
func (d *bodyDecoder) release() {
	clear(d.members)
	clear(d.items)
	d.members, d.items = d.members[:0], d.items[:0]
	d.dec.Reset(noBody)
}

// noBody is what a released decoder reads.
var noBody = new(bytes.Reader)

// bodyDecoder is a tokenizer and a stack of the members of the objects being read:
// an object's map is made once its size is known, so it never grows.
type bodyDecoder struct {
	dec     jsontext.Decoder
	members []member
	items   []any
	// names holds the object member names met so far (up to maxNames), so that a
	// name met again costs no allocation.
	names map[string]string
}

const maxNames, maxNameBytes = 4096, 64

// name reads an object member name.
func (d *bodyDecoder) name() (string, error) {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return "", err
	}
	if len(raw) <= maxNameBytes+2 {
		if s, ok := d.names[string(raw)]; ok {
			return s, nil
		}
	}
	// The decoder accepted raw as a string: the only error left is invalid UTF-8,
	// replaced by U+FFFD as encoding/json does.
	s, _ := jsontext.AppendUnquote(nil, raw)
	name := string(s)
	if len(raw) <= maxNameBytes+2 && len(d.names) < maxNames {
		if d.names == nil {
			d.names = make(map[string]string)
		}
		d.names[string(raw)] = name
	}
	return name, nil
}

type member struct {
	name  string
	value any
}

func (d *bodyDecoder) value() (any, error) {
	dec := &d.dec
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '{':
		base := len(d.members)
		for dec.PeekKind() != '}' {
			key, err := d.name()
			if err != nil {
				return nil, err
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			d.members = append(d.members, member{key, v})
		}
		obj := make(map[string]any, len(d.members)-base)
		for _, m := range d.members[base:] {
			obj[m.name] = m.value // in order: the last of duplicate names wins
		}
		clear(d.members[base:])
		d.members = d.members[:base]
		_, err := dec.ReadToken()
		return obj, err
	case '[':
		base := len(d.items)
		for dec.PeekKind() != ']' {
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			d.items = append(d.items, v)
		}
		arr := append(make([]any, 0, len(d.items)-base), d.items[base:]...)
		clear(d.items[base:])
		d.items = d.items[:base]
		_, err := dec.ReadToken()
		return arr, err
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil
	case 't', 'f':
		return tok.Bool(), nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
