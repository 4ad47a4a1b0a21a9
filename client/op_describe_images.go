package client

import (
	"context"
	"slices"
	"strconv"

	"github.com/vmimage/vmimage/client/api"
)

// ImageFilter selects the images DescribeImages and AllImages return. Its zero value
// means "no filter"; every field set narrows the match. The service requires Source
// unless IDs are given.
type ImageFilter struct {
	// Source is where the images come from: api.ImageSourcePublic, ImageSourceThirdParty,
	// ImageSourcePrivate, ImageSourceShared or ImageSourceCommunity. (The 2019 values,
	// such as api.ImageSourceJCloud, appear in results only.)
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
// The filter and page are checked before anything is sent; an *InvalidParameterError
// names the parameter as the API spells it (imageSource, ids, pageSize, ...). Array
// parameters travel indexed (ids.1=a&ids.2=b) and the query in canonical order, so
// the signature covers exactly what is sent. Failures are typed as for DescribeImage.
func (c *Client) DescribeImages(ctx context.Context, regionID string, f ImageFilter, p Page) (*api.DescribeImagesResult, *Response, error) {
	cl, err := c.imagesCall(regionID, f, p)
	if err != nil {
		return nil, nil, err
	}
	res, resp, err := invoke(ctx, c, cl, checkTotalCount)
	if err != nil {
		return nil, resp, err
	}
	return &api.DescribeImagesResult{Images: res.Images, TotalCount: *res.TotalCount}, resp, nil
}

// pageResult is api.DescribeImagesResult with a pointer, so that a missing
// totalCount is told apart from zero: paging relies on it.
type pageResult struct {
	Images     []api.Image `json:"images"`
	TotalCount *int        `json:"totalCount"`
}

// params checks the filter and page and turns them into the generated parameters.
func (f ImageFilter) params(op Operation, p Page) (*api.DescribeImagesParams, error) {
	switch {
	case f.Source == "" && len(f.IDs) == 0:
		return nil, &InvalidParameterError{Op: op, Param: "imageSource", Reason: "is required unless ids are given"}
	case p.Number < 0:
		return nil, &InvalidParameterError{Op: op, Param: "pageNumber", Reason: strconv.Itoa(p.Number) + " is not at least 1"}
	case p.Size != 0 && (p.Size < MinPageSize || p.Size > MaxPageSize):
		return nil, &InvalidParameterError{Op: op, Param: "pageSize", Reason: strconv.Itoa(p.Size) + " is not between " + strconv.Itoa(MinPageSize) + " and " + strconv.Itoa(MaxPageSize)}
	}
	for _, err := range []error{
		checkSource(op, f.Source),
		checkEnum(op, "status", f.Status),
		checkEnum(op, "architecture", f.Architecture),
		checkEnum(op, "rootDeviceType", f.RootDeviceType),
		checkEnum(op, "launchPermission", f.LaunchPermission),
		checkEnum(op, "bootMode", f.BootMode),
		checkText(op, "imageName", f.Name),
		checkText(op, "platform", string(f.Platform)),
		checkIDList(op, "ids", f.IDs),
		checkIDList(op, "instanceIds", f.InstanceIDs),
	} {
		if err != nil {
			return nil, err
		}
	}
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
	}
	if len(f.IDs) > 0 {
		params.Ids = f.IDs
	}
	if len(f.InstanceIDs) > 0 {
		params.InstanceIds = f.InstanceIDs
	}
	if f.IncludeOffline {
		params.Offline = &f.IncludeOffline
	}
	return params, nil
}

// filterSources are the imageSource values a filter takes: today's vocabulary. The
// 2019 values of api.ImageSource (jcloud, marketplace, self, share) appear in results
// only.
var filterSources = []api.ImageSource{api.ImageSourcePublic, api.ImageSourceThirdParty, api.ImageSourcePrivate, api.ImageSourceShared, api.ImageSourceCommunity}

// checkSource refuses an imageSource a filter does not take ("" passes: no filter).
func checkSource(op Operation, v api.ImageSource) error {
	if v == "" || slices.Contains(filterSources, v) {
		return nil
	}
	return &InvalidParameterError{Op: op, Param: "imageSource", Reason: strconv.Quote(string(v)) + " is not one of the values a filter takes (public, thirdparty, private, shared, community)"}
}

// checkEnum refuses a value the spec's enum does not list ("" passes: no filter).
func checkEnum[T interface {
	~string
	Valid() bool
}](op Operation, param string, v T) error {
	if v == "" || v.Valid() {
		return nil
	}
	return &InvalidParameterError{Op: op, Param: param, Reason: strconv.Quote(string(v)) + " is not one of the values the API documents"}
}

// ptrIf returns a pointer to v, or nil for the zero value.
func ptrIf[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
