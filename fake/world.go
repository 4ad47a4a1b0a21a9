package fake

import (
	"fmt"
	"slices"

	"github.com/vmimage/vmimage/client/api"
)

// OwnPin is the account the fake's credentials belong to: the owner of the private
// images it creates and of the seeded private images. Sharing an image with it is
// refused, as sharing with yourself is.
const OwnPin = "jdcloud-user-01"

// UnknownPin is a well-formed pin of no account: ShareImage and UnShareImage answer
// "Pin 'jdcloud-nobody' not found" for it. Every other well-formed pin exists.
const UnknownPin = "jdcloud-nobody"

// FailingImportURL is an image file the fake cannot import: an ImportImage of it
// answers at once, then its task fails and its image ends in error.
const FailingImportURL = "https://test.s3-internal.cn-north-1.jdcloud-oss.com/broken.qcow2"

// regions are the regions the fake knows (CopyImages' destinationRegion must be one).
var regions = []string{"cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"}

// Instance is a virtual machine CreateImage can make an image of. Its fields decide
// which of CreateImage's documented errors it answers.
type Instance struct {
	ID string
	// Status is the instance's state: running or stopped may be imaged, any other
	// (starting, stopping, ...) is "Invalid instance status".
	Status string
	// Task is a task in progress on the instance ("resize", ...), "" for none.
	Task string
	// ImageID is the image the instance was created from.
	ImageID string
	// The operating system, copied to images made of the instance.
	Platform     api.Platform
	OsType       api.OsType
	OsVersion    string
	Architecture api.Architecture
	BootMode     api.BootMode
	// SystemDisk is nil when the instance has none ("System disk not found").
	SystemDisk *Disk
	DataDisks  []Disk
}

// Disk is one of an instance's disks.
type Disk struct {
	// DeviceName is vda for the system disk, vdb... for data disks.
	DeviceName string
	// Local marks a local disk (a local system disk gives a localDisk image; local
	// data disks are never imaged).
	Local bool
	ID    string
	// SizeGB and Type describe the disk; Encrypted makes its snapshot encrypted.
	SizeGB    int
	Type      api.DiskType
	Encrypted bool
	// Status is the disk's status: in-use may be snapshotted, any other is "Invalid
	// Disk status". Task is a task in progress on it ("snapshot", ...), "" for none.
	Status api.DiskStatus
	Task   string
	// Mounting marks a system disk that is attaching or detaching.
	Mounting bool
}

// Snapshot is a disk snapshot CreateImage and CreateImageFromSnapshots can use.
type Snapshot struct {
	ID        string
	SizeGB    int
	Encrypted bool
}

// The seeded instances and snapshots, all in cn-north-1 (SeedCatalogRegion).
const (
	SeedInstanceCloud   = "i-cloudrun0001" // running, cloud system disk and two cloud data disks
	SeedInstanceLocal   = "i-localrun0001" // running, local system disk (stop it first)
	SeedInstanceStopped = "i-stopped00001" // stopped, local system disk
	SeedInstanceBusy    = "i-busy00000001" // running, cloud system disk, a resize in progress
	SeedSnapshotSystem  = "snapshot-sys0001"
	SeedSnapshotData    = "snapshot-data0002"
	SeedSnapshotCrypt   = "snapshot-data0001" // encrypted
	// The seeded private images beside SeedPrivate, SeedPending and SeedShared.
	SeedPrivateLocal   = "img-privlocal01" // local-disk image SeedInstanceLocal was made from
	SeedPrivateWindows = "img-privwin0001" // Windows Server, not imported: cannot be exported
)

func cloudDisk(dev, id string, size int, typ api.DiskType) Disk {
	return Disk{DeviceName: dev, ID: id, SizeGB: size, Type: typ, Status: api.DiskStatusInUse}
}

var seedInstances = []Instance{
	{ID: SeedInstanceCloud, Status: "running", ImageID: SeedPrivate, Platform: api.PlatformCentOS, OsType: api.OsTypeLinux,
		OsVersion: "7.9", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
		SystemDisk: &Disk{DeviceName: "vda", ID: "vol-sys0000001", SizeGB: 40, Type: api.DiskTypeSSDGP1, Status: api.DiskStatusInUse},
		DataDisks:  []Disk{cloudDisk("vdb", "vol-data000001", 100, api.DiskTypeSSDIO1), cloudDisk("vdc", "vol-data000002", 500, api.DiskTypeHDDStd1)}},
	{ID: SeedInstanceLocal, Status: "running", ImageID: SeedPrivateLocal, Platform: api.PlatformCentOS, OsType: api.OsTypeLinux,
		OsVersion: "7.9", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
		SystemDisk: &Disk{DeviceName: "vda", Local: true, ID: "local-vda-0001", SizeGB: 40, Type: api.DiskTypeSSD, Status: api.DiskStatusInUse}},
	{ID: SeedInstanceStopped, Status: "stopped", ImageID: SeedPrivateLocal, Platform: api.PlatformCentOS, OsType: api.OsTypeLinux,
		OsVersion: "7.9", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
		SystemDisk: &Disk{DeviceName: "vda", Local: true, ID: "local-vda-0002", SizeGB: 40, Type: api.DiskTypeSSD, Status: api.DiskStatusInUse}},
	{ID: SeedInstanceBusy, Status: "running", Task: "resize", ImageID: SeedCentOS, Platform: api.PlatformCentOS, OsType: api.OsTypeLinux,
		OsVersion: "8.2", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
		SystemDisk: &Disk{DeviceName: "vda", ID: "vol-sys0000004", SizeGB: 40, Type: api.DiskTypeSSDGP1, Status: api.DiskStatusInUse}},
}

var seedSnapshots = []Snapshot{
	{ID: SeedSnapshotSystem, SizeGB: 40},
	{ID: SeedSnapshotData, SizeGB: 500},
	{ID: SeedSnapshotCrypt, SizeGB: 100, Encrypted: true},
}

var seedWriteImages = []string{
	`{"imageId":"img-privlocal01","name":"centos-local-base","platform":"CentOS","osVersion":"7.9",
		"architecture":"x86_64","systemDiskSizeGB":40,"imageSource":"private","osType":"linux","status":"ready",
		"createTime":"2024-02-02 10:00:00","sizeMB":1990,"desc":"local-disk image","progress":"100",
		"rootDeviceType":"localDisk","ownerPin":"jdcloud-user-01","launchPermission":"ownerOnly","imported":false,
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"local","localDisk":{"diskType":"ssd","diskSizeGB":40}}}`,
	`{"imageId":"img-privwin0001","name":"win2019-app","platform":"Windows Server","osVersion":"2019 Datacenter",
		"architecture":"x86_64","systemDiskSizeGB":50,"imageSource":"private","osType":"windows","status":"ready",
		"createTime":"2024-03-03 10:00:00","sizeMB":12288,"desc":"Windows application server","progress":"100",
		"rootDeviceType":"cloudDisk","snapshotId":"snapshot-win0001","ownerPin":"jdcloud-user-01","launchPermission":"ownerOnly","imported":false,
		"systemDisk":{"autoDelete":true,"deviceName":"vda","diskCategory":"cloud","cloudDisk":{"diskSizeGB":50,"diskType":"ssd.gp1","encrypted":false,"snapshotId":"snapshot-win0001"}}}`,
}

// PutInstance adds an instance to a region, or replaces the one with its ID.
func (s *Store) PutInstance(region string, in Instance) error {
	if !RegionIDPattern.MatchString(region) || !InstanceIDPattern.MatchString(in.ID) {
		return fmt.Errorf("fake: instance %q in region %q: bad id or region", in.ID, region)
	}
	s.mu.Lock()
	s.instances[key{region, in.ID}] = in.clone()
	s.mu.Unlock()
	return nil
}

// clone copies an instance: the store never shares memory with its callers.
func (in Instance) clone() Instance {
	in.DataDisks = slices.Clone(in.DataDisks)
	if in.SystemDisk != nil {
		d := *in.SystemDisk
		in.SystemDisk = &d
	}
	return in
}

// Instance returns a stored instance.
func (s *Store) Instance(region, id string) (Instance, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	in, ok := s.instances[key{region, id}]
	return in.clone(), ok
}

// PutSnapshot adds a snapshot to a region, or replaces the one with its ID.
func (s *Store) PutSnapshot(region string, sn Snapshot) error {
	if !RegionIDPattern.MatchString(region) || sn.ID == "" {
		return fmt.Errorf("fake: snapshot %q in region %q: bad id or region", sn.ID, region)
	}
	s.mu.Lock()
	s.snapshots[key{region, sn.ID}] = sn
	s.mu.Unlock()
	return nil
}

// Protect marks a stored image protected (DeleteImage refuses it) or not.
func (s *Store) Protect(region, imageID string, protected bool) error {
	return s.update(region, imageID, func(e *entry) { e.state.protected = protected })
}

func seedWorld(s *Store) error {
	for _, in := range seedInstances {
		if err := s.PutInstance(SeedCatalogRegion, in); err != nil {
			return err
		}
	}
	for _, sn := range seedSnapshots {
		if err := s.PutSnapshot(SeedCatalogRegion, sn); err != nil {
			return err
		}
	}
	for _, j := range seedWriteImages {
		if err := putJSON(s, SeedCatalogRegion, j); err != nil {
			return err
		}
	}
	return nil
}
