package fake_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// Start a fake, put an image of your own in it, and call it with the real client.
func Example() {
	srv, err := fake.Start(fake.WithoutSeed())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	id, name := "img-mytest0001", "my test image"
	if err := srv.Images().Put("cn-north-1", api.Image{ImageId: &id, Name: &name}); err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()))
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := c.DescribeImage(context.Background(), "cn-north-1", id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.GetName())
	fmt.Println(len(srv.Requests()), "request logged")
	// Output:
	// my test image
	// 1 request logged
}

// Script a fault: the next request to a path answers 503, and the client retries.
func ExampleService_Inject() {
	srv, err := fake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Inject(fake.Fault{Kind: fake.FaultStatus, Status: 503, Times: 1}); err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()),
		client.WithRetryPolicy(client.NoRetries()))
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	var apiErr *client.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode)
	_, resp, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
	fmt.Println(err, resp.StatusCode)
	// Output:
	// true 503
	// <nil> 200
}
