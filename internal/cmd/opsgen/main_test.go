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
