package client

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/signer"
)

// decodeResponse turns the final response of a call into the image or a typed error.
func decodeResponse(st *callState, resp *http.Response, now time.Time) (*api.Image, string, error) {
	return interpret(st.op, resp, st.body, now)
}

// DecodeResponse interprets one DescribeImage response (status, headers, whole body)
// exactly as DescribeImage does: the image and request id on success, else a typed
// error (*APIError or *UnexpectedResponseError). Use it on recorded responses.
func DecodeResponse(statusCode int, header http.Header, body []byte) (*api.Image, string, error) {
	return interpret(Operation{Name: "decode response"}, &http.Response{StatusCode: statusCode, Header: header}, body, time.Now())
}

// successBody is the success envelope with pointers, so that a missing result or image
// is told apart from an empty one.
type successBody struct {
	RequestID string `json:"requestId"`
	Result    *struct {
		Image *api.Image `json:"image"`
	} `json:"result"`
}

// errorBody is the error envelope with a pointer, for the same reason.
type errorBody struct {
	RequestID string `json:"requestId"`
	Error     *struct {
		Code    int    `json:"code"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Details any    `json:"details"`
	} `json:"error"`
}

// interpret reads one response: the image on success, else a typed error.
func interpret(op Operation, resp *http.Response, body []byte, now time.Time) (*api.Image, string, error) {
	reqID := resp.Header.Get(signer.HeaderRequestID)
	ct := resp.Header.Get("Content-Type")
	unexpected := func(reason string, err error) error {
		return &UnexpectedResponseError{Op: op, StatusCode: resp.StatusCode, ContentType: ct, RequestID: reqID,
			Reason: reason, Excerpt: sanitize(string(body[:min(len(body), 400)]), 200), Err: err}
	}
	if resp.StatusCode/100 == 3 {
		where := "elsewhere"
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			where = "to host " + sanitize(loc.Host, 100)
		}
		return nil, reqID, unexpected("redirect "+where+" refused: redirects are never followed with credentials", nil)
	}
	if !isJSON(ct) {
		return nil, reqID, unexpected("not a JSON response", nil)
	}
	if len(body) == 0 {
		return nil, reqID, unexpected("empty body", nil)
	}
	if resp.StatusCode/100 == 2 {
		var out successBody
		if err := json.Unmarshal(body, &out); err != nil {
			return nil, reqID, unexpected("malformed JSON: "+jsonErrorText(err), err)
		}
		if reqID == "" {
			reqID = out.RequestID
		}
		if out.Result == nil || out.Result.Image == nil {
			return nil, reqID, unexpected("success without result.image", nil)
		}
		return out.Result.Image, reqID, nil
	}
	var out errorBody
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, reqID, unexpected("malformed JSON error body: "+jsonErrorText(err), err)
	}
	if reqID == "" {
		reqID = out.RequestID
	}
	if out.Error == nil || out.Error.Status == "" {
		return nil, reqID, unexpected("error status without the JSON error envelope", nil)
	}
	apiErr := &APIError{Op: op, StatusCode: resp.StatusCode, Code: out.Error.Code, Status: out.Error.Status,
		Message: out.Error.Message, Details: out.Error.Details, RequestID: reqID}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		apiErr.RetryAfter = d
	}
	return nil, reqID, apiErr
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
