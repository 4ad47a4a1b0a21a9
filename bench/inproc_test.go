package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/vmimage/vmimage/client"
)

// cannedRT answers every request with the docs' example, without a network.
type cannedRT struct{ body []byte }

func (c cannedRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Jdcloud-Request-Id": {"0d1531eb5016b64d801a9e24bac779e8"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req}, nil
}

// BenchmarkInProcess is client/describe with no network at all (a RoundTripper that
// answers in memory): what the client's own code costs a call, for profiles.
func BenchmarkInProcess(b *testing.B) {
	c := newClient(b, "https://vm.jdcloud-api.com", withTransport(cannedRT{[]byte(docsBody)}))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
			b.Fatal(err)
		}
	}
}

func withTransport(rt http.RoundTripper) client.Option {
	return client.WithHTTPClient(&http.Client{Transport: rt})
}
