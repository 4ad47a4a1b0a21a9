package client_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// Walk every image that matches a filter: AllImages fetches pages of 100 (after the
// first, several at a time), yields them in order and stops at the last one.
func ExampleClient_AllImages() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}

	filter := client.ImageFilter{
		Source:       api.ImageSourcePublic,
		Platform:     api.PlatformUbuntu,
		Architecture: api.ArchitectureArm64,
	}
	for img, err := range c.AllImages(context.Background(), "cn-north-1", filter) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(img.GetImageId(), img.GetName())
	}
	// Output:
	// img-catalog06 Ubuntu 20.04 64位 (arm64) #6
	// img-catalog18 Ubuntu 20.04 64位 (arm64) #18
	// img-ubuntu2204x Ubuntu 22.04 64位 (arm64)
}

// One page of DescribeImages, and the number of all matches.
func ExampleClient_DescribeImages() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}
	page, resp, err := c.DescribeImages(context.Background(), "cn-north-1",
		client.ImageFilter{Source: api.ImageSourcePublic}, client.Page{Number: 3, Size: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Images), "images on page 3 of", page.TotalCount, "- status", resp.StatusCode, "after", resp.Attempts, "attempt")
	// Output: 10 images on page 3 of 30 - status 200 after 1 attempt
}

// Check which instance types an image runs on before launching it.
func ExampleClient_DescribeImageConstraints() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}
	ic, _, err := c.DescribeImageConstraints(context.Background(), "cn-north-1", fake.SeedUbuntu)
	if err != nil {
		log.Fatal(err)
	}
	t := ic.GetImageInstanceTypeConstraint()
	switch t.GetConstraintsType() {
	case api.ConstraintsTypeIncludes:
		fmt.Println("only on:", strings.Join(t.InstanceTypes, ", "))
	case api.ConstraintsTypeExcludes:
		fmt.Println("on anything but:", strings.Join(t.InstanceTypes, ", "))
	}
	// Output: only on: g.y1.large, g.y1.xlarge
}
