package client

import (
	"context"
	"iter"

	"github.com/vmimage/vmimage/client/api"
)

// AllImages returns an iterator over every image in a region that matches f, in the
// service's order. Pages of MaxPageSize images are fetched lazily, one when the
// previous one is used up; nothing is fetched until the loop starts.
//
// The iteration stops after the page that reaches the latest TotalCount, at an
// empty page, or at a page that brings no image not already yielded (so it never
// loops forever on a service that repeats a page). An image whose id was already
// yielded is skipped, so an image that moves between pages while they are read is
// yielded once. A failed page is yielded once as (zero Image, error) and ends the
// iteration; so does the context ending. Breaking out of the loop stops it at once.
//
//	for img, err := range c.AllImages(ctx, "cn-north-1", client.ImageFilter{Source: "public"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(*img.ImageId)
//	}
func (c *Client) AllImages(ctx context.Context, regionID string, f ImageFilter) iter.Seq2[api.Image, error] {
	return func(yield func(api.Image, error) bool) {
		seen := map[string]struct{}{}
		for page := 1; ; page++ {
			res, _, err := c.DescribeImages(ctx, regionID, f, Page{Number: page, Size: MaxPageSize})
			if err != nil {
				yield(api.Image{}, err)
				return
			}
			fresh := 0
			for _, img := range res.Images {
				if img.ImageId != nil {
					if _, dup := seen[*img.ImageId]; dup {
						continue
					}
					seen[*img.ImageId] = struct{}{}
				}
				fresh++
				if !yield(img, nil) {
					return
				}
			}
			if fresh == 0 || page*MaxPageSize >= res.TotalCount {
				return
			}
		}
	}
}
