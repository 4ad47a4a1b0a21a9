package fake

import (
	"net/http"
	"slices"
	"strings"
)

// writeRoute is one of the operations the fake routes itself (the generated server
// serves the reads): the write calls, whose custom methods put a colon inside a path
// segment (`{imageId}:share`), which net/http's ServeMux cannot register, and the
// DELETE and ImageTasks beside them.
type writeRoute struct {
	op, method string
	segs       []string // the path template after /v1, split at "/"
}

func route(op, method, path string) writeRoute {
	return writeRoute{op: op, method: method, segs: strings.Split(strings.TrimPrefix(path, "/"), "/")}
}

// writeRoutes are openapi.yaml's paths of the 12 write calls (a test keeps them equal).
var writeRoutes = []writeRoute{
	route("copyImages", http.MethodPost, "/regions/{regionId}/images:copyImages"),
	route("createImage", http.MethodPost, "/regions/{regionId}/instances/{instanceId}:createImage"),
	route("createImageFromSnapshots", http.MethodPost, "/regions/{regionId}/images:createImageFromSnapshots"),
	route("importImage", http.MethodPost, "/regions/{regionId}/images:import"),
	route("imageTasks", http.MethodGet, "/regions/{regionId}/imageTasks"),
	route("deleteImage", http.MethodDelete, "/regions/{regionId}/images/{imageId}"),
	route("exportImage", http.MethodPost, "/regions/{regionId}/images/{imageId}:exportImage"),
	route("modifyImageAttribute", http.MethodPost, "/regions/{regionId}/images/{imageId}:modifyImageAttribute"),
	route("releaseImage", http.MethodPost, "/regions/{regionId}/images/{imageId}:release"),
	route("unReleaseImage", http.MethodPost, "/regions/{regionId}/images/{imageId}:unrelease"),
	route("shareImage", http.MethodPost, "/regions/{regionId}/images/{imageId}:share"),
	route("unShareImage", http.MethodPost, "/regions/{regionId}/images/{imageId}:unshare"),
}

// readOps names the operation of each pattern the generated server registers.
var readOps = map[string]string{
	"GET /v1/regions/{regionId}/images":                       "describeImages",
	"GET /v1/regions/{regionId}/images/{imageId}":             "describeImage",
	"GET /v1/regions/{regionId}/images/{imageId}/constraints": "describeImageConstraints",
	"GET /v1/regions/{regionId}/imageConstraints":             "describeImageConstraintsBatch",
	"GET /v1/regions/{regionId}/images/{imageId}/members":     "describeImageMembers",
}

// match matches an unescaped request path (the colon raw or sent as %3A reads the
// same here) against the route's template, returning the path parameters.
func (rt writeRoute) match(path string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok || strings.Count(rest, "/")+1 != len(rt.segs) {
		return nil, false
	}
	params := make(map[string]string, 2)
	for _, tmpl := range rt.segs {
		seg, tail, _ := strings.Cut(rest, "/")
		rest = tail
		if !strings.HasPrefix(tmpl, "{") {
			if seg != tmpl {
				return nil, false
			}
			continue
		}
		name, suffix, _ := strings.Cut(tmpl[1:], "}") // "{imageId}:share" -> imageId, :share
		value, ok := strings.CutSuffix(seg, suffix)
		if !ok || value == "" || strings.Contains(value, ":") {
			return nil, false
		}
		params[name] = value
	}
	return params, true
}

// findWrite returns the write route of method and path, and the methods the path
// takes among the write routes.
func findWrite(method, path string) (*writeRoute, map[string]string, []string) {
	var methods []string
	for i := range writeRoutes {
		rt := &writeRoutes[i]
		params, ok := rt.match(path)
		if !ok {
			continue
		}
		if rt.method == method {
			return rt, params, nil
		}
		methods = append(methods, rt.method)
	}
	return nil, nil, methods
}

// operationOf names the operation a request is for, "" when none.
func (s *Service) operationOf(r *http.Request) string {
	if rt, _, _ := findWrite(r.Method, r.URL.Path); rt != nil {
		return rt.op
	}
	if _, pattern := s.mux.Handler(r); pattern != "" {
		return readOps[pattern]
	}
	return ""
}

// allowed returns the methods r's path takes when r's method is not one of them
// ("" when it is, or when the path is no operation's).
func (s *Service) allowed(r *http.Request) string {
	_, _, methods := findWrite(r.Method, r.URL.Path)
	if rt, _, _ := findWrite(r.Method, r.URL.Path); rt != nil {
		return ""
	}
	probe := &http.Request{Method: http.MethodGet, URL: r.URL, Host: r.Host}
	if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return ""
		}
		methods = append(methods, http.MethodGet)
	}
	slices.Sort(methods)
	return strings.Join(slices.Compact(methods), ", ")
}
