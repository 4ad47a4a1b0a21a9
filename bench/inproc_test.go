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

// BenchmarkInProcess is client/describe (client) and the floor's GET + encoding/json
// (floor) with no network at all (a RoundTripper that answers in memory): what each
// side's own code costs a call, for profiles.
func BenchmarkInProcess(b *testing.B) {
	rt := cannedRT{[]byte(docsBody)}
	b.Run("client", func(b *testing.B) {
		c := newClient(b, "https://vm.jdcloud-api.com", withTransport(rt))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.DescribeImage(context.Background(), region, imageID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		hc := &http.Client{Transport: rt}
		url := "https://vm.jdcloud-api.com/v1/regions/" + region + "/images/" + imageID
		b.ReportAllocs()
		for b.Loop() {
			if err := floorCall(b, hc, url); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func withTransport(rt http.RoundTripper) client.Option {
	return client.WithHTTPClient(&http.Client{Transport: rt})
}
