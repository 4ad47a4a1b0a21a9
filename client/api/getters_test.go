package api_test

import (
	"encoding/json"
	"testing"

	"github.com/vmimage/vmimage/client/api"
)

// The generated accessors are nil-safe at every level, so a chain never needs a
// nil check, and they return the field's value when it is there.
func TestAccessorsAreNilSafeAndChain(t *testing.T) {
	var img *api.Image
	if img.GetName() != "" || img.GetStatus() != "" || img.GetSizeMB() != 0 || img.GetOffline() || !img.GetCreateTime().IsZero() {
		t.Error("a nil image's accessors are not zero")
	}
	if img.GetSystemDisk() != nil || img.GetSystemDisk().GetCloudDisk().GetDiskSizeGB() != 0 || img.GetChargeInfo().GetServiceCode() != "" {
		t.Error("a chain through a nil image is not zero")
	}
	var ic *api.ImageConstraint
	if ic.GetImageInstanceTypeConstraint().GetInstanceTypes() != nil || len(img.GetDataDisks()) != 0 {
		t.Error("lists through nil parents are not nil")
	}
	img = &api.Image{}
	if img.GetSystemDisk().GetLocalDisk().GetDiskType() != "" {
		t.Error("a chain through absent fields is not zero")
	}

	body := `{"name":"Ubuntu 22.04","status":"ready","architecture":"arm64","sizeMB":0,"offline":true,
		"createTime":"2023-05-10 10:00:00","systemDisk":{"cloudDisk":{"diskSizeGB":40,"diskType":"ssd.gp1"}}}`
	if err := json.Unmarshal([]byte(body), img); err != nil {
		t.Fatal(err)
	}
	if img.GetName() != "Ubuntu 22.04" || img.GetStatus() != api.ImageStatusReady || img.GetArchitecture() != api.ArchitectureArm64 ||
		!img.GetOffline() || img.GetCreateTime().String() != "2023-05-10 10:00:00" {
		t.Errorf("accessors: %q %q %q %v %q", img.GetName(), img.GetStatus(), img.GetArchitecture(), img.GetOffline(), img.GetCreateTime())
	}
	if d := img.GetSystemDisk().GetCloudDisk(); d.GetDiskSizeGB() != 40 || d.GetDiskType() != api.DiskTypeSSDGP1 {
		t.Errorf("chained accessors: %d %q", d.GetDiskSizeGB(), d.GetDiskType())
	}
	// Absent and zero still differ on the field itself.
	if img.SizeMB == nil || img.SystemDiskSizeGB != nil {
		t.Error("absent and zero are told apart by the pointer")
	}
}
