// Package validate checks exchanges of every operation of JD Cloud's image read API
// against the embedded OpenAPI document (github.com/vmimage/vmimage.Spec) with
// kin-openapi: the request's parameters (array parameters in the indexed form the
// document's x-jdcloud-array-encoding extension names, ids.1=a&ids.2=b) and the
// response.
//
// It is opt-in: the production client never imports it. Compose it instead:
//
//	v, err := validate.Default()
//	if err != nil { ... }
//	tr := v.Transport(http.DefaultTransport)
//	c, err := client.New(client.WithHTTPClient(&http.Client{Transport: tr}))
//	...
//	if err := tr.Err(); err != nil { t.Fatal(err) } // every violation seen so far
//
// Saved response bodies, for example recorded in a CI pipeline, are checked with
// [Validator.ValidateBody], naming the operation id, without any live request.
//
// Every violation carries a location (status, content-type, header or body) and,
// for body violations, the JSON pointer of the offending value. A status code that
// the document covers only through its "default" response is reported as
// undocumented.
//
// Speed: a JSON response body is decoded by this package's own decoder (registered
// with kin-openapi, the same values) and, when its schema marks nothing writeOnly,
// visited by kin-openapi's schema validator without the per-object work that only
// writeOnly properties need; the violations are the same as with
// openapi3filter.ValidateResponse, which a test holds over thousands of bodies.
// Validating the docs' DescribeImage response costs under 3x decoding it with the
// client (BENCHMARKS.md).
package validate
