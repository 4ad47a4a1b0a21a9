package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/fake"
)

// Describe an image. The fake service stands in for JD Cloud here; against the real
// service, leave out WithEndpoint and let New find credentials in the environment or
// in ~/.jdc/config.
func ExampleClient_DescribeImage() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.GetName(), img.GetStatus(), img.GetSystemDiskSizeGB(), "GB")
	// Output: CentOS 8.2 64位 ready 40 GB
}

// Tell a missing image from other failures with errors.Is, and read the service's
// error with errors.As.
func ExampleClient_DescribeImage_notFound() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = c.DescribeImage(context.Background(), "cn-north-1", "img-missing01")
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Println("not found:", apiErr.StatusCode, apiErr.Status, apiErr.Message)
	case err != nil:
		log.Fatal(err)
	}
	// Output: not found: 404 NOT_FOUND Image 'img-missing01' not found
}

// Retries follow a policy; start from the exported default.
func ExampleWithRetryPolicy() {
	policy := client.DefaultRetryPolicy()
	policy.MaxAttempts = 5
	_, err := client.New(
		client.WithCredentials(fake.DefaultCredentials()),
		client.WithRetryPolicy(policy),
	)
	fmt.Println(err)
	// Output: <nil>
}
