package tests

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vmimage/vmimage"
	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
)

// TestOneRegionRule: the client, the fake and the spec agree on what a region id is
// (the client used to accept '_', '.' and capitals the fake refused).
func TestOneRegionRule(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(vmimage.Spec)
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Components.Parameters["RegionId"]
	if p == nil || p.Value.Schema.Value.Pattern != client.RegionIDPattern || fake.RegionIDPattern.String() != client.RegionIDPattern {
		t.Fatalf("client %q, fake %q, spec %+v", client.RegionIDPattern, fake.RegionIDPattern, p)
	}
	spec := regexp.MustCompile(p.Value.Schema.Value.Pattern)
	srv := fake.StartTest(t)
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()), client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"cn-north-1", "cn_north_1", "cn.north.1", "CN-NORTH-1", "Cn-north-1", "cn", "cn-"} {
		err := client.CheckRegionID(region)
		if (err == nil) != spec.MatchString(region) {
			t.Errorf("CheckRegionID(%q) = %v, spec match %v", region, err, spec.MatchString(region))
		}
		_, _, callErr := c.DescribeImage(context.Background(), region, "img-nosuch01")
		var ip *client.InvalidParameterError
		if refused := errors.As(callErr, &ip); refused != (err != nil) {
			t.Errorf("DescribeImage in %q: %v (CheckRegionID: %v)", region, callErr, err)
		}
	}
}
