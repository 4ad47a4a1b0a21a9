// Package gotools holds the second, independent validation of openapi.yaml
// (libopenapi-validator; kin-openapi is the first, in the main module's tests) and pins
// oasdiff for the breaking-change gate. Run from the repository root with make
// spec-check.
package gotools
