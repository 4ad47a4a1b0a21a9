package client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// Find the newest ready arm64 Ubuntu image. The filter and the results share one type
// per concept (api.ImageStatus, api.Architecture, api.Platform), the generated
// accessors need no nil check, and createTime is a time.Time (jdtime.Time) in China
// Standard Time, JD Cloud's zone.
func ExampleClient_AllImages_newest() {
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
		Status:       api.ImageStatusReady,
	}
	var newest api.Image
	for img, err := range c.AllImages(context.Background(), "cn-north-1", filter) {
		if err != nil {
			log.Fatal(err)
		}
		if img.GetStatus() == api.ImageStatusReady && img.GetCreateTime().After(newest.GetCreateTime().Time) {
			newest = img
		}
	}
	created := newest.GetCreateTime()
	fmt.Println(newest.GetImageId(), newest.GetArchitecture(), newest.GetSystemDiskSizeGB(), "GB")
	fmt.Println("created", created, "=", created.UTC().Format("2006-01-02 15:04 MST"))
	// Output:
	// img-catalog18 arm64 60 GB
	// created 2025-06-18 12:00:00 = 2025-06-18 04:00 UTC
}
