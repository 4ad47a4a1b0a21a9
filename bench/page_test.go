package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// docsImage is the docs' example image, as one element of a page.
var docsImage = strings.TrimSuffix(strings.TrimPrefix(docsBody, `{"requestId":"0d1531eb5016b64d801a9e24bac779e8","result":{"image":`), `}}`)

// pageBody is a DescribeImages page of n docs images numbered from first, out of total.
func pageBody(first, n, total int) string {
	images := make([]string, n)
	for i := range images {
		images[i] = strings.Replace(docsImage, `"img-m5s0****29"`, fmt.Sprintf(`"img-bench%05d"`, first+i), 1)
	}
	return `{"requestId":"0d1531eb5016b64d801a9e24bac779e8","result":{"totalCount":` + strconv.Itoa(total) + `,"images":[` + strings.Join(images, ",") + `]}}`
}

// containerPointers counts the fields of t, and of the structs it holds, that are
// pointers to a slice or a map: what the generated types have until the issue on the
// types users touch removes them, and what the page budget depends on.
func containerPointers(t reflect.Type) int {
	seen := map[reflect.Type]bool{}
	var count func(reflect.Type) int
	count = func(t reflect.Type) int {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return 0
		}
		seen[t] = true
		n := 0
		for f := range t.Fields() {
			if f.Type.Kind() == reflect.Pointer && (f.Type.Elem().Kind() == reflect.Slice || f.Type.Elem().Kind() == reflect.Map) {
				n++
			}
			n += count(f.Type)
		}
		return n
	}
	return count(t)
}

// page100 is a full page of 100 images.
var page100 = pageBody(0, 100, 1000)

// BenchmarkPage measures a 100-image DescribeImages page: its decode by the client
// (decode), encoding/json into the generated envelope (floor), the two alternated
// (paired: the budget's ratio, which load changes on a shared machine hit alike), and
// the whole call on loopback (describe-images).
func BenchmarkPage(b *testing.B) {
	body := []byte(page100)
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := client.DecodeResponse[api.DescribeImagesResult](200, jsonHeader, body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(body)), "body-bytes")
	})
	b.Run("floor", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var out api.DescribeImagesOutput
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("paired", func(b *testing.B) {
		var clientNs, floorNs time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, _, err := client.DecodeResponse[api.DescribeImagesResult](200, jsonHeader, body); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var out api.DescribeImagesOutput
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
			clientNs += t1.Sub(t0)
			floorNs += time.Since(t1)
		}
		b.ReportMetric(float64(clientNs)/float64(b.N), "client-ns/op")
		b.ReportMetric(float64(floorNs)/float64(b.N), "floor-ns/op")
		b.ReportMetric(float64(clientNs)/float64(floorNs), "client/floor")
		// Which page budget applies depends on the generated types (bench/summary).
		b.ReportMetric(float64(containerPointers(reflect.TypeFor[api.Image]())), "container-ptrs")
	})
	b.Run("describe-images", func(b *testing.B) {
		l := newLoopbackWith(b, page100)
		c := newClient(b, l.URL)
		f := client.ImageFilter{Source: api.ImageSourcePublic}
		b.ReportAllocs()
		for b.Loop() {
			page, _, err := c.DescribeImages(context.Background(), region, f, client.Page{Size: client.MaxPageSize})
			if err != nil || len(page.Images) != 100 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIterate walks 1,000 images with AllImages: ten pages of 100 from a
// loopback server that pages by pageNumber.
func BenchmarkIterate(b *testing.B) {
	srv := newPagesServer(b, 0)
	c := newClient(b, srv.URL)
	f := client.ImageFilter{Source: api.ImageSourcePublic}
	b.ReportAllocs()
	for b.Loop() {
		if n := allImages(b, c, f); n != pagedTotal {
			b.Fatalf("%d images", n)
		}
	}
	b.ReportMetric(float64(pagedTotal), "images/op")
}

// pagedTotal is the number of images newPagesServer lists.
const pagedTotal = 1000

// newPagesServer serves pagedTotal images, pages of 100 by pageNumber, each answer
// after latency (as a distant service would; the wait ends with the request).
func newPagesServer(tb testing.TB, latency time.Duration) *httptest.Server {
	pages := make([][]byte, pagedTotal/100)
	for i := range pages {
		pages[i] = []byte(pageBody(i*100, 100, pagedTotal))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("pageNumber"))
		body := []byte(`{"requestId":"r","result":{"totalCount":1000,"images":[]}}`)
		if n >= 1 && n <= len(pages) {
			body = pages[n-1]
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// allImages walks every image with AllImages and returns how many it saw.
func allImages(tb testing.TB, c *client.Client, f client.ImageFilter) int {
	n := 0
	for _, err := range c.AllImages(context.Background(), region, f) {
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	return n
}
