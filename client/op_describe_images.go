package client

import (
	"context"

	"github.com/vmimage/vmimage/client/api"
)

// ImageFilter selects the images DescribeImages and AllImages return. Its zero value
// means "no filter"; every field set narrows the match. The service requires Source
// unless IDs are given.
type ImageFilter struct {
	// Source is where the images come from: api.ImageSourcePublic, ImageSourceThirdParty,
	// ImageSourcePrivate, ImageSourceShared or ImageSourceCommunity. (The 2019 values,
	// such as api.ImageSourceJCloud, appear in results only: the service refuses them.)
	Source api.ImageSource
	// IDs are exact image ids, at most MaxIDs. With IDs, the other filters may be left
	// empty.
	IDs []string
	// Name matches image names by substring.
	Name string
	// Platform is the operating system distribution, exact match: an api.Platform
	// constant (api.PlatformUbuntu, ...) or any other distribution name, the set being
	// open.
	Platform api.Platform
	// Status, Architecture, RootDeviceType, LaunchPermission and BootMode match
	// exactly; each takes the constants of its type, the same types the results use
	// (api.ImageStatusReady, api.ArchitectureArm64, ...).
	Status           api.ImageStatus
	Architecture     api.Architecture
	RootDeviceType   api.RootDeviceType
	LaunchPermission api.LaunchPermission
	BootMode         api.BootMode
	// InstanceIDs are the ids of the instances the images were created from, at most
	// MaxIDs.
	InstanceIDs []string
	// IncludeOffline also lists images taken offline (public and thirdparty only).
	IncludeOffline bool
}

// Page selects one page of DescribeImages: Number counts from 1, Size is from
// MinPageSize to MaxPageSize. A zero field leaves the service's default (page 1, 20
// images a page).
type Page struct {
	Number, Size int
}

// DescribeImages returns one page of the images in a region that match f, and the
// number of all matches (TotalCount). To walk every page, use AllImages.
//
// The filter and page are checked against the spec before anything is sent; an
// *InvalidParameterError names the parameter as the API spells it (imageSource, ids,
// pageSize, ...). Array parameters travel indexed (ids.1=a&ids.2=b) and the query in
// canonical order, so the signature covers exactly what is sent. Failures are typed
// as for DescribeImage.
func (c *Client) DescribeImages(ctx context.Context, regionID string, f ImageFilter, p Page) (*api.DescribeImagesResult, *Response, error) {
	return invoke[api.DescribeImagesResult](ctx, c, c.imagesCall(regionID, f, p))
}

// imagesCall is the call of one page of DescribeImages.
func (c *Client) imagesCall(regionID string, f ImageFilter, p Page) *call {
	return &call{op: opDescribeImages, region: regionID, path: []string{regionID}, params: f.params(p), check: f.check}
}

// check is the one rule the spec states only in words (the imageSource parameter's
// description): imageSource is required unless ids are given.
func (f ImageFilter) check(op Operation) error {
	if f.Source == "" && len(f.IDs) == 0 {
		return &InvalidParameterError{Op: op, Param: "imageSource", Reason: "is required unless ids are given"}
	}
	return nil
}

// params turns the filter and page into the generated parameters.
func (f ImageFilter) params(p Page) *api.DescribeImagesParams {
	params := &api.DescribeImagesParams{
		ImageSource:      ptrIf(f.Source),
		Status:           ptrIf(f.Status),
		Architecture:     ptrIf(f.Architecture),
		RootDeviceType:   ptrIf(f.RootDeviceType),
		LaunchPermission: ptrIf(f.LaunchPermission),
		BootMode:         ptrIf(f.BootMode),
		ImageName:        ptrIf(f.Name),
		Platform:         ptrIf(string(f.Platform)),
		PageNumber:       ptrIf(p.Number),
		PageSize:         ptrIf(p.Size),
		Ids:              f.IDs,
		InstanceIds:      f.InstanceIDs,
	}
	if f.IncludeOffline {
		params.Offline = &f.IncludeOffline
	}
	if p.Number < 0 {
		params.PageNumber = &p.Number
	}
	return params
}

// ptrIf returns a pointer to v, or nil for the zero value.
func ptrIf[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
