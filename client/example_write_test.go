package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/signer"
)

// Share an image with an account, then copy it to another region. A small server
// stands in for JD Cloud: it prints what it receives (the custom method's colon
// travels as %3A, the body carries only the fields set) and answers as the docs do.
func ExampleClient_ShareImage() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.RequestURI, string(body))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/regions/cn-north-1/images:copyImages":
			// The answer is lost: CopyImages has no idempotency token, so the client
			// does not send it again.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		default:
			fmt.Fprint(w, `{"requestId":"a0633f72670e59f8c6db36b1ee257011"}`)
		}
	}))
	defer srv.Close()

	c, err := client.New(client.WithEndpoint(srv.URL), client.WithCredentials(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, resp, err := c.ShareImage(ctx, &client.ShareImageInput{RegionID: "cn-north-1", ImageID: "img-m5s0ab1c29",
		ShareImageInput: api.ShareImageInput{Pins: []string{"jdcloud-user-02"}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shared:", resp.RequestID, resp.Attempts, "attempt(s)")

	// A bad value is refused before anything is sent, naming the field.
	_, _, err = c.ShareImage(ctx, &client.ShareImageInput{RegionID: "cn-north-1", ImageID: "img-m5s0ab1c29",
		ShareImageInput: api.ShareImageInput{Pins: []string{""}}})
	var bad *client.InvalidParameterError
	if errors.As(err, &bad) {
		fmt.Println("refused:", bad.Param, bad.Reason)
	}

	_, resp, err = c.CopyImages(ctx, &client.CopyImagesInput{RegionID: "cn-north-1",
		CopyImagesInput: api.CopyImagesInput{SourceImageIds: []string{"img-m5s0ab1c29"}, DestinationRegion: "cn-east-2"}})
	if errors.Is(err, client.ErrMayHaveSucceeded) {
		fmt.Println("copy: may have taken effect after", resp.Attempts, "attempt(s): check before repeating")
	}
	// Output:
	// POST /v1/regions/cn-north-1/images/img-m5s0ab1c29%3Ashare {"pins":["jdcloud-user-02"]}
	// shared: a0633f72670e59f8c6db36b1ee257011 1 attempt(s)
	// refused: pins[0] is empty
	// POST /v1/regions/cn-north-1/images%3AcopyImages {"destinationRegion":"cn-east-2","sourceImageIds":["img-m5s0ab1c29"]}
	// copy: may have taken effect after 1 attempt(s): check before repeating
}
