package validate_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/validate"
)

func mustDefault(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTransportPassesThroughAndRecords(t *testing.T) {
	v := mustDefault(t)
	bodies := map[string]string{
		"/v1/regions/cn-north-1/images/img-good1": `{"requestId":"r","result":{"image":{"imageId":"img-good1"}}}`,
		"/v1/regions/cn-north-1/images/img-bad01": `{"requestId":"r","result":{"image":{"sizeMB":"big"}}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Jdcloud-Request-Id", "r")
		io.WriteString(w, bodies[r.URL.Path])
	}))
	defer srv.Close()
	tr := v.Transport(srv.Client().Transport)
	hc := &http.Client{Transport: tr}

	for path, want := range bodies {
		resp, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != want {
			t.Errorf("%s: caller saw %q, want %q", path, got, want)
		}
	}
	if tr.Checked() != 2 {
		t.Errorf("Checked = %d, want 2", tr.Checked())
	}
	err := tr.Err()
	var verr *validate.Error
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), "img-bad01") || strings.Contains(err.Error(), "img-good1") {
		t.Fatalf("want exactly the bad exchange reported, got %v", err)
	}
	if verr.Violations[0].Pointer != "/result/image/sizeMB" {
		t.Errorf("pointer = %q", verr.Violations[0].Pointer)
	}
	tr.Reset()
	if tr.Err() != nil || tr.Checked() != 0 {
		t.Error("Reset did not forget")
	}
}

func TestUnknownRouteIsReported(t *testing.T) {
	v := mustDefault(t)
	req := httptest.NewRequest(http.MethodGet, "/v1/regions/cn-north-1/instances/i-1", nil)
	err := v.ValidateExchange(context.Background(), req, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	var verr *validate.Error
	if !errors.As(err, &verr) || verr.Violations[0].Where != validate.WhereRequest {
		t.Fatalf("want a request violation, got %v", err)
	}
}

func TestInvalidSpecIsRefused(t *testing.T) {
	_, err := validate.New([]byte("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer}\n              example: notanumber\n"))
	if err == nil || !strings.Contains(err.Error(), "invalid spec") {
		t.Fatalf("want invalid spec error, got %v", err)
	}
}

func TestErrorString(t *testing.T) {
	e := &validate.Error{Status: 200, Violations: []validate.Violation{{Where: validate.WhereBody, Pointer: "/a", Reason: "bad"}, {Where: validate.WhereStatus, Reason: "odd"}}}
	want := "validate: response (status 200) violates the spec in 2 place(s)\n  body /a: bad\n  status: odd"
	if e.Error() != want {
		t.Errorf("got %q", e.Error())
	}
}

// The API's operation names (DescribeImages) designate operations as their ids do.
func TestOperationIDFromName(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"DescribeImages": "describeImages", "describeImages": "describeImages",
		"DescribeImageConstraintsBatch": "describeImageConstraintsBatch", "describeimagemembers": "describeImageMembers", "DescribeEverything": ""} {
		if got, ok := v.OperationID(name); got != want || ok != (want != "") {
			t.Errorf("OperationID(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// TestTransportChecksRequestBodiesOnColonPaths: a custom method sent with its colon
// escaped (%3A, as JD's Go SDK and the client send it) reaches its operation, the
// body the server receives is the one sent, and a body off the spec is flagged.
func TestTransportChecksRequestBodiesOnColonPaths(t *testing.T) {
	v := mustDefault(t)
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Jdcloud-Request-Id", "r")
		io.WriteString(w, `{"requestId":"r"}`)
	}))
	defer srv.Close()
	for body, ok := range map[string]bool{`{"pins":["jdcloud-user-02"]}`: true, `{"pins":[""]}`: false, `{"pins":"x"}`: false} {
		tr := v.Transport(srv.Client().Transport)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got[len(got)-1] != body {
			t.Errorf("server got %q, sent %q", got[len(got)-1], body)
		}
		if verr := tr.Err(); (verr == nil) != ok || tr.Checked() != 1 {
			t.Errorf("%s: checked %d, error %v, want ok %v", body, tr.Checked(), verr, ok)
		}
		if verr := tr.Err(); verr != nil && strings.Contains(verr.Error(), "matches no operation") {
			t.Errorf("%s: not routed: %v", body, verr)
		}
	}
}
