package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestClientDoesNotImportKinOpenapi keeps validation opt-in: the production client
// package (and everything it imports) must not depend on kin-openapi.
func TestClientDoesNotImportKinOpenapi(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/vmimage/vmimage/client").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/vmimage/vmimage/client/api") {
		t.Fatalf("go list -deps gave an unexpected answer:\n%s", deps)
	}
	for _, banned := range []string{"github.com/getkin/kin-openapi", "github.com/vmimage/vmimage/validate"} {
		if strings.Contains(deps, banned) {
			t.Errorf("the client package depends on %s", banned)
		}
	}
}
