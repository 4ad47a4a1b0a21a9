package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mini = `openapi: 3.0.3
paths:
  /regions/{regionId}/images/{imageId}:share:
    post:
      operationId: shareImage
      x-jdcloud-api-name: ShareImage
      x-vmimage-retry: RETRY
      parameters:
        - {name: regionId, in: path, required: true, schema: {type: string, maxLength: 64, pattern: '^[a-z]{2,}(-[a-z0-9]+)+$'}}
        - {name: imageId, in: path, required: true, schema: {type: string, maxLength: 128}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {pins: {type: array, maxItems: 20, items: {type: string, minLength: 1}}}}
      responses:
        '200':
          content:
            application/json:
              schema: {type: object, required: [requestId], properties: {requestId: {type: string}}}
components:
  parameters:
    RegionId: {name: regionId, in: path, schema: {maxLength: 64, pattern: '^[a-z]+$'}}
    ImageId: {name: imageId, in: path, schema: {maxLength: 128}}
    Ids: {name: ids, in: query, schema: {maxItems: 100}}
    PageSize: {name: pageSize, in: query, schema: {minimum: 10, maximum: 100}}
    ImageName: {name: imageName, in: query, schema: {maxLength: 256}}
    TaskPageSize: {name: pageSize, in: query, schema: {maximum: 100}}
  schemas:
    ErrorInfo:
      properties:
        status:
          x-vmimage-error-statuses:
            - {status: FAILED_PRECONDITION, code: 400, meaning: Not now.}
`

func generate(t *testing.T, spec string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "ops.gen.go")
	if err := os.WriteFile(in, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, "client"); err != nil {
		return "", err
	}
	b, err := os.ReadFile(out)
	return string(b), err
}

func TestDescriptorsComeFromTheSpec(t *testing.T) {
	src, err := generate(t, strings.Replace(mini, "RETRY", "safe", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`method: "POST", path: "/regions/{regionId}/images/{imageId}:share"`,
		`retry: retrySafe`,
		`maxItems: 20`,
		`ErrFailedPrecondition = &StatusError{Status: "FAILED_PRECONDITION", Code: 400`,
		"const RegionIDPattern = `^[a-z]+$`",
		"MaxPageSize = 100",
		"resultRequired: false",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("output lacks %s:\n%s", want, src)
		}
	}
}

func TestBadSpecsAreRefused(t *testing.T) {
	for name, spec := range map[string]string{
		"unknown retry rule":       strings.Replace(mini, "RETRY", "sometimes", 1),
		"token without its field":  strings.Replace(mini, "RETRY", "token", 1),
		"an unsupported keyword":   strings.Replace(strings.Replace(mini, "RETRY", "safe", 1), "maxItems: 20", "maxItems: 20, uniqueItems: true", 1),
		"no error statuses listed": strings.Replace(strings.Replace(mini, "RETRY", "safe", 1), "x-vmimage-error-statuses", "x-other", 1),
	} {
		if _, err := generate(t, spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestIndexedArrayTable: the table the fake and the validator decode queries with
// comes from the same reading of the spec as the descriptors, and a misplaced or
// misspelt x-jdcloud-array-encoding is refused by both.
func TestIndexedArrayTable(t *testing.T) {
	spec := strings.Replace(mini, "RETRY", "safe", 1)
	spec = strings.Replace(spec, "        - {name: imageId, in: path, required: true, schema: {type: string, maxLength: 128}}\n",
		"        - {name: imageId, in: path, required: true, schema: {type: string, maxLength: 128}}\n"+
			"        - {name: ids, in: query, x-jdcloud-array-encoding: indexed, schema: {type: array, items: {type: string}}}\n"+
			"        - {name: tags, in: query, x-jdcloud-array-encoding: indexed, deprecated: true, schema: {type: array, items: {type: string}}}\n", 1)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "arrays.gen.go")
	write := func(s string) {
		if err := os.WriteFile(in, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(spec)
	if err := runArrays(in, out, "apiclient"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"shareImage": {"ids", "tags"},`; !strings.Contains(string(b), want) {
		t.Errorf("table lacks %s:\n%s", want, b)
	}
	src, err := generate(t, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, `{name: "ids", required: false, indexed: true`) {
		t.Errorf("descriptor does not mark ids indexed:\n%s", src)
	}
	for name, bad := range map[string]string{
		"another value":    strings.Replace(spec, "in: query, x-jdcloud-array-encoding: indexed, schema", "in: query, x-jdcloud-array-encoding: comma, schema", 1),
		"not an array":     strings.Replace(spec, "x-jdcloud-array-encoding: indexed, schema: {type: array, items: {type: string}}}", "x-jdcloud-array-encoding: indexed, schema: {type: string}}", 1),
		"not in the query": strings.Replace(spec, "{name: ids, in: query", "{name: ids, in: header", 1),
	} {
		if bad == spec {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		write(bad)
		if err := runArrays(in, out, "apiclient"); err == nil {
			t.Errorf("%s: runArrays accepted it", name)
		}
		if _, err := generate(t, bad); err == nil {
			t.Errorf("%s: the descriptors accepted it", name)
		}
	}
}
