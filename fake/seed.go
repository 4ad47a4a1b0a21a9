package fake

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/client/api/jdtime"
)

// The ids of the seeded images.
const (
	SeedCentOS      = "img-centos82pub" // cn-north-1: public CentOS 8.2 (the docs' example)
	SeedUbuntu      = "img-ubuntu2204x" // cn-north-1: public Ubuntu 22.04, arm64
	SeedWindows     = "img-win2019dc01" // cn-east-2: public Windows Server 2019
	SeedPrivate     = "img-privdata001" // cn-north-1: private image with two data disks
	SeedLocalDisk   = "img-localdisk01" // cn-south-1: local-disk system disk
	SeedLegacy2019  = "img-legacy2019a" // cn-east-1: described in the 2019 vocabulary
	SeedOffline     = "img-offline0001" // cn-south-1: offline marketplace image
	SeedPending     = "img-pending0001" // cn-north-1: pending, ready SeedPendingDuration after start
	SeedUbuntuEast1 = "img-ubuntu2004e" // cn-east-1: public Ubuntu 20.04
	SeedShared      = "img-privshare01" // cn-north-1: private, shared with two accounts (DescribeImageMembers)
	SeedCommunity   = "img-community01" // cn-north-1: a community image
	SeedThirdparty  = "img-market00001" // cn-north-1: a marketplace image with an includes constraint
)

// SeedCatalogRegion holds the seeded catalog: SeedPublicInCatalogRegion public,
// online images (three full pages at page size 10), one more public image taken
// offline, and private, shared, community and marketplace images beside them.
const (
	SeedCatalogRegion         = "cn-north-1"
	SeedPublicInCatalogRegion = 30
	// seedCatalogImages are generated public images (img-catalog01 ...), one offline.
	seedCatalogImages = SeedPublicInCatalogRegion - 2 + 1
)

// SeedPendingDuration is how long the seeded pending image takes to become ready.
const SeedPendingDuration = 10 * time.Second

// seedImages are realistic images across the documented regions, in the service's
// JSON form.
var seedImages = []struct{ region, json string }{
	{"cn-north-1", `{"imageId":"img-centos82pub","name":"CentOS 8.2 64位","platform":"CentOS","osVersion":"8.2",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"public","osType":"linux","status":"ready",
		"createTime":"2021-01-28 16:49:05","sizeMB":2494,"desc":"","progress":"100","rootDeviceType":"cloudDisk",
		"snapshotId":"snapshot-h8u1ab2c36","ownerPin":"admin","launchPermission":"all","uefiSupport":false,
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":40,
		"diskType":"ssd.gp1","encrypt":false,"encrypted":false,"snapshotId":"snapshot-h8u1ab2c36"}}}`},
	{"cn-north-1", `{"imageId":"img-ubuntu2204x","name":"Ubuntu 22.04 64位 (arm64)","platform":"Ubuntu","osVersion":"22.04",
		"architecture":"arm64","systemDiskSizeGB":40,"imageSource":"public","osType":"linux","status":"ready",
		"createTime":"2023-05-10 10:00:00","sizeMB":2150,"desc":"Ubuntu Server 22.04 LTS","progress":"100",
		"rootDeviceType":"cloudDisk","snapshotId":"snapshot-ub2204arm","ownerPin":"admin","launchPermission":"all",
		"bootMode":"uefi","loginName":"root","offline":false,"imported":false,
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":40,"diskType":"ssd.gp1","encrypted":false}}}`},
	{"cn-east-2", `{"imageId":"img-win2019dc01","name":"Windows Server 2019 数据中心版 64位中文版","platform":"Windows Server",
		"osVersion":"2019 Datacenter","architecture":"x86_64","systemDiskSizeGB":50,"imageSource":"public","osType":"windows",
		"status":"ready","createTime":"2022-09-01 08:30:00","sizeMB":12288,"desc":"","progress":"100","rootDeviceType":"cloudDisk",
		"snapshotId":"snapshot-win2019dc","ownerPin":"admin","launchPermission":"all","loginName":"Administrator","bootMode":"bios",
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":50,"diskType":"ssd.gp1","encrypted":false}}}`},
	{"cn-north-1", `{"imageId":"img-privdata001","name":"app-server-2024-06","platform":"CentOS","osVersion":"7.9",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"private","osType":"linux","status":"ready",
		"createTime":"2024-06-12 09:30:00","sizeMB":5120,"desc":"Application server golden image","progress":"100",
		"rootDeviceType":"cloudDisk","snapshotId":"snapshot-sys0001","ownerPin":"jdcloud-user-01","instanceId":"i-y4b3c2d1e0",
		"launchPermission":"ownerOnly","offline":false,"imported":false,"loginName":"root",
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":40,"diskType":"ssd.gp1","encrypted":false,"snapshotId":"snapshot-sys0001"}},
		"dataDisks":[{"autoDelete":true,"deviceName":"vdb","diskCategory":"cloud","cloudDisk":{"diskSizeGB":100,"diskType":"ssd.io1","encrypted":true,"snapshotId":"snapshot-data0001"}},
		{"autoDelete":false,"deviceName":"vdc","diskCategory":"cloud","cloudDisk":{"diskSizeGB":500,"diskType":"hdd.std1","encrypted":false,"snapshotId":"snapshot-data0002"}}]}`},
	{"cn-south-1", `{"imageId":"img-localdisk01","name":"CentOS 7.9 local disk","platform":"CentOS","osVersion":"7.9",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"public","osType":"linux","status":"ready",
		"createTime":"2022-03-01 12:00:00","sizeMB":1980,"desc":"","progress":"100","rootDeviceType":"localDisk",
		"snapshotId":"","launchPermission":"all",
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"local","localDisk":{"diskType":"ssd","diskSizeGB":40}}}`},
	{"cn-east-1", `{"imageId":"img-legacy2019a","name":"Windows Server 2012 R2","platform":"Windows Server","osVersion":"2012 R2",
		"architecture":"i386","systemDiskSizeGB":40,"imageSource":"share","osType":"windows","status":"ready",
		"createTime":"2019-08-20 17:20:43","sizeMB":10240,"desc":"shared by another account","progress":"100",
		"rootDeviceType":"cloudDisk","snapshotId":"snapshot-w2k12r2",
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":40,"diskType":"premium-hdd","enable":true}}}`},
	{"cn-south-1", `{"imageId":"img-offline0001","name":"LAMP stack (retired)","platform":"Other Linux","osVersion":"1.0",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"thirdparty","osType":"linux","status":"ready",
		"createTime":"2020-02-02 02:02:02","sizeMB":3072,"desc":"Marketplace image no longer offered","progress":"100",
		"rootDeviceType":"cloudDisk","snapshotId":"snapshot-lamp0001","offline":true,"launchPermission":"all",
		"chargeInfo":{"serviceCode":"market-lamp","formula":["monthly"]},"expiredTime":""}`},
	{"cn-north-1", `{"imageId":"img-pending0001","name":"build-2026-11-30","platform":"Ubuntu","osVersion":"24.04",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"private","osType":"linux","status":"pending",
		"createTime":"2026-11-30 00:00:00","sizeMB":0,"desc":"being created from an instance","progress":"0",
		"rootDeviceType":"cloudDisk","ownerPin":"jdcloud-user-01","instanceId":"i-b1u2i3l4d5","launchPermission":"ownerOnly"}`},
	{"cn-east-1", `{"imageId":"img-ubuntu2004e","name":"Ubuntu 20.04 64位","platform":"Ubuntu","osVersion":"20.04",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"public","osType":"linux","status":"ready",
		"createTime":"2021-06-01 10:00:00","sizeMB":2010,"desc":"","progress":"100","rootDeviceType":"cloudDisk",
		"snapshotId":"snapshot-ub2004","launchPermission":"all"}`},
}

// seedExtra are the catalog region's images beyond the originals.
var seedExtra = []struct{ region, json string }{
	{"cn-north-1", `{"imageId":"img-privshare01","name":"shared-base-2025-03","platform":"Ubuntu","osVersion":"22.04",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"private","osType":"linux","status":"ready",
		"createTime":"2025-03-03 10:30:00","sizeMB":3072,"desc":"base image shared with partner accounts","progress":"100",
		"rootDeviceType":"cloudDisk","ownerPin":"jdcloud-user-01","launchPermission":"specifiedUsers","loginName":"root"}`},
	{"cn-north-1", `{"imageId":"img-community01","name":"Debian 12 community build","platform":"Other Linux","osVersion":"12",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"community","osType":"linux","status":"ready",
		"createTime":"2024-01-15 08:00:00","sizeMB":1800,"desc":"","progress":"100","rootDeviceType":"cloudDisk",
		"ownerPin":"community-user-9","launchPermission":"all"}`},
	{"cn-north-1", `{"imageId":"img-market00001","name":"GPU deep learning stack","platform":"Ubuntu","osVersion":"22.04",
		"architecture":"x86_64","systemDiskSizeGB":100,"imageSource":"thirdparty","osType":"linux","status":"ready",
		"createTime":"2024-09-09 09:09:09","sizeMB":20480,"desc":"CUDA, drivers and frameworks","progress":"100",
		"rootDeviceType":"cloudDisk","launchPermission":"all","chargeInfo":{"serviceCode":"market-dl","formula":["hourly"]}}`},
}

// seedCatalog returns the generated public images of the catalog region: a spread of
// platforms, architectures and boot modes, the last one offline.
func seedCatalog() []api.Image {
	type distro struct {
		platform api.Platform
		os       api.OsType
		versions []string
	}
	distros := []distro{
		{api.PlatformCentOS, api.OsTypeLinux, []string{"7.6", "7.9", "8.0", "8.4"}},
		{api.PlatformUbuntu, api.OsTypeLinux, []string{"18.04", "20.04", "24.04"}},
		{api.PlatformWindowsServer, api.OsTypeWindows, []string{"2016 Datacenter", "2022 Datacenter"}},
		{api.PlatformOtherLinux, api.OsTypeLinux, []string{"Anolis 8.8", "openEuler 22.03"}},
	}
	out := make([]api.Image, 0, seedCatalogImages)
	for i := 0; i < seedCatalogImages; i++ {
		d := distros[i%len(distros)]
		version := d.versions[(i/len(distros))%len(d.versions)]
		arch, bits := api.ArchitectureX8664, "64位"
		if i%3 == 2 && d.os == api.OsTypeLinux {
			arch, bits = api.ArchitectureArm64, "64位 (arm64)"
		}
		boot := api.BootModeBIOS
		if i%4 == 1 {
			boot = api.BootModeUEFI
		}
		id := fmt.Sprintf("img-catalog%02d", i+1)
		name := fmt.Sprintf("%s %s %s #%d", d.platform, version, bits, i+1)
		source, status, perm, root := api.ImageSourcePublic, api.ImageStatusReady, api.LaunchPermissionAll, api.RootDeviceTypeCloudDisk
		if i%7 == 6 {
			root = api.RootDeviceTypeLocalDisk
		}
		size, created, progress := 40+10*(i%3), jdtime.New(time.Date(2025, time.Month(1+i%12), 1+i%28, 12, 0, 0, 0, jdtime.China)), "100"
		platform, osType := d.platform, d.os
		img := api.Image{ImageId: &id, Name: &name, Platform: &platform, OsVersion: &version, Architecture: &arch,
			SystemDiskSizeGB: &size, ImageSource: &source, OsType: &osType, Status: &status, CreateTime: &created,
			Progress: &progress, RootDeviceType: &root, LaunchPermission: &perm, BootMode: &boot}
		if i == seedCatalogImages-1 {
			offline := true
			img.Offline = &offline
		}
		out = append(out, img)
	}
	return out
}

// putJSON stores an image given in the service's JSON form.
func putJSON(s *Store, region, j string) error {
	var img api.Image
	if err := json.Unmarshal([]byte(j), &img); err != nil {
		return fmt.Errorf("fake: seed: %w", err)
	}
	return s.Put(region, img)
}

// seed fills a store with the seed images, constraints and members, and starts the
// pending image's lifecycle.
func seed(s *Store) error {
	for _, img := range seedCatalog() {
		if err := s.Put(SeedCatalogRegion, img); err != nil {
			return err
		}
	}
	for _, si := range append(seedImages, seedExtra...) {
		if err := putJSON(s, si.region, si.json); err != nil {
			return err
		}
	}
	excludes, includes := api.ConstraintsTypeExcludes, api.ConstraintsTypeIncludes
	for _, c := range []struct {
		id string
		c  api.ImageInstanceTypeConstraint
	}{
		{SeedCentOS, api.ImageInstanceTypeConstraint{ConstraintsType: &excludes, InstanceTypes: []string{"g.n1.small", "c.n1.micro"}}},
		{SeedUbuntu, api.ImageInstanceTypeConstraint{ConstraintsType: &includes, InstanceTypes: []string{"g.y1.large", "g.y1.xlarge"}}},
		{SeedThirdparty, api.ImageInstanceTypeConstraint{ConstraintsType: &includes, InstanceTypes: []string{"p.n2.2xlarge", "p.n2.4xlarge"}}},
		{"img-catalog03", api.ImageInstanceTypeConstraint{ConstraintsType: &excludes, InstanceTypes: []string{"g.n2.medium"}}},
	} {
		if err := s.SetConstraint(SeedCatalogRegion, c.id, &c.c); err != nil {
			return err
		}
	}
	if err := s.SetMembers(SeedCatalogRegion, SeedShared, []string{"jdcloud-user-02", "jdcloud-user-03"}, []string{"partner-ops", "partner-dev"}); err != nil {
		return err
	}
	if err := seedWorld(s); err != nil {
		return err
	}
	return s.Transition("cn-north-1", SeedPending, api.ImageStatusReady, SeedPendingDuration)
}
