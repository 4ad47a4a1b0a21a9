package downstream

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"example.com/downstream/imagesapi"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// TestGeneratedClientAgainstTheFake calls vmimage's fake with the client this module
// generated from vmimage's spec, signing with vmimage's signer, and validates every
// exchange with vmimage's validator.
func TestGeneratedClientAgainstTheFake(t *testing.T) {
	srv := fake.StartTest(t)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(nil)
	s := signer.New(srv.Credentials(), "vm")
	sign := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Content-Type", "application/json")
		region := strings.Split(strings.TrimPrefix(req.URL.Path, "/v1/regions/"), "/")[0]
		return s.Sign(req, nil, region)
	}
	c, err := imagesapi.NewClientWithResponses(srv.URL+"/v1",
		imagesapi.WithHTTPClient(&http.Client{Transport: vt}),
		imagesapi.WithRequestEditorFn(sign))
	if err != nil {
		t.Fatal(err)
	}

	ok, err := c.DescribeImageWithResponse(context.Background(), "cn-north-1", fake.SeedCentOS)
	if err != nil {
		t.Fatal(err)
	}
	if ok.JSON200 == nil || *ok.JSON200.Result.Image.Name != "CentOS 8.2 64位" || *ok.JSON200.Result.Image.Status != imagesapi.ImageStatusReady {
		t.Fatalf("200: %s", ok.Body)
	}
	// The spec maps JD's "2021-01-28 16:49:05" times to vmimage's jdtime.Time (x-go-type),
	// so this module's models hold a time.Time too.
	if created := ok.JSON200.Result.Image.CreateTime; created == nil || !created.Equal(time.Date(2021, 1, 28, 8, 49, 5, 0, time.UTC)) {
		t.Fatalf("createTime: %v, want 2021-01-28 16:49:05 in China Standard Time", created)
	}

	missing, err := c.DescribeImageWithResponse(context.Background(), "cn-north-1", "img-missing01")
	if err != nil {
		t.Fatal(err)
	}
	if missing.JSON404 == nil || missing.JSON404.Error.Status != "NOT_FOUND" {
		t.Fatalf("404: %s", missing.Body)
	}

	if vt.Checked() != 2 {
		t.Fatalf("%d exchanges validated, want 2", vt.Checked())
	}
	if err := vt.Err(); err != nil {
		t.Fatal(err)
	}
}
