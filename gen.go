// Package vmimage holds the OpenAPI 3.0.3 document of JD Cloud's Virtual Machines
// image API (the reads DescribeImage, DescribeImages, DescribeImageConstraints,
// DescribeImageConstraintsBatch, DescribeImageMembers and ImageTasks, and the write
// calls from CopyImages to UnShareImage), the single source of truth from which the
// client, the fake service and the validators are built.
//
// The document is embedded: any package, test or downstream module gets the exact
// bytes of openapi.yaml from [Spec], for example to run its own code generator on it.
package vmimage

import _ "embed"

// Spec is the OpenAPI 3.0.3 document (openapi.yaml), byte for byte.
//
//go:embed openapi.yaml
var Spec []byte

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config client/api/oapi-codegen.yaml openapi.yaml
//go:generate go run ./internal/cmd/getters -in client/api/api.gen.go -out client/api/getters.gen.go
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config internal/apiclient/oapi-codegen.yaml openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config fake/internal/server/oapi-codegen.yaml openapi.yaml
//go:generate go run ./internal/cmd/opsgen -spec openapi.yaml -out client/ops.gen.go -arrays-out internal/apiclient/arrays.gen.go -arrays-package apiclient
