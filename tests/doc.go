// Package tests holds the contract tests: the OpenAPI document is valid, responses
// the service sends pass validation and decode through the generated types, and
// responses that depart from the spec fail for the stated reason.
package tests
