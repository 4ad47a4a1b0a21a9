package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

func fmtSscan(s string, p *int) (int, error) { return fmt.Sscan(s, p) }
