package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// wseen is one request a write server saw.
type wseen struct {
	Method, RawURI, ContentType, Nonce string
	Body                               []byte
	VerifyErr                          error
}

// wserver is an httptest server for calls with bodies: it reads each body, verifies
// the signature over it, records the request, then runs the script's step (the last
// one repeats). A step may cut the connection after reading the body (cut).
type wserver struct {
	*httptest.Server
	mu    sync.Mutex
	steps []http.HandlerFunc
	seen  []wseen
}

func newWServer(t *testing.T, steps ...http.HandlerFunc) *wserver {
	t.Helper()
	s := &wserver{steps: steps}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, verr := signer.Verify(r, body, func(ak string) (string, bool) { return testSK, ak == testAK }, signer.VerifyOptions{Service: "vm"})
		s.mu.Lock()
		n := len(s.seen)
		s.seen = append(s.seen, wseen{Method: r.Method, RawURI: r.RequestURI, ContentType: r.Header.Get("Content-Type"), Nonce: r.Header.Get(signer.HeaderNonce), Body: body, VerifyErr: verr})
		step := s.steps[min(n, len(s.steps)-1)]
		s.mu.Unlock()
		if verr != nil {
			writeJSON(w, 401, `{"requestId":"rq-auth","error":{"code":401,"status":"ACCESS_ERROR","message":"bad signature"}}`)
			return
		}
		step(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *wserver) requests() []wseen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wseen(nil), s.seen...)
}

// cut closes the connection without an answer, after the body was read: a lost answer.
func cut(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func newWClient(t *testing.T, s *wserver, opts ...client.Option) *testClient {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(s.Client().Transport)
	base := []client.Option{
		client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}),
		client.WithEndpoint(s.URL),
		client.WithHTTPClient(&http.Client{Transport: vt}),
		client.WithClock(newFakeClock()),
		client.WithRandom(func() float64 { return 0.5 }),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &testClient{Client: c, vt: vt}
}

func ptr[T any](v T) *T { return &v }

// writeCall is one call of the client with valid input, and the success body the
// spec's example gives it.
type writeCall struct {
	id, name string
	// uri is the request URI the client must send (the colon as %3A).
	uri  string
	okRe string
	do   func(ctx context.Context, c *client.Client) (*client.Response, error)
}

const region, image = "cn-north-1", "img-m5s0ab1c29"

// every17 lists every call of the API, so that tests run over all of them.
func every17() []writeCall {
	void := `{"requestId":"a0633f72670e59f8c6db36b1ee257011"}`
	created := `{"requestId":"0d1531eb5016b64d801a9e24bac779e8","result":{"imageId":"img-m5s0ab1c29"}}`
	img := `{"requestId":"rq-ok","result":{"image":{"imageId":"img-m5s0ab1c29","status":"ready"}}}`
	return []writeCall{
		{"copyImages", "CopyImages", "/v1/regions/cn-north-1/images%3AcopyImages",
			`{"requestId":"c2v5a1dqqcmf0rvpkwqs6t0c8q7fd7mi","result":{"copyImages":[{"sourceImageId":"img-m5s0ab1c29","destinationImageId":"img-m5s0ab1c30"}]}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.CopyImages(ctx, &client.CopyImagesInput{RegionID: region, CopyImagesInput: api.CopyImagesInput{SourceImageIds: []string{image}, DestinationRegion: "cn-east-2"}})
				return r, err
			}},
		{"createImage", "CreateImage", "/v1/regions/cn-north-1/instances/i-eumm4d5fd6%3AcreateImage", created,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: "i-eumm4d5fd6", CreateImageInput: api.CreateImageInput{Name: "golden-2024", Description: ptr("nightly")}})
				return r, err
			}},
		{"createImageFromSnapshots", "CreateImageFromSnapshots", "/v1/regions/cn-north-1/images%3AcreateImageFromSnapshots", created,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.CreateImageFromSnapshots(ctx, &client.CreateImageFromSnapshotsInput{RegionID: region, CreateImageFromSnapshotsInput: api.CreateImageFromSnapshotsInput{
					Name: "centos-base", Platform: "CentOS", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
					CloudDisks: []api.CloudDiskSpec{{SnapshotId: ptr("snapshot-s1y2s3t4e5"), DeviceName: ptr("vda")}}}})
				return r, err
			}},
		{"deleteImage", "DeleteImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29?deleteSnapshot=true", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DeleteImage(ctx, &client.DeleteImageInput{RegionID: region, ImageID: image, DeleteSnapshot: true})
				return r, err
			}},
		{"describeImage", "DescribeImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29", img,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DescribeImage(ctx, region, image)
				return r, err
			}},
		{"describeImageConstraints", "DescribeImageConstraints", "/v1/regions/cn-north-1/images/img-m5s0ab1c29/constraints",
			`{"requestId":"r","result":{"imageConstraints":{"imageId":"img-m5s0ab1c29","imageInstanceTypeConstraint":{"constraintsType":"excludes","instanceTypes":["g.n2.large"]}}}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DescribeImageConstraints(ctx, region, image)
				return r, err
			}},
		{"describeImageConstraintsBatch", "DescribeImageConstraintsBatch", "/v1/regions/cn-north-1/imageConstraints?ids.1=img-m5s0ab1c29",
			`{"requestId":"r","result":{"imageConstraints":[]}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DescribeImageConstraintsBatch(ctx, region, []string{image})
				return r, err
			}},
		{"describeImageMembers", "DescribeImageMembers", "/v1/regions/cn-north-1/images/img-m5s0ab1c29/members",
			`{"requestId":"r","result":{"pins":["jdcloud-user-02"],"totalCount":1}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DescribeImageMembers(ctx, region, image)
				return r, err
			}},
		{"describeImages", "DescribeImages", "/v1/regions/cn-north-1/images?imageSource=private&pageSize=10",
			`{"requestId":"r","result":{"images":[],"totalCount":0}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.DescribeImages(ctx, region, client.ImageFilter{Source: api.ImageSourcePrivate}, client.Page{Size: 10})
				return r, err
			}},
		{"exportImage", "ExportImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3AexportImage",
			`{"requestId":"r","result":{"taskId":"8023"}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ExportImage(ctx, &client.ExportImageInput{RegionID: region, ImageID: image, ExportImageInput: api.ExportImageInput{
					RoleName: "jdcOSSRole", OssUrl: "https://test.s3-internal.cn-north-1.jdcloud-oss.com", OssPrefix: ptr("exports")}})
				return r, err
			}},
		{"imageTasks", "ImageTasks", "/v1/regions/cn-north-1/imageTasks?taskAction=ImportImage&taskIds.1=709",
			`{"requestId":"r","result":{"totalCount":0,"taskSet":[]}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ImageTasks(ctx, &client.ImageTasksInput{RegionID: region, ImageTasksParams: api.ImageTasksParams{TaskAction: ptr(api.TaskActionImportImage), TaskIds: []string{"709"}}})
				return r, err
			}},
		{"importImage", "ImportImage", "/v1/regions/cn-north-1/images%3Aimport",
			`{"requestId":"r","result":{"imageId":"img-m5s0ab1c29","taskId":"541"}}`,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ImportImage(ctx, &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
					Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatQCOW2,
					SystemDiskSizeGB: 40, ImageUrl: "https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.qcow2", ImageName: "imported"}})
				return r, err
			}},
		{"modifyImageAttribute", "ModifyImageAttribute", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3AmodifyImageAttribute", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ModifyImageAttribute(ctx, &client.ModifyImageAttributeInput{RegionID: region, ImageID: image, ModifyImageAttributeInput: api.ModifyImageAttributeInput{Name: ptr("renamed")}})
				return r, err
			}},
		{"releaseImage", "ReleaseImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Arelease", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ReleaseImage(ctx, region, image)
				return r, err
			}},
		{"shareImage", "ShareImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.ShareImage(ctx, &client.ShareImageInput{RegionID: region, ImageID: image, ShareImageInput: api.ShareImageInput{Pins: []string{"jdcloud-user-02"}}})
				return r, err
			}},
		{"unReleaseImage", "UnReleaseImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Aunrelease", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.UnReleaseImage(ctx, region, image)
				return r, err
			}},
		{"unShareImage", "UnShareImage", "/v1/regions/cn-north-1/images/img-m5s0ab1c29%3Aunshare", void,
			func(ctx context.Context, c *client.Client) (*client.Response, error) {
				_, r, err := c.UnShareImage(ctx, &client.UnShareImageInput{RegionID: region, ImageID: image, UnShareImageInput: api.UnShareImageInput{LoginNames: []string{"partner-ops"}}})
				return r, err
			}},
	}
}

// TestEveryCallSendsWhatTheSpecSays runs all 17 calls through the validating
// RoundTripper (requests, bodies included, and answers): the path as sent (the colon
// as %3A), a JSON body with only the fields set (no nulls, no path copies), signed
// over its exact bytes.
func TestEveryCallSendsWhatTheSpecSays(t *testing.T) {
	calls := every17()
	if len(calls) != 17 {
		t.Fatalf("%d calls, want 17", len(calls))
	}
	for _, wc := range calls {
		t.Run(wc.name, func(t *testing.T) {
			s := newWServer(t, respond(200, wc.okRe))
			tc := newWClient(t, s)
			resp, err := wc.do(context.Background(), tc.Client)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Attempts != 1 || resp.StatusCode != 200 || resp.RequestID == "" {
				t.Errorf("response %+v", resp)
			}
			tc.assertValid(t)
			if tc.vt.Checked() != 1 {
				t.Errorf("validated %d exchanges", tc.vt.Checked())
			}
			r := s.requests()[0]
			if r.RawURI != wc.uri {
				t.Errorf("sent %s, want %s", r.RawURI, wc.uri)
			}
			if r.ContentType != "application/json" {
				t.Errorf("Content-Type %q", r.ContentType)
			}
			if r.Method == http.MethodPost {
				var m map[string]any
				if err := json.Unmarshal(r.Body, &m); err != nil {
					t.Fatalf("body %q: %v", r.Body, err)
				}
				for k, v := range m {
					if v == nil || k == "regionId" || k == "imageId" || k == "instanceId" {
						t.Errorf("body %s carries %s: %v", r.Body, k, v)
					}
				}
			} else if len(r.Body) != 0 {
				t.Errorf("%s with a body %q", r.Method, r.Body)
			}
		})
	}
}

// TestNeverWriteIsSentOnceWhenTheAnswerIsLost: a write without a token whose
// connection drops after the body was written is not repeated, and the error says
// the request may have taken effect.
func TestNeverWriteIsSentOnceWhenTheAnswerIsLost(t *testing.T) {
	for _, wc := range every17() {
		if wc.id != "copyImages" && wc.id != "createImage" && wc.id != "releaseImage" && wc.id != "unReleaseImage" {
			continue
		}
		t.Run(wc.name, func(t *testing.T) {
			s := newWServer(t, cut, respond(200, wc.okRe))
			tc := newWClient(t, s)
			resp, err := wc.do(context.Background(), tc.Client)
			var may *client.MayHaveSucceededError
			if !errors.As(err, &may) || !errors.Is(err, client.ErrMayHaveSucceeded) || !strings.Contains(err.Error(), "may have taken effect") {
				t.Fatalf("got %v", err)
			}
			var re *client.RequestError
			if !errors.As(err, &re) {
				t.Errorf("%v does not unwrap to the attempt's *RequestError", err)
			}
			if n := len(s.requests()); n != 1 || resp.Attempts != 1 {
				t.Errorf("sent %d times, Attempts %d: want 1", n, resp.Attempts)
			}
		})
	}
}

// TestNeverWriteIsRetriedWhenItNeverLeft: a dial failure and the gateway's throttle
// are retried even for a write without a token.
func TestNeverWriteIsRetriedWhenItNeverLeft(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := client.New(client.WithCredentials(signer.Credentials{AccessKey: testAK, SecretKey: testSK}), client.WithEndpoint("http://"+addr),
		client.WithClock(newFakeClock()), client.WithRandom(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.ReleaseImage(context.Background(), region, image)
	if errors.Is(err, client.ErrMayHaveSucceeded) || resp == nil || resp.Attempts != 3 {
		t.Errorf("dial failure: %v, %+v", err, resp)
	}
	var ma *client.MaxAttemptsError
	if !errors.As(err, &ma) {
		t.Errorf("dial failure: %T %v", err, err)
	}

	s := newWServer(t, apiErr(429, "HTTP_RATE_LIMIT_EXCEEDED", "slow down"), respond(200, `{"requestId":"r"}`))
	tc := newWClient(t, s)
	if _, resp, err := tc.ReleaseImage(context.Background(), region, image); err != nil || resp.Attempts != 2 {
		t.Errorf("throttled: %v, %+v", err, resp)
	}
}

// TestTokenWriteIsRetriedWithTheSameToken: a write with a token is retried after a
// lost answer, every attempt carrying the same token (the client's, when the caller
// gives none) with a fresh signature over the same bytes; the server, answering the
// token with its first answer, counts one image.
func TestTokenWriteIsRetriedWithTheSameToken(t *testing.T) {
	var mu sync.Mutex
	images := map[string]string{}
	s := newWServer(t, cut)
	// The server does its work on every attempt, by token: the first attempt's answer
	// is lost after the image was made.
	s.steps = []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
		reqs := s.requests()
		var body struct {
			ClientToken string `json:"clientToken"`
		}
		_ = json.Unmarshal(reqs[len(reqs)-1].Body, &body)
		mu.Lock()
		id, ok := images[body.ClientToken]
		if !ok {
			id = "img-made" + string(rune('a'+len(images)))
			images[body.ClientToken] = id
		}
		mu.Unlock()
		if len(reqs) == 1 {
			cut(w, r)
			return
		}
		writeJSON(w, 200, `{"requestId":"r2","result":{"imageId":"`+id+`","taskId":"541"}}`)
	}}
	tc := newWClient(t, s)
	for _, given := range []string{"", "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6b"} {
		s.mu.Lock()
		s.seen = nil
		s.mu.Unlock()
		clear(images)
		in := &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
			Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatRaw,
			SystemDiskSizeGB: 50, ImageUrl: "https://test.s3-internal.cn-north-1.jdcloud-oss.com/a.raw", ImageName: "imported"}}
		if given != "" {
			in.ClientToken = &given
		}
		res, resp, err := tc.ImportImage(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		reqs := s.requests()
		if len(reqs) != 2 || resp.Attempts != 2 || len(images) != 1 || res.ImageId != "img-madea" {
			t.Fatalf("token %q: %d requests, %+v, images %v, result %+v", given, len(reqs), resp, images, res)
		}
		if string(reqs[0].Body) != string(reqs[1].Body) || reqs[0].Nonce == reqs[1].Nonce {
			t.Errorf("attempts differ in body or share a nonce: %s / %s", reqs[0].Body, reqs[1].Body)
		}
		var body struct {
			ClientToken string `json:"clientToken"`
		}
		_ = json.Unmarshal(reqs[0].Body, &body)
		if body.ClientToken == "" || body.ClientToken != resp.ClientToken || (given != "" && body.ClientToken != given) {
			t.Errorf("token sent %q, Response says %q, caller gave %q", body.ClientToken, resp.ClientToken, given)
		}
		if in.ClientToken != nil && *in.ClientToken != given || given == "" && in.ClientToken != nil {
			t.Errorf("the caller's input was changed: %v", in.ClientToken)
		}
	}
}

// TestQuotaExceededIsNotRetried: 429 QUOTA_EXCEEDED is a quota, not a throttle.
func TestQuotaExceededIsNotRetried(t *testing.T) {
	s := newWServer(t, apiErr(429, "QUOTA_EXCEEDED", "image quota exceeded"), respond(200, `{"requestId":"r","result":{"imageId":"img-a","taskId":"1"}}`))
	tc := newWClient(t, s)
	for _, wc := range every17() {
		if wc.id != "importImage" && wc.id != "describeImage" {
			continue
		}
		s.mu.Lock()
		s.seen = nil
		s.mu.Unlock()
		resp, err := wc.do(context.Background(), tc.Client)
		if !errors.Is(err, client.ErrQuotaExceeded) || errors.Is(err, client.ErrThrottled) || errors.Is(err, client.ErrMayHaveSucceeded) {
			t.Errorf("%s: got %v", wc.name, err)
		}
		if n := len(s.requests()); n != 1 || resp.Attempts != 1 {
			t.Errorf("%s: sent %d times", wc.name, n)
		}
	}
}

// TestDeleteRetriedAfterALostAnswerReportsNotFound: the DELETE is retried after its
// answer was lost; the retry's 404 is reported as the not-found it is, Attempts 2.
func TestDeleteRetriedAfterALostAnswerReportsNotFound(t *testing.T) {
	s := newWServer(t, cut, apiErr(404, "NOT_FOUND", "Image 'img-m5s0ab1c29' not found"))
	tc := newWClient(t, s)
	_, resp, err := tc.DeleteImage(context.Background(), &client.DeleteImageInput{RegionID: region, ImageID: image})
	var ae *client.APIError
	if !errors.As(err, &ae) || !errors.Is(err, client.ErrNotFound) || resp.Attempts != 2 || resp.StatusCode != 404 {
		t.Fatalf("got %v, %+v", err, resp)
	}
	if errors.Is(err, client.ErrMayHaveSucceeded) {
		t.Error("a safe call is not marked may-have-succeeded")
	}
}

// TestResponseDescribesTheLastAttempt: a 503 then a cut connection reports the second
// attempt only (no status, no request id), and the error type is the same whatever
// MaxAttempts.
func TestResponseDescribesTheLastAttempt(t *testing.T) {
	s := newWServer(t, apiErr(503, "INTERNAL", "busy"), cut)
	tc := newWClient(t, s, client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 2, BaseDelay: 1, MaxDelay: 1}))
	_, resp, err := tc.DescribeImage(context.Background(), region, image)
	var ma *client.MaxAttemptsError
	var re *client.RequestError
	if !errors.As(err, &ma) || !errors.As(err, &re) || resp.Attempts != 2 {
		t.Fatalf("got %T %v, %+v", err, err, resp)
	}
	if resp.StatusCode != 0 || resp.RequestID != "" || resp.Header != nil {
		t.Errorf("Response mixes attempts: %+v", resp)
	}
	s1 := newWServer(t, apiErr(503, "INTERNAL", "busy"))
	tc1 := newWClient(t, s1, client.WithRetryPolicy(client.NoRetries()))
	_, resp, err = tc1.DescribeImage(context.Background(), region, image)
	if !errors.As(err, &ma) || ma.Attempts != 1 || resp.StatusCode != 503 || resp.RequestID != "rq-INTERNAL" {
		t.Errorf("MaxAttempts 1: got %T %v, %+v", err, err, resp)
	}
}

// TestWriteInputIsCheckedFromTheSpec: body fields are checked against the spec's
// constraints before anything is sent, the error naming the field.
func TestWriteInputIsCheckedFromTheSpec(t *testing.T) {
	s := newWServer(t, respond(200, `{"requestId":"r"}`))
	tc := newWClient(t, s)
	ctx := context.Background()
	many := make([]string, 21)
	for i := range many {
		many[i] = "pin"
	}
	check := func(name, param, reason string, err error) {
		t.Helper()
		var ip *client.InvalidParameterError
		if !errors.As(err, &ip) || ip.Param != param || !strings.Contains(ip.Reason, reason) {
			t.Errorf("%s: got %v, want %s: %s", name, err, param, reason)
		}
	}
	_, _, err := tc.ShareImage(ctx, &client.ShareImageInput{RegionID: region, ImageID: image, ShareImageInput: api.ShareImageInput{Pins: many}})
	check("21 pins", "pins", "at most 20", err)
	_, _, err = tc.ShareImage(ctx, &client.ShareImageInput{RegionID: region, ImageID: "img-Bad", ShareImageInput: api.ShareImageInput{Pins: []string{"a"}}})
	check("bad image id", "imageId", "does not match", err)
	_, _, err = tc.UnShareImage(ctx, &client.UnShareImageInput{RegionID: region, ImageID: image})
	check("no accounts", "pins", "required unless loginNames", err)
	_, _, err = tc.CopyImages(ctx, &client.CopyImagesInput{RegionID: region, CopyImagesInput: api.CopyImagesInput{DestinationRegion: "cn-east-2"}})
	check("no source ids", "sourceImageIds", "is required", err)
	_, _, err = tc.CopyImages(ctx, nil)
	check("nil input", "regionId", "is empty", err)
	_, _, err = tc.CreateImageFromSnapshots(ctx, &client.CreateImageFromSnapshotsInput{RegionID: region, CreateImageFromSnapshotsInput: api.CreateImageFromSnapshotsInput{
		Name: "centos-base", Platform: "CentOS", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
		CloudDisks: []api.CloudDiskSpec{{SnapshotId: ptr("snapshot-s1y2s3t4e5"), DeviceName: ptr("sda")}}}})
	check("bad device", "cloudDisks[0].deviceName", "does not match", err)
	_, _, err = tc.ImportImage(ctx, &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
		Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatRaw,
		SystemDiskSizeGB: 45, ImageUrl: "https://x.example/a.raw", ImageName: "imported"}})
	check("size not a multiple of 10", "systemDiskSizeGB", "multiple of 10", err)
	_, _, err = tc.ImportImage(ctx, &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
		Architecture: "sparc", OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatRaw,
		SystemDiskSizeGB: 40, ImageUrl: "https://x.example/a.raw", ImageName: "imported"}})
	check("unknown architecture", "architecture", `"sparc" is not one of`, err)
	_, _, err = tc.ModifyImageAttribute(ctx, &client.ModifyImageAttributeInput{RegionID: region, ImageID: image, ModifyImageAttributeInput: api.ModifyImageAttributeInput{Name: ptr(strings.Repeat("n", 33))}})
	check("long name", "name", "longer than 32", err)
	_, _, err = tc.ImageTasks(ctx, &client.ImageTasksInput{RegionID: region, ImageTasksParams: api.ImageTasksParams{PageSize: ptr(101)}})
	check("task page size", "pageSize", "above the maximum 100", err)
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestEveryDocumentedErrorIsTyped serves each error example of each call in
// openapi.yaml and checks the client types it: an *APIError naming the operation,
// matched by the sentinel generated for its status.
func TestEveryDocumentedErrorIsTyped(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	sentinels := map[string]*client.StatusError{}
	for _, s := range client.ErrorStatuses() {
		sentinels[s.Status] = s
	}
	calls := map[string]writeCall{}
	for _, wc := range every17() {
		calls[wc.id] = wc
	}
	served := 0
	for path, item := range v.Document().Paths.Map() {
		for method, op := range item.Operations() {
			wc, ok := calls[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) has no call in every17", method, path, op.OperationID)
				continue
			}
			for code, ref := range op.Responses.Map() {
				if code == "200" || code == "default" || ref.Value == nil {
					continue
				}
				mt := ref.Value.Content.Get("application/json")
				if mt == nil {
					continue
				}
				for name, ex := range mt.Examples {
					body, _ := json.Marshal(ex.Value.Value)
					var env struct {
						Error struct {
							Code   int    `json:"code"`
							Status string `json:"status"`
						} `json:"error"`
					}
					if err := json.Unmarshal(body, &env); err != nil || env.Error.Status == "" {
						t.Errorf("%s %s %s: not an error envelope: %s", op.OperationID, code, name, body)
						continue
					}
					sentinel := sentinels[env.Error.Status]
					if sentinel == nil {
						t.Errorf("%s %s %s: no sentinel for status %s", op.OperationID, code, name, env.Error.Status)
						continue
					}
					s := newWServer(t, respond(env.Error.Code, string(body)))
					tc := newWClient(t, s)
					_, err := wc.do(context.Background(), tc.Client)
					served++
					var ae *client.APIError
					if !errors.As(err, &ae) || ae.Status != env.Error.Status || !errors.Is(err, sentinel) ||
						!strings.HasPrefix(err.Error(), "vmimage: "+strings.ToLower(wc.name[:1])) || ae.Op.Name != wc.name {
						t.Errorf("%s %s %s: got %v", op.OperationID, code, name, err)
					}
					for _, other := range client.ErrorStatuses() {
						if other != sentinel && errors.Is(err, other) && !(other == client.ErrNotFound && ae != nil && ae.StatusCode == 404) {
							t.Errorf("%s %s %s: %v also matches %s", op.OperationID, code, name, err, other.Status)
						}
					}
					tc.assertValid(t)
				}
			}
		}
	}
	if served < 50 {
		t.Errorf("only %d error examples served", served)
	}
}

// TestResponseBodyIsTheEnvelopeAsReceived: a successful call's Response carries the
// service's whole envelope byte for byte (what `vmimage -o raw` prints); a failed
// call's carries none.
func TestResponseBodyIsTheEnvelopeAsReceived(t *testing.T) {
	const envelope = `{"requestId":"r1",  "result":{"image":{"imageId":"img-m5s0ab1c29","extra":[1, 2]}}}`
	s := newWServer(t, respond(200, envelope), apiErr(404, "NOT_FOUND", "Image 'img-m5s0ab1c29' not found"))
	tc := newWClient(t, s)
	_, resp, err := tc.DescribeImage(context.Background(), region, image)
	if err != nil || string(resp.Body) != envelope {
		t.Fatalf("got %v, body %q", err, resp.Body)
	}
	_, resp, err = tc.DescribeImage(context.Background(), region, image)
	if err == nil || resp.Body != nil {
		t.Errorf("a failed call: got %v, body %q", err, resp.Body)
	}
}

// TestSuccessObserverSeesEachEnvelope: the observer gets each successful call's
// envelope as received, in call order, and nothing for a failed call; nil is refused.
func TestSuccessObserverSeesEachEnvelope(t *testing.T) {
	const one, two = `{"requestId":"r1","result":{"image":{"imageId":"img-m5s0ab1c29"}}}`, `{"requestId":"r2" ,"result":{"image":{"imageId":"img-m5s0ab1c29"}}}`
	s := newWServer(t, respond(200, one), apiErr(404, "NOT_FOUND", "Image 'img-m5s0ab1c29' not found"), respond(200, two))
	var seen []string
	tc := newWClient(t, s, client.WithSuccessObserver(func(op client.Operation, resp *client.Response) {
		seen = append(seen, op.Name+" "+string(resp.Body))
	}))
	for range 3 {
		tc.DescribeImage(context.Background(), region, image)
	}
	if want := []string{"DescribeImage " + one, "DescribeImage " + two}; !slices.Equal(seen, want) {
		t.Errorf("seen %q, want %q", seen, want)
	}
	if _, err := client.New(client.WithSuccessObserver(nil)); err == nil || !strings.Contains(err.Error(), "WithSuccessObserver") {
		t.Errorf("nil observer: %v", err)
	}
}
