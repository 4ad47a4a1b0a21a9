package fake_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

// The image quota is per region, so the store stays bounded only if the calls that
// make an image do so in the fake's own regions: an ImportImage flood over made-up
// regions (any id of the region pattern) must not add an image per region.
func TestImagesAreMadeOnlyInTheFakesRegions(t *testing.T) {
	h := startWrites(t, fake.WithImageQuota(1_000_000))
	before := len(h.srv.Images().List())
	body := `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://bucket.example.com/system_img.raw","imageName":"flood"}`
	for i := 1; i <= 3; i++ {
		region := fmt.Sprintf("zz-made-%d", i)
		h.fails("importImage", http.MethodPost, "/v1/regions/"+region+"/images%3Aimport", body, 400, "INVALID_ARGUMENT", "Invalid region '"+region+"'")
	}
	if after := len(h.srv.Images().List()); after != before {
		t.Errorf("imports into made-up regions stored %d images", after-before)
	}
	h.ok("importImage", http.MethodPost, n1+"/images%3Aimport", body) // the fake's own region still takes one
}

// A security token is a secret: the request log (and so WithObserver and `vmimage
// fake --log`) records that one was signed, never its value.
func TestRequestLogRedactsTheSecurityToken(t *testing.T) {
	const token = "sts-token-that-is-secret"
	var seen []fake.RecordedRequest
	var mu sync.Mutex
	srv := fake.StartTest(t, fake.WithObserver(func(r fake.RecordedRequest) { mu.Lock(); seen = append(seen, r); mu.Unlock() }))
	creds := srv.Credentials()
	creds.SecurityToken = token
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/regions/cn-north-1/images/"+fake.SeedCentOS, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.New(creds, "vm").Sign(req, nil, "cn-north-1"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	logged := append(srv.Requests(), seen...)
	if len(logged) != 2 {
		t.Fatalf("%d log entries and observations, want 2", len(logged))
	}
	for _, r := range logged {
		v, signed := r.SignedHeaders["x-jdcloud-security-token"]
		if !signed || strings.Contains(fmt.Sprint(r), base64.StdEncoding.EncodeToString([]byte(token))) || strings.Contains(fmt.Sprint(r), token) {
			t.Errorf("security token logged as %q (signed: %v)", v, signed)
		}
	}
}

// An error answer quotes the request's text bounded: a 20 KB query value or path
// segment does not come back whole in the message.
func TestErrorMessagesAreBounded(t *testing.T) {
	h := startWrites(t)
	long := strings.Repeat("a", 20_000)
	for _, target := range []string{
		n1 + "/images?imageSource=" + long,
		n1 + "/images?imageSource=public&pageSize=" + long,
		n1 + "/images/img-" + long + "A",
		n1 + "/imageConstraints?ids.1=img-" + long + "A",
	} {
		a := h.do("", http.MethodGet, target, "", false)
		if a.status != 400 || len(a.errMsg()) > 1024 {
			t.Errorf("GET %.60s...: %d, message of %d bytes", target, a.status, len(a.errMsg()))
		}
	}
}
