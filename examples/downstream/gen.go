// Package downstream is an example of a repository that generates its own client from
// vmimage's openapi.yaml with oapi-codegen. The spec is reached through the module
// system (`go list -m`), never copied, so `go get -u github.com/vmimage/vmimage`
// followed by `go generate` picks up a new version of the API.
package downstream

//go:generate sh -c "go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config imagesapi/oapi-codegen.yaml \"$(go list -m -f '{{.Dir}}' github.com/vmimage/vmimage)/openapi.yaml\""
