//go:build tools

package downstream

import _ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
