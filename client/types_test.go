package client_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// createTime arrives as JD's "2021-01-28 16:49:05" (China Standard Time) and is read
// as a time.Time; any other form is a malformed answer that names the field.
func TestCreateTimeIsATime(t *testing.T) {
	res, _, err := client.DecodeResponse[api.DescribeImageResult](200, jsonHeader,
		[]byte(`{"requestId":"r","result":{"image":{"imageId":"img-a1","createTime":"2021-01-28 16:49:05"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Image.GetCreateTime(); !got.Equal(time.Date(2021, 1, 28, 8, 49, 5, 0, time.UTC)) {
		t.Errorf("createTime = %v", got.Time)
	}

	_, _, err = client.DecodeResponse[api.DescribeImageResult](200, jsonHeader,
		[]byte(`{"requestId":"r","result":{"image":{"imageId":"img-a1","createTime":"2021-01-28T16:49:05Z"}}}`))
	var ue *client.UnexpectedResponseError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "createTime") {
		t.Fatalf("got %v, want an *UnexpectedResponseError naming createTime", err)
	}
}
