package fake_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
)

func TestDescribeImagesFiltersAndPages(t *testing.T) {
	h := start(t, nil)
	ctx := context.Background()
	public := api.ImageSourcePublic
	count := func(f client.ImageFilter) (int, []string) {
		t.Helper()
		res, _, err := h.c.DescribeImages(ctx, fake.SeedCatalogRegion, f, client.Page{Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, img := range res.Images {
			got = append(got, *img.ImageId)
		}
		if len(got) != res.TotalCount {
			t.Errorf("%+v: %d images on the only page, totalCount %d", f, len(got), res.TotalCount)
		}
		return res.TotalCount, got
	}
	for _, c := range []struct {
		name string
		f    client.ImageFilter
		want int
		has  string
	}{
		{"public", client.ImageFilter{Source: public}, fake.SeedPublicInCatalogRegion, fake.SeedCentOS},
		{"public with offline", client.ImageFilter{Source: public, IncludeOffline: true}, fake.SeedPublicInCatalogRegion + 1, "img-catalog29"},
		{"by ids, offline included", client.ImageFilter{IDs: []string{"img-catalog29", fake.SeedShared, "img-nosuch01"}}, 2, "img-catalog29"},
		{"private", client.ImageFilter{Source: api.ImageSourcePrivate}, 5, fake.SeedShared},
		{"shared with others", client.ImageFilter{Source: api.ImageSourcePrivate, LaunchPermission: api.LaunchPermissionSpecifiedUsers}, 1, fake.SeedShared},
		{"pending", client.ImageFilter{Source: api.ImageSourcePrivate, Status: api.ImageStatusPending}, 1, fake.SeedPending},
		{"thirdparty", client.ImageFilter{Source: api.ImageSourceThirdParty}, 1, fake.SeedThirdparty},
		{"community", client.ImageFilter{Source: api.ImageSourceCommunity}, 1, fake.SeedCommunity},
		{"arm64 Ubuntu", client.ImageFilter{Source: public, Platform: "Ubuntu", Architecture: api.ArchitectureArm64}, 3, fake.SeedUbuntu},
		{"name, any case", client.ImageFilter{Source: public, Name: "centos 8.2"}, 1, fake.SeedCentOS},
		{"local disk", client.ImageFilter{Source: public, RootDeviceType: api.RootDeviceTypeLocalDisk}, 4, "img-catalog07"},
		{"uefi", client.ImageFilter{Source: public, BootMode: api.BootModeUEFI}, 8, fake.SeedUbuntu},
		{"bios by default", client.ImageFilter{Source: public, BootMode: api.BootModeBIOS}, 22, fake.SeedCentOS},
		{"made from an instance", client.ImageFilter{Source: api.ImageSourcePrivate, InstanceIDs: []string{"i-y4b3c2d1e0"}}, 1, fake.SeedPrivate},
		{"nothing", client.ImageFilter{Source: public, Name: "no such name"}, 0, ""},
	} {
		n, got := count(c.f)
		if n != c.want || (c.has != "" && !slices.Contains(got, c.has)) {
			t.Errorf("%s: %d images %v, want %d with %s", c.name, n, got, c.want, c.has)
		}
	}
	// The 2019 vocabulary answers to today's: the legacy "share" image is shared.
	res, _, err := h.c.DescribeImages(ctx, "cn-east-1", client.ImageFilter{Source: api.ImageSourceShared}, client.Page{})
	if err != nil || res.TotalCount != 1 || *res.Images[0].ImageId != fake.SeedLegacy2019 {
		t.Errorf("legacy share: %+v, %v", res, err)
	}
	// Three full pages at size 10, then an empty one.
	seen := map[string]bool{}
	for n := 1; n <= 4; n++ {
		res, _, err := h.c.DescribeImages(ctx, fake.SeedCatalogRegion, client.ImageFilter{Source: public}, client.Page{Number: n, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := 10
		if n == 4 {
			want = 0
		}
		if len(res.Images) != want || res.TotalCount != fake.SeedPublicInCatalogRegion {
			t.Errorf("page %d: %d images, totalCount %d", n, len(res.Images), res.TotalCount)
		}
		for _, img := range res.Images {
			if seen[*img.ImageId] {
				t.Errorf("%s on two pages", *img.ImageId)
			}
			seen[*img.ImageId] = true
		}
	}
	// The iterator walks the same images.
	walked := 0
	for img, err := range h.c.AllImages(ctx, fake.SeedCatalogRegion, client.ImageFilter{Source: public}) {
		if err != nil {
			t.Fatal(err)
		}
		if !seen[*img.ImageId] {
			t.Errorf("iterator yielded %s, not on the pages", *img.ImageId)
		}
		walked++
	}
	if walked != fake.SeedPublicInCatalogRegion {
		t.Errorf("iterator yielded %d images", walked)
	}
	h.assertValid(t)
}

func TestConstraintsAndMembers(t *testing.T) {
	h := start(t, nil)
	ctx := context.Background()
	region := fake.SeedCatalogRegion
	for id, want := range map[string]string{
		fake.SeedCentOS:     "excludes g.n1.small,c.n1.micro",
		fake.SeedUbuntu:     "includes g.y1.large,g.y1.xlarge",
		"img-catalog05":     "excludes ", // no constraint stored: nothing excluded
		fake.SeedThirdparty: "includes p.n2.2xlarge,p.n2.4xlarge",
	} {
		ic, _, err := h.c.DescribeImageConstraints(ctx, region, id)
		if err != nil {
			t.Fatal(err)
		}
		c := ic.ImageInstanceTypeConstraint
		if got := string(*c.ConstraintsType) + " " + strings.Join(c.InstanceTypes, ","); got != want || *ic.ImageId != id {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if _, _, err := h.c.DescribeImageConstraints(ctx, region, "img-nosuch01"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown image: %v", err)
	}
	list, _, err := h.c.DescribeImageConstraintsBatch(ctx, region, []string{fake.SeedUbuntu, fake.SeedCentOS, "img-catalog05", fake.SeedPrivate, "img-nosuch01"})
	if err != nil || len(list) != 2 || *list[0].ImageId != fake.SeedUbuntu || *list[1].ImageId != fake.SeedCentOS {
		t.Errorf("batch: %+v, %v", list, err)
	}
	all, _, err := h.c.DescribeImageConstraintsBatch(ctx, region, nil)
	if err != nil || len(all) != 4 {
		t.Errorf("batch of all: %d, %v", len(all), err)
	}
	m, _, err := h.c.DescribeImageMembers(ctx, region, fake.SeedShared)
	if err != nil || strings.Join(m.Pins, ",") != "jdcloud-user-02,jdcloud-user-03" || strings.Join(m.LoginNames, ",") != "partner-ops,partner-dev" {
		t.Errorf("members: %+v, %v", m, err)
	}
	if m, _, err := h.c.DescribeImageMembers(ctx, region, fake.SeedPrivate); err != nil || len(m.Pins)+len(m.LoginNames) != 0 {
		t.Errorf("members of an unshared image: %+v, %v", m, err)
	}
	if _, _, err := h.c.DescribeImageMembers(ctx, region, "img-nosuch01"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("members of an unknown image: %v", err)
	}
	// The store's setters change what the service answers.
	if err := h.srv.Images().SetMembers(region, fake.SeedPrivate, []string{"p9"}, nil); err != nil {
		t.Fatal(err)
	}
	if m, _, _ := h.c.DescribeImageMembers(ctx, region, fake.SeedPrivate); m == nil || len(m.Pins) != 1 {
		t.Errorf("after SetMembers: %+v", m)
	}
	if err := h.srv.Images().SetConstraint(region, "img-nosuch01", nil); err == nil {
		t.Error("SetConstraint of an unknown image succeeded")
	}
	h.assertValid(t)
}

// TestArraysMustBeIndexedAndTheServiceChecksItsInput sends requests the client would
// refuse to send, signed, straight to the fake: the service's own checks answer 400.
func TestArraysMustBeIndexedAndTheServiceChecksItsInput(t *testing.T) {
	h := start(t, nil)
	s := signer.New(h.srv.Credentials(), "vm")
	for query, want := range map[string]string{
		"ids=img-centos82pub&ids=img-ubuntu2204x": "must be sent indexed",
		"ids.2=img-centos82pub":                   "ids.1 is missing",
		"pageSize=50":                             "imageSource is required",
		"imageSource=public&pageSize=5":           "pageSize 5",
		"imageSource=public&pageNumber=0":         "pageNumber 0",
		"imageSource=public&pageSize=x":           "pageSize",
		"imageSource=galaxy":                      "imageSource",
		"imageSource=jcloud":                      "Invalid imageSource 'jcloud'",
	} {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/regions/cn-north-1/images?"+query, nil)
		req.Header.Set("Content-Type", "application/json")
		if err := s.Sign(req, nil, "cn-north-1"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _, derr := client.DecodeResponse[api.DescribeImagesResult](resp.StatusCode, resp.Header, readAll(t, resp))
		var ae *client.APIError
		if !errors.As(derr, &ae) || ae.StatusCode != 400 || ae.Status != "INVALID_ARGUMENT" || !strings.Contains(ae.Message, want) {
			t.Errorf("%s: got %v, want 400 INVALID_ARGUMENT with %q", query, derr, want)
		}
	}
	// Indexed ids, in any order on the wire (as JD Cloud's Node SDK sends them), verify
	// and are read in index order.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/regions/cn-north-1/images?ids.2=img-centos82pub&pageSize=10&ids.1=img-ubuntu2204x", nil)
	req.Header.Set("Content-Type", "application/json")
	if err := s.Sign(req, nil, "cn-north-1"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := client.DecodeResponse[api.DescribeImagesResult](resp.StatusCode, resp.Header, readAll(t, resp))
	if err != nil || page.TotalCount != 2 {
		t.Errorf("indexed ids in any order: %+v, %v", page, err)
	}
}

// TestEmptyListsAreSentAsArrays: every list the fake builds travels as [] when empty,
// never omitted or null, as JD Cloud's SDK models expect (Node code reading
// result.images.length must not throw).
func TestEmptyListsAreSentAsArrays(t *testing.T) {
	srv := fake.StartTest(t)
	if err := srv.Images().SetConstraint(fake.SeedCatalogRegion, "img-catalog05", &api.ImageInstanceTypeConstraint{}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/images?imageSource=public&imageName=no%20such%20name":           `"images":[]`,
		"/images?pageNumber=9&imageSource=community":                      `"images":[]`,
		"/images/" + fake.SeedCentOS + "/members":                         `"loginNames":[],"pins":[]`,
		"/images/img-catalog02/constraints":                               `"instanceTypes":[]`,
		"/images/img-catalog05/constraints":                               `"instanceTypes":[]`,
		"/imageConstraints?ids.1=img-catalog05":                           `"instanceTypes":[]`,
		"/imageConstraints?ids.1=" + fake.SeedPrivate:                     `"imageConstraints":[]`,
		"/imageConstraints?ids.1=img-catalog01&ids.2=" + fake.SeedPending: `"imageConstraints":[]`,
	} {
		resp, body := do(t, signedRequest(t, srv, http.MethodGet, "/v1/regions/"+fake.SeedCatalogRegion+path, fake.SeedCatalogRegion))
		if resp.StatusCode != 200 || !strings.Contains(body, want) || strings.Contains(body, "null") {
			t.Errorf("%s: %d %s, want %s", path, resp.StatusCode, body, want)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b := new(strings.Builder)
	if _, err := io.Copy(b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}
