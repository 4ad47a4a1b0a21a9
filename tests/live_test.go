//go:build live

package tests

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/signer"
)

// TestLiveContract describes a real image with real credentials and validates every
// response against the spec, a deliberate 404 included. Run with make contract-live.
func TestLiveContract(t *testing.T) {
	ak, sk := os.Getenv("JDCLOUD_ACCESS_KEY"), os.Getenv("JDCLOUD_SECRET_KEY")
	region, imageID := os.Getenv("VMIMAGE_LIVE_REGION"), os.Getenv("VMIMAGE_LIVE_IMAGE_ID")
	if ak == "" || sk == "" || region == "" || imageID == "" {
		t.Skip("live contract run skipped: set JDCLOUD_ACCESS_KEY, JDCLOUD_SECRET_KEY, VMIMAGE_LIVE_REGION and VMIMAGE_LIVE_IMAGE_ID to run it")
	}
	vt := validator(t).Transport(nil)
	opts := []client.Option{
		client.WithCredentials(signer.Credentials{AccessKey: ak, SecretKey: sk, SecurityToken: os.Getenv("JDCLOUD_SECURITY_TOKEN")}),
		client.WithHTTPClient(&http.Client{Transport: vt}),
		client.WithUserAgentSuffix("vmimage-contract-live"),
	}
	if ep := os.Getenv("VMIMAGE_LIVE_ENDPOINT"); ep != "" {
		opts = append(opts, client.WithEndpoint(ep))
	}
	c, err := client.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	img, resp, err := c.DescribeImage(ctx, region, imageID)
	if err != nil {
		t.Fatalf("describe %s in %s: %v", imageID, region, err)
	}
	if img.ImageId == nil || *img.ImageId != imageID || resp.RequestID == "" {
		t.Errorf("got image %v, request id %q", img.ImageId, resp.RequestID)
	}
	t.Logf("%s: status %v, request id %s", imageID, deref(img.Status), resp.RequestID)

	_, _, err = c.DescribeImage(ctx, region, "img-vmimagelive404")
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) {
		t.Errorf("a missing image gave %v, want a NOT_FOUND *client.APIError", err)
	}

	if vt.Checked() < 2 {
		t.Errorf("only %d exchanges validated", vt.Checked())
	}
	if err := vt.Err(); err != nil {
		t.Errorf("the live service departs from the spec:\n%v", err)
	}
}
