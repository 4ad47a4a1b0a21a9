package client

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client/api"
)

// TestEncodeBodyLeavesTheCallerAlone: path copies set by the caller are left out of
// the body and a token goes in, both on a copy (the caller's struct is as it was);
// with neither, the caller's struct is encoded as it is.
func TestEncodeBodyLeavesTheCallerAlone(t *testing.T) {
	op := Operation{Name: "Test"}
	create := &api.CreateImageInput{Name: "img1", RegionId: ptr("cn-north-1"), InstanceId: ptr("i-a1"), Description: ptr("d")}
	before := *create
	body, token, err := encodeBody(op, opCreateImage, create)
	if err != nil || token != "" {
		t.Fatalf("CreateImage: %s, %q, %v", body, token, err)
	}
	if string(body) != `{"description":"d","name":"img1"}` {
		t.Errorf("CreateImage body %s", body)
	}
	if create.RegionId != before.RegionId || *create.RegionId != "cn-north-1" || create.InstanceId != before.InstanceId || *create.InstanceId != "i-a1" {
		t.Errorf("the caller's path copies were changed: %+v", create)
	}
	create.RegionId, create.InstanceId = nil, nil
	if body2, _, err := encodeBody(op, opCreateImage, create); err != nil || string(body2) != string(body) {
		t.Errorf("without path copies: %s, %v", body2, err)
	}

	imp := &api.ImportImageInput{Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatRaw,
		SystemDiskSizeGB: 50, ImageUrl: "https://x.example/a.raw", ImageName: "imported"}
	for _, given := range []string{"", "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6b"} {
		imp.ClientToken = nil
		if given != "" {
			imp.ClientToken = &given
		}
		keep := imp.ClientToken
		body, token, err := encodeBody(op, opImportImage, imp)
		var sent struct {
			ClientToken string `json:"clientToken"`
		}
		if err != nil || json.Unmarshal(body, &sent) != nil || sent.ClientToken == "" || sent.ClientToken != token || given != "" && token != given {
			t.Errorf("token %q: body %s, token %q, %v", given, body, token, err)
		}
		if imp.ClientToken != keep || given != "" && *imp.ClientToken != given {
			t.Errorf("token %q: the caller's token was changed to %v", given, imp.ClientToken)
		}
	}
}

// TestNullableEnumIsNotTheStringNil: a nullable enum's null is no value a string may
// take (the generator wrote it as "<nil>", which was then accepted and listed).
func TestNullableEnumIsNotTheStringNil(t *testing.T) {
	op := Operation{Name: "CreateImage"}
	in := &api.CreateImageInput{Name: "img1", DataDisks: []api.InstanceDiskAttachmentSpec{{DeviceName: ptr("vdb"), DiskCategory: ptr(api.DiskCategory("<nil>"))}}}
	_, _, err := encodeBody(op, opCreateImage, in)
	var ip *InvalidParameterError
	if !errors.As(err, &ip) || ip.Param != "dataDisks[0].diskCategory" || strings.Contains(ip.Reason, "<nil>,") || strings.Contains(ip.Reason, ", <nil>") {
		t.Errorf(`diskCategory "<nil>": got %v`, err)
	}
	in.DataDisks[0].DiskCategory = ptr(api.DiskCategory("cloud"))
	if _, _, err := encodeBody(op, opCreateImage, in); err != nil {
		t.Errorf("diskCategory cloud: %v", err)
	}
	if err := checkBody(op, schemaCreateImageInput, []byte(`{"name":"img1","dataDisks":[{"deviceName":"vdb","diskCategory":null}]}`)); err != nil {
		t.Errorf("diskCategory null: %v", err)
	}
}

// TestCutTemplate: a template is cut at its parameters once, the colon escaped in the
// sent form; a '{' never closed is text, not an endless loop.
func TestCutTemplate(t *testing.T) {
	for tmpl, want := range map[string]string{
		"/regions/{regionId}/images/{imageId}:share": "/v1/regions/|/images/|:share",
		"/regions/{regionId}/images":                 "/v1/regions/|/images",
		"/a/{b":                                      "/v1/a/{b",
		"/a/{b}/{c":                                  "/v1/a/|/{c",
	} {
		pt := cutTemplate(tmpl)
		if got := strings.Join(pt.plain, "|"); got != want {
			t.Errorf("cutTemplate(%q) = %q, want %q", tmpl, got, want)
		}
		if got := strings.Join(pt.escaped, "|"); got != strings.ReplaceAll(want, ":", "%3A") {
			t.Errorf("cutTemplate(%q) escaped = %q", tmpl, got)
		}
	}
	path, raw := expandPath(opShareImage, []string{"cn-north-1", "img-a b"})
	if path != "/v1/regions/cn-north-1/images/img-a b:share" || raw != "/v1/regions/cn-north-1/images/img-a%20b%3Ashare" {
		t.Errorf("expandPath = %q, %q", path, raw)
	}
}
