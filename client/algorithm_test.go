package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// The client signs JDCLOUD2 unless told otherwise; WithSignatureAlgorithm switches
// it to JDCLOUD3, which the fake accepts too; an unknown algorithm is refused by New.
func TestWithSignatureAlgorithm(t *testing.T) {
	srv := fake.StartTest(t)
	for _, c := range []struct {
		name string
		opts []client.Option
		want signer.Algorithm
	}{
		{"default", nil, signer.JDCLOUD2},
		{"JDCLOUD2", []client.Option{client.WithSignatureAlgorithm(signer.JDCLOUD2)}, signer.JDCLOUD2},
		{"JDCLOUD3", []client.Option{client.WithSignatureAlgorithm(signer.JDCLOUD3)}, signer.JDCLOUD3},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv.ResetRequests()
			cl, err := client.New(append([]client.Option{client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials())}, c.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := cl.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].Algorithm != string(c.want) || reqs[0].Status != 200 {
				t.Fatalf("requests %+v, want one answered 200, signed %s", reqs, c.want)
			}
		})
	}
	for _, bad := range []signer.Algorithm{"", "JDCLOUD4-HMAC-SHA256", "jdcloud3-hmac-sha256"} {
		_, err := client.New(client.WithCredentials(srv.Credentials()), client.WithSignatureAlgorithm(bad))
		var oe *client.OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), "WithSignatureAlgorithm") || !strings.Contains(err.Error(), "unknown signature algorithm") {
			t.Errorf("algorithm %q: got %v, want an OptionError naming WithSignatureAlgorithm", bad, err)
		}
	}
}
