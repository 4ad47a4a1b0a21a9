// Package validate checks JD Cloud DescribeImage exchanges against the embedded
// OpenAPI document (github.com/vmimage/vmimage.Spec) with kin-openapi.
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
// [Validator.ValidateBody] without any live request.
//
// Every violation carries a location (status, content-type, header or body) and,
// for body violations, the JSON pointer of the offending value. A status code that
// the document covers only through its "default" response is reported as
// undocumented.
package validate
