//go:build tools

// Package vmimage pins the code generator used by go generate. This file is
// never compiled into the module; it only records the dependency in go.mod.
package vmimage

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
