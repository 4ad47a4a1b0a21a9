package fake

import (
	"context"
	"slices"
	"strings"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake/internal/server"
)

// The service's paging defaults and bounds, as documented in openapi.yaml.
const (
	defaultPageSize = 20
	minPageSize     = 10
	maxPageSize     = 100
	maxIDs          = 100
)

// DescribeImages implements the generated StrictServerInterface: every filter of the
// spec, paged, with totalCount counting all matches.
func (h handlers) DescribeImages(ctx context.Context, req server.DescribeImagesRequestObject) (server.DescribeImagesResponseObject, error) {
	s := h.s
	if err := checkRegion(req.RegionId); err != nil {
		return nil, err
	}
	p := req.Params
	number, size := deref(p.PageNumber, 1), deref(p.PageSize, defaultPageSize)
	switch {
	case p.ImageSource == nil && p.Ids == nil:
		return nil, invalidArgument("imageSource is required unless ids are given")
	case p.ImageSource != nil && !filterSources[*p.ImageSource]:
		return nil, invalidArgument("Invalid imageSource '%s'", *p.ImageSource)
	case number < 1:
		return nil, invalidArgument("pageNumber %d is not at least 1", number)
	case size < minPageSize || size > maxPageSize:
		return nil, invalidArgument("pageSize %d is not between %d and %d", size, minPageSize, maxPageSize)
	case len(p.Ids) > maxIDs:
		return nil, invalidArgument("ids has %d elements, at most %d are allowed", len(p.Ids), maxIDs)
	case len(p.InstanceIds) > maxIDs:
		return nil, invalidArgument("instanceIds has %d elements, at most %d are allowed", len(p.InstanceIds), maxIDs)
	}
	var matches []api.Image
	for _, img := range s.store.InRegion(req.RegionId) {
		if matchesFilter(img, p) {
			matches = append(matches, img)
		}
	}
	page := []api.Image{}
	if start := (number - 1) * size; start < len(matches) {
		page = matches[start:min(start+size, len(matches))]
	}
	reqID := requestIDFrom(ctx)
	return server.DescribeImages200JSONResponse{DescribeImagesOKJSONResponse: server.DescribeImagesOKJSONResponse{
		Body:    api.DescribeImagesOutput{RequestId: reqID, Result: api.DescribeImagesResult{Images: page, TotalCount: len(matches)}},
		Headers: server.DescribeImagesOKResponseHeaders{XJdcloudRequestId: &reqID},
	}}, nil
}

// filterSources are the imageSource values a filter takes: today's vocabulary only
// (the 2019 values of api.ImageSource appear in results).
var filterSources = map[api.ImageSource]bool{api.ImageSourcePublic: true, api.ImageSourceThirdParty: true,
	api.ImageSourcePrivate: true, api.ImageSourceShared: true, api.ImageSourceCommunity: true}

// legacySources maps the 2019 imageSource vocabulary to today's.
var legacySources = map[string]string{"jcloud": "public", "marketplace": "thirdparty", "self": "private", "share": "shared"}

// sourceOf is an image's imageSource in today's vocabulary.
func sourceOf(img api.Image) string {
	source := str(img.ImageSource)
	if today, ok := legacySources[source]; ok {
		return today
	}
	return source
}

// matchesFilter applies every filter DescribeImages was given.
func matchesFilter(img api.Image, p api.DescribeImagesParams) bool {
	source := sourceOf(img)
	offline := img.Offline != nil && *img.Offline
	bootMode := str(img.BootMode)
	if bootMode == "" {
		bootMode = string(api.BootModeBIOS)
	}
	switch {
	case p.Ids != nil && !slices.Contains(p.Ids, str(img.ImageId)):
	case p.ImageSource != nil && string(*p.ImageSource) != source:
	// Offline images are listed only when asked for, and only public and thirdparty
	// ones are filtered so; a query by ids finds them anyway.
	case p.Ids == nil && offline && !deref(p.Offline, false) && (source == "public" || source == "thirdparty"):
	case p.Platform != nil && *p.Platform != str(img.Platform):
	case p.ImageName != nil && !strings.Contains(strings.ToLower(str(img.Name)), strings.ToLower(*p.ImageName)):
	case p.RootDeviceType != nil && string(*p.RootDeviceType) != str(img.RootDeviceType):
	case p.LaunchPermission != nil && string(*p.LaunchPermission) != str(img.LaunchPermission):
	case p.Status != nil && string(*p.Status) != str(img.Status):
	case p.Architecture != nil && string(*p.Architecture) != str(img.Architecture):
	case p.BootMode != nil && string(*p.BootMode) != bootMode:
	case p.InstanceIds != nil && !slices.Contains(p.InstanceIds, str(img.InstanceId)):
	default:
		return true
	}
	return false
}

// DescribeImageConstraints implements the generated StrictServerInterface. An image
// without a stored constraint excludes nothing.
func (h handlers) DescribeImageConstraints(ctx context.Context, req server.DescribeImageConstraintsRequestObject) (server.DescribeImageConstraintsResponseObject, error) {
	s := h.s
	if _, err := s.image(req.RegionId, req.ImageId); err != nil {
		return nil, err
	}
	c, _ := s.store.Constraint(req.RegionId, req.ImageId)
	if c == nil {
		excludes := api.ConstraintsTypeExcludes
		c = &api.ImageInstanceTypeConstraint{ConstraintsType: &excludes}
	}
	if c.InstanceTypes == nil {
		c.InstanceTypes = []string{} // required: sent as [], never null
	}
	id := req.ImageId
	reqID := requestIDFrom(ctx)
	return server.DescribeImageConstraints200JSONResponse{DescribeImageConstraintsOKJSONResponse: server.DescribeImageConstraintsOKJSONResponse{
		Body:    api.DescribeImageConstraintsOutput{RequestId: reqID, Result: api.DescribeImageConstraintsResult{ImageConstraints: api.ImageConstraint{ImageId: &id, ImageInstanceTypeConstraint: c}}},
		Headers: server.DescribeImageConstraintsOKResponseHeaders{XJdcloudRequestId: &reqID},
	}}, nil
}

// DescribeImageConstraintsBatch implements the generated StrictServerInterface: the
// constraints of the public and thirdparty images named (all of them without ids)
// that have one, in the order asked.
func (h handlers) DescribeImageConstraintsBatch(ctx context.Context, req server.DescribeImageConstraintsBatchRequestObject) (server.DescribeImageConstraintsBatchResponseObject, error) {
	s := h.s
	if err := checkRegion(req.RegionId); err != nil {
		return nil, err
	}
	var ids []string
	if req.Params.Ids != nil {
		ids = req.Params.Ids
		if len(ids) > maxIDs {
			return nil, invalidArgument("ids has %d elements, at most %d are allowed", len(ids), maxIDs)
		}
		for _, id := range ids {
			if !ImageIDPattern.MatchString(id) {
				return nil, invalidArgument("Invalid imageId '%s'", id)
			}
		}
	} else {
		for _, img := range s.store.InRegion(req.RegionId) {
			ids = append(ids, str(img.ImageId))
		}
	}
	out := []api.ImageConstraint{}
	for _, id := range ids {
		img, ok := s.store.Get(req.RegionId, id)
		if source := sourceOf(img); !ok || (source != "public" && source != "thirdparty") {
			continue
		}
		if c, _ := s.store.Constraint(req.RegionId, id); c != nil {
			if c.InstanceTypes == nil {
				c.InstanceTypes = []string{} // required: sent as [], never null
			}
			out = append(out, api.ImageConstraint{ImageId: &id, ImageInstanceTypeConstraint: c})
		}
	}
	reqID := requestIDFrom(ctx)
	return server.DescribeImageConstraintsBatch200JSONResponse{DescribeImageConstraintsBatchOKJSONResponse: server.DescribeImageConstraintsBatchOKJSONResponse{
		Body:    api.DescribeImageConstraintsBatchOutput{RequestId: reqID, Result: api.DescribeImageConstraintsBatchResult{ImageConstraints: out}},
		Headers: server.DescribeImageConstraintsBatchOKResponseHeaders{XJdcloudRequestId: &reqID},
	}}, nil
}

// DescribeImageMembers implements the generated StrictServerInterface.
func (h handlers) DescribeImageMembers(ctx context.Context, req server.DescribeImageMembersRequestObject) (server.DescribeImageMembersResponseObject, error) {
	s := h.s
	if _, err := s.image(req.RegionId, req.ImageId); err != nil {
		return nil, err
	}
	m, _ := s.store.Members(req.RegionId, req.ImageId)
	if m.Pins == nil {
		m.Pins = []string{}
	}
	if m.LoginNames == nil {
		m.LoginNames = []string{}
	}
	reqID := requestIDFrom(ctx)
	return server.DescribeImageMembers200JSONResponse{DescribeImageMembersOKJSONResponse: server.DescribeImageMembersOKJSONResponse{
		Body:    api.DescribeImageMembersOutput{RequestId: reqID, Result: m},
		Headers: server.DescribeImageMembersOKResponseHeaders{XJdcloudRequestId: &reqID},
	}}, nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func str[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
