package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// vmimage fake --log says which signature algorithm each request used.
func TestFakeLogNamesTheSignatureAlgorithm(t *testing.T) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	url, stop := startFakeCommand(t, out, errOut, "--log")
	for _, alg := range signer.Algorithms() {
		c, err := client.New(client.WithEndpoint(url), client.WithCredentials(fake.DefaultCredentials()), client.WithSignatureAlgorithm(alg),
			client.WithRetryPolicy(client.NoRetries()))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
	stop()
	for _, alg := range signer.Algorithms() {
		if !regexp.MustCompile(`fake: \S+ GET /v1/regions/cn-north-1/images/img-centos82pub -> 200 \[` + string(alg) + `\]`).MatchString(errOut.String()) {
			t.Errorf("no line for %s; stderr:\n%s", alg, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "JDCLOUD3-HMAC-SHA256") {
		t.Errorf("the banner does not say JDCLOUD3 is accepted: %s", out.String())
	}
}
