package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/vmimage/vmimage/signer"
)

// DecodeResponse interprets one recorded response (status, headers, whole body) of
// any operation exactly as the client's calls do: T is the operation's result type
// (api.DescribeImageResult, api.DescribeImagesResult, ...). On success it returns the
// envelope's result and a *Response with the request id and status; otherwise a
// typed error (*APIError or *UnexpectedResponseError).
func DecodeResponse[T any](statusCode int, header http.Header, body []byte) (*T, *Response, error) {
	op := Operation{Name: "DecodeResponse"}
	resp := &Response{StatusCode: statusCode, Header: header, RequestID: header.Get(signer.HeaderRequestID)}
	o := classifyResponse(op, statusCode, header, body, time.Now())
	if o.err != nil {
		if reqID := requestIDOf(o.err); reqID != "" {
			resp.RequestID = reqID
		}
		return nil, resp, o.err
	}
	out, reqID, err := decodeSuccess[T](op, nil, statusCode, header, body)
	resp.RequestID = reqID
	return out, resp, err
}

// decodeOptions make the JSON v2 decoder (github.com/go-json-experiment/json, the
// prototype of encoding/json/v2) as lenient as encoding/json where the service could
// differ: duplicate member names (the last wins) and invalid UTF-8 (replaced) are
// accepted. Unknown members are ignored, as by encoding/json. Names match exactly, as
// the service sends them. The generated types are unchanged and still decode with
// encoding/json.
var decodeOptions = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// successBody is the success envelope with a pointer, so that a missing (or null)
// result is told apart from an empty one. It is decoded in one pass: the result is
// not copied out of the body first.
type successBody[T any] struct {
	RequestID string `json:"requestId"`
	Result    *T     `json:"result"`
}

// errorBody is the error envelope with a pointer, for the same reason. The code is
// kept raw: the service sends a number, some proxies a numeric string.
type errorBody struct {
	RequestID string `json:"requestId"`
	Error     *struct {
		Code    json.Number `json:"code"`
		Status  string      `json:"status"`
		Message string      `json:"message"`
		Details any         `json:"details"`
	} `json:"error"`
}

// unexpected builds the *UnexpectedResponseError of a response.
func unexpected(op Operation, status int, header http.Header, body []byte, reqID, reason string, err error) error {
	return &UnexpectedResponseError{Op: op, StatusCode: status, ContentType: header.Get("Content-Type"), RequestID: reqID,
		Reason: reason, Excerpt: excerptOf(body), Err: err}
}

// excerptOf is the start of a body an *UnexpectedResponseError shows, sanitised.
func excerptOf(body []byte) string { return sanitize(string(body[:min(len(body), 400)]), 200) }

// decodeSuccess decodes a 2xx response's envelope: its result as T, and the request
// id (the header's, else the body's). o (nil: no checks) says whether a result is
// required and which of its fields must be there (generated from the spec).
func decodeSuccess[T any](op Operation, o *operation, status int, header http.Header, body []byte) (*T, string, error) {
	reqID := header.Get(signer.HeaderRequestID)
	if reason := notJSON(header, body); reason != "" {
		return nil, reqID, unexpected(op, status, header, body, reqID, reason, nil)
	}
	var out successBody[T]
	if err := jsonv2.Unmarshal(body, &out, decodeOptions); err != nil {
		return nil, reqID, unexpected(op, status, header, body, reqID, "malformed JSON: "+jsonErrorText(err), err)
	}
	if reqID == "" {
		reqID = out.RequestID
	}
	if out.Result == nil {
		if o == nil || o.resultRequired {
			return nil, reqID, unexpected(op, status, header, body, reqID, "success without result", nil)
		}
		return new(T), reqID, nil
	}
	if o != nil {
		if missing := resultMissing(body, o.resultFields); missing != "" {
			return nil, reqID, unexpected(op, status, header, body, reqID, "success without result."+missing, nil)
		}
	}
	return out.Result, reqID, nil
}

// resultMissing names the first of fields that the envelope's result object lacks
// or has as null ("" when none is missing, or when there is no result object, which
// decoding reports). It scans body without copying it (a pooled decoder), and reads
// the last "result" member when there are several, as decoding does.
func resultMissing(body []byte, fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	sc := scanners.Get().(*scanner)
	defer scanners.Put(sc)
	sc.r.Reset(body)
	sc.dec.Reset(&sc.r, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	dec := sc.dec
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return ""
	}
	missing := ""
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return ""
		}
		if string(name) == `"result"` && dec.PeekKind() == '{' {
			if missing, err = membersMissing(dec, fields); err != nil {
				return ""
			}
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return ""
		}
	}
	return missing
}

// membersMissing reads the JSON object dec is at and names the first of fields that
// it lacks or has as null ("" when none).
func membersMissing(dec *jsontext.Decoder, fields []string) (string, error) {
	if _, err := dec.ReadToken(); err != nil { // '{'
		return "", err
	}
	var seenBits uint64 // fields are few: a bit each (beyond 64, unchecked)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return "", err
		}
		// name is valid until the next read: match it at once (unquoted first in the
		// rare case it has escapes).
		if bytes.IndexByte(name, '\\') >= 0 {
			if u, err := jsontext.AppendUnquote(nil, name); err == nil {
				name = jsontext.Value(strconv.Quote(string(u)))
			}
		}
		var match uint64
		for i, f := range fields {
			if i < 64 && len(name) == len(f)+2 && string(name[1:len(name)-1]) == f {
				match |= 1 << i
			}
		}
		if dec.PeekKind() != 'n' {
			seenBits |= match
		}
		if err := dec.SkipValue(); err != nil {
			return "", err
		}
	}
	if _, err := dec.ReadToken(); err != nil { // '}'
		return "", err
	}
	for i, f := range fields {
		if i < 64 && seenBits&(1<<i) == 0 {
			return f, nil
		}
	}
	return "", nil
}

// scanner is a pooled decoder for resultMissing: its buffers are reused, so checking
// a result's fields costs no allocation in the steady state.
type scanner struct {
	r   bytes.Reader
	dec *jsontext.Decoder
}

var scanners = sync.Pool{New: func() any {
	sc := &scanner{}
	sc.dec = jsontext.NewDecoder(&sc.r)
	return sc
}}

// decodeError turns a non-2xx response into its typed error: an *APIError when the
// body is the documented envelope, else an *UnexpectedResponseError.
func decodeError(op Operation, status int, header http.Header, body []byte, now time.Time) error {
	reqID := header.Get(signer.HeaderRequestID)
	if status/100 == 3 {
		where := "elsewhere"
		if loc, err := url.Parse(header.Get("Location")); err == nil && loc.Host != "" {
			where = "to host " + sanitize(loc.Host, 100)
		}
		return unexpected(op, status, header, body, reqID, "redirect "+where+" refused: redirects are never followed with credentials", nil)
	}
	if reason := notJSON(header, body); reason != "" {
		return unexpected(op, status, header, body, reqID, reason, nil)
	}
	var out errorBody
	if err := json.Unmarshal(body, &out); err != nil {
		return unexpected(op, status, header, body, reqID, "malformed JSON error body: "+jsonErrorText(err), err)
	}
	if reqID == "" {
		reqID = out.RequestID
	}
	if out.Error == nil || out.Error.Status == "" {
		return unexpected(op, status, header, body, reqID, "error status without the JSON error envelope", nil)
	}
	code, err := out.Error.Code.Int64()
	if err != nil && out.Error.Code != "" {
		return unexpected(op, status, header, body, reqID, "error code is not a number", nil)
	}
	apiErr := &APIError{Op: op, StatusCode: status, Code: int(code), Status: out.Error.Status,
		Message: out.Error.Message, Details: out.Error.Details, RequestID: reqID}
	if d, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
		apiErr.RetryAfter = d
	}
	return apiErr
}

// notJSON says why a body cannot be the JSON envelope ("" when it may be).
func notJSON(header http.Header, body []byte) string {
	if !isJSON(header.Get("Content-Type")) {
		return "not a JSON response"
	}
	if len(body) == 0 {
		return "empty body"
	}
	return ""
}

func isJSON(ct string) bool {
	if rest, ok := strings.CutPrefix(ct, "application/json"); ok && (rest == "" || rest[0] == ';') {
		return true // the common case, without parsing
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func jsonErrorText(err error) string {
	return sanitize(fmt.Sprint(err), 120)
}
