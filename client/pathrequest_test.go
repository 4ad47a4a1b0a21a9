package client

import (
	"net/http"
	"testing"

	"github.com/vmimage/vmimage/internal/apiclient"
	"github.com/vmimage/vmimage/signer"
)

// The calls about one image build their request by hand, for speed; the spec's
// generated builders are the reference they must match, byte for byte on the wire.
func TestPathRequestsMatchTheGeneratedBuilders(t *testing.T) {
	for _, endpoint := range []string{"https://vm.jdcloud-api.com", "http://127.0.0.1:8080"} {
		c, err := New(WithEndpoint(endpoint), WithCredentials(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"img-abc12345", "img-a:b@c", "img-ü+=&;", "img-(x)*!'$,", "img-a b"} {
			for name, pair := range map[string][2]func() (*http.Request, error){
				"describeImage": {
					func() (*http.Request, error) { return c.pathRequest("regions", "cn-north-1", "images", id), nil },
					func() (*http.Request, error) { return apiclient.NewDescribeImageRequest(c.server, "cn-north-1", id) },
				},
				"describeImageConstraints": {
					func() (*http.Request, error) {
						return c.pathRequest("regions", "cn-north-1", "images", id, "constraints"), nil
					},
					func() (*http.Request, error) {
						return apiclient.NewDescribeImageConstraintsRequest(c.server, "cn-north-1", id)
					},
				},
				"describeImageMembers": {
					func() (*http.Request, error) {
						return c.pathRequest("regions", "cn-north-1", "images", id, "members"), nil
					},
					func() (*http.Request, error) {
						return apiclient.NewDescribeImageMembersRequest(c.server, "cn-north-1", id)
					},
				},
			} {
				ours, _ := c.prepare(call{build: func(string) (*http.Request, error) { return pair[0]() }})
				generated, err := c.prepare(call{build: func(string) (*http.Request, error) { return pair[1]() }})
				if err != nil {
					t.Fatal(err)
				}
				if ours.URL.String() != generated.URL.String() || ours.URL.EscapedPath() != generated.URL.EscapedPath() ||
					ours.Host != generated.Host || ours.Method != generated.Method || ours.URL.Path != generated.URL.Path {
					t.Errorf("%s %s %q:\n ours      %s (%s, host %s)\n generated %s (%s, host %s)", endpoint, name, id,
						ours.URL, ours.URL.EscapedPath(), ours.Host, generated.URL, generated.URL.EscapedPath(), generated.Host)
				}
			}
		}
	}
}
