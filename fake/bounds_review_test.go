package fake_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/vmimage/vmimage/fake"
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
