//go:build tools

// Package gotools pins the Go tools that check openapi.yaml as a shared artifact,
// kept in a module of their own so that their dependencies never reach the vmimage
// module's users: oasdiff (breaking-change gate). libopenapi's validator is used by
// the test in this package.
package gotools

import (
	_ "github.com/oasdiff/oasdiff"
)
