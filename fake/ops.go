package fake

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/client/api/jdtime"
)

// The inputs with an idempotency token.
type (
	fromSnapshotsIn struct {
		api.CreateImageFromSnapshotsInput
	}
	importIn struct{ api.ImportImageInput }
	exportIn struct{ api.ExportImageInput }
)

func (i *fromSnapshotsIn) token() *string { return i.ClientToken }
func (i *importIn) token() *string        { return i.ClientToken }
func (i *exportIn) token() *string        { return i.ClientToken }

// decode reads an operation's input from the body (or the query) and returns the
// work to do with it. Path copies are checked, then cleared: the token compares
// requests without them.
func (s *Service) decode(ctx context.Context, r *http.Request, op string, params map[string]string, body []byte) (any, writeOp, error) {
	var err error
	switch op {
	case "copyImages":
		var in api.CopyImagesInput
		if err = decodeBody(body, params, true, &in); err == nil {
			in.RegionId = nil
			return in, func(ctx context.Context, region string, _ map[string]string) (any, error) {
				return s.copyImages(ctx, region, in)
			}, nil
		}
	case "createImage":
		var in api.CreateImageInput
		if err = decodeBody(body, params, true, &in); err == nil {
			in.RegionId, in.InstanceId = nil, nil
			return in, func(_ context.Context, region string, p map[string]string) (any, error) {
				return s.createImage(region, p["instanceId"], in)
			}, nil
		}
	case "createImageFromSnapshots":
		in := &fromSnapshotsIn{}
		if err = decodeBody(body, params, true, in); err == nil {
			in.RegionId = nil
			return in, func(_ context.Context, region string, _ map[string]string) (any, error) {
				return s.createFromSnapshots(region, in.CreateImageFromSnapshotsInput)
			}, nil
		}
	case "importImage":
		in := &importIn{}
		if err = decodeBody(body, params, true, in); err == nil {
			in.RegionId = nil
			return in, func(ctx context.Context, region string, _ map[string]string) (any, error) {
				return s.importImage(ctx, region, in.ImportImageInput)
			}, nil
		}
	case "exportImage":
		in := &exportIn{}
		if err = decodeBody(body, params, true, in); err == nil {
			in.RegionId, in.ImageId = nil, nil
			return in, func(_ context.Context, region string, p map[string]string) (any, error) {
				return s.exportImage(region, p["imageId"], in.ExportImageInput)
			}, nil
		}
	case "modifyImageAttribute":
		var in api.ModifyImageAttributeInput
		if err = decodeBody(body, params, true, &in); err == nil {
			return in, func(_ context.Context, region string, p map[string]string) (any, error) {
				return nil, s.modifyImage(region, p["imageId"], in)
			}, nil
		}
	case "releaseImage", "unReleaseImage":
		var in api.ImagePathCopiesInput
		if err = decodeBody(body, params, false, &in); err == nil {
			release := op == "releaseImage"
			return in, func(_ context.Context, region string, p map[string]string) (any, error) {
				return nil, s.release(region, p["imageId"], release)
			}, nil
		}
	case "shareImage", "unShareImage":
		var in api.ShareImageInput
		if err = decodeBody(body, params, true, &in); err == nil {
			share := op == "shareImage"
			return in, func(_ context.Context, region string, p map[string]string) (any, error) {
				return nil, s.share(region, p["imageId"], in.Pins, in.LoginNames, share)
			}, nil
		}
	case "deleteImage":
		deleteSnapshot, err := parseBool("deleteSnapshot", r.URL.Query().Get("deleteSnapshot"))
		if err != nil {
			return nil, nil, err
		}
		_ = deleteSnapshot // the fake keeps no snapshots of the images it deletes
		return nil, func(_ context.Context, region string, p map[string]string) (any, error) {
			return nil, s.deleteImage(region, p["imageId"])
		}, nil
	case "imageTasks":
		q := r.URL.Query()
		return nil, func(_ context.Context, region string, _ map[string]string) (any, error) {
			return s.imageTasks(region, q)
		}, nil
	default:
		return nil, nil, fmt.Errorf("fake: no handler for %s", op)
	}
	return nil, nil, err
}

// Name rules: CreateImage, CreateImageFromSnapshots and CopyImages allow '.',
// ModifyImageAttribute and ImportImage follow JD's general rule (no '.').
var (
	nameWithDot = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_.-]+$`)
	nameGeneral = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_-]+$`)
	pinPattern  = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
	ossPrefix   = regexp.MustCompile(`^[A-Za-z0-9]{0,32}$`)
	ossRegion   = regexp.MustCompile(`(?:^|\.)([a-z]{2,}-[a-z]+-[0-9]+)\.`)
)

func checkName(field, v string, min, max int, rule *regexp.Regexp) error {
	if n := utf8.RuneCountInString(v); n < min || n > max || !rule.MatchString(v) {
		return invalidArgument("Invalid %s '%s': %d to %d characters: Chinese characters, letters, digits, '_', '-'%s", field,
			clip(v, maxLoggedID), min, max, map[bool]string{true: " and '.'", false: ""}[rule == nameWithDot])
	}
	return nil
}

func checkDescription(d *string) error {
	if d != nil && utf8.RuneCountInString(*d) > 256 {
		return invalidArgument("Invalid description: at most 256 characters")
	}
	return nil
}

// checkOSSURL checks an https:// link and that its bucket is in the region.
func checkOSSURL(field, v, region string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(v) > 1024 {
		return invalidArgument("Invalid %s '%s': a https:// URL", field, clip(v, maxLoggedText))
	}
	if m := ossRegion.FindStringSubmatch(u.Hostname()); m != nil && m[1] != region {
		return conflictf("OssRegion '%s' not match current region '%s'", m[1], region)
	}
	return nil
}

// live returns the stored entry of an image not gone, nil when none. The caller
// holds s.mu.
func (s *Store) live(region, id string, now time.Time) *entry {
	e, ok := s.images[key{region, id}]
	if !ok || e.state.gone(now) {
		return nil
	}
	return e
}

func imageNotFound(id string) error { return notFoundf("Image '%s' not found", id) }

// taskConflict and busy are the checks most image calls share.
func taskConflict(e *entry, id string, now time.Time) error {
	if e.state.hasTask(now) {
		return preconditionf("Conflict with underlay image task '%s'", id)
	}
	return nil
}

// encryptedSnapshot names the first encrypted snapshot of an image's disks ("" none);
// dataOnly looks at the data disks only (a whole-machine image's).
func encryptedSnapshot(img api.Image, dataOnly bool) string {
	disks := slices.Clone(img.DataDisks)
	if img.SystemDisk != nil && !dataOnly {
		disks = append([]api.InstanceDiskAttachment{*img.SystemDisk}, disks...)
	}
	for _, d := range disks {
		if d.CloudDisk != nil && d.CloudDisk.Encrypted != nil && *d.CloudDisk.Encrypted {
			return str(d.CloudDisk.SnapshotId)
		}
	}
	return ""
}

// quota refuses n more own images in region. The caller holds s.mu.
func (s *Service) quotaFor(region string, n int) error {
	if s.store.owned[region]+n > s.quota {
		return quotaExceeded("Image")
	}
	return nil
}

// newImage stores a new own image, pending until d from now, then final. The caller
// holds s.mu.
func (s *Service) newImage(region string, img api.Image, now time.Time, fail bool) string {
	id := newImageID()
	for s.store.images[key{region, id}] != nil {
		id = newImageID()
	}
	source, perm, status, progress, created := api.ImageSourcePrivate, api.LaunchPermissionOwnerOnly, api.ImageStatusPending, "0", jdtime.New(now)
	owner := OwnPin
	img.ImageId, img.ImageSource, img.LaunchPermission, img.Status, img.Progress, img.CreateTime, img.OwnerPin =
		&id, &source, &perm, &status, &progress, &created, &owner
	final := api.ImageStatusReady
	if fail {
		final = api.ImageStatusError
	}
	e := &entry{image: img, transition: &transition{start: now, d: s.jobDuration, final: final}}
	s.store.images[key{region, id}] = e
	s.store.count(region, e, 1)
	return id
}

func (s *Service) copyImages(ctx context.Context, region string, in api.CopyImagesInput) (any, error) {
	switch {
	case len(in.SourceImageIds) == 0:
		return nil, invalidArgument("Parameter sourceImageIds missing")
	case len(in.SourceImageIds) > 10:
		return nil, outOfRangef("sourceImageIds has %d images, at most 10", len(in.SourceImageIds))
	case !slices.Contains(regions, in.DestinationRegion):
		return nil, invalidArgument("Invalid region '%s'", clip(in.DestinationRegion, maxLoggedID))
	}
	if in.Name != nil {
		if err := checkName("name", *in.Name, 1, 32, nameWithDot); err != nil {
			return nil, err
		}
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range in.SourceImageIds {
		if !ImageIDPattern.MatchString(id) {
			return nil, invalidArgument("Invalid imageId '%s'", clip(id, maxLoggedID))
		}
		if seen[id] {
			return nil, invalidArgument("sourceImageIds names '%s' twice", id)
		}
		seen[id] = true
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	var sources []*entry
	for _, id := range in.SourceImageIds {
		e := st.live(region, id, now)
		if e == nil {
			return nil, imageNotFound(id)
		}
		source := sourceOf(e.image)
		switch {
		case source != "private" && source != "shared":
			return nil, preconditionf("Can't use this image")
		case str(e.image.RootDeviceType) != string(api.RootDeviceTypeCloudDisk):
			return nil, preconditionf("Only support cloudDisk image")
		}
		if err := taskConflict(e, id, now); err != nil {
			return nil, err
		}
		switch status := statusOf(e, now); {
		case e.state.busy(now):
			return nil, preconditionf("The image '%s' is busy", id)
		case status != api.ImageStatusReady:
			return nil, preconditionf("Invalid image status '%s'", status)
		}
		if snap := encryptedSnapshot(e.image, false); snap != "" {
			return nil, preconditionf("Copy encrypted snapshot '%s' is not support.", snap)
		}
		sources = append(sources, e)
	}
	if err := s.quotaFor(in.DestinationRegion, len(sources)); err != nil {
		return nil, err
	}
	copies := make([]api.Image, len(sources))
	for i, e := range sources {
		img, err := clone(e.image)
		if err != nil {
			return nil, err
		}
		if in.Name != nil {
			img.Name = in.Name
		}
		desc := fmt.Sprintf("Copied from %s in %s", in.SourceImageIds[i], region)
		if in.Description != nil {
			desc = *in.Description
		}
		img.Desc, img.InstanceId = &desc, nil
		copies[i] = img
	}
	// The copies start now: one use of a FaultJobFails makes all of them fail.
	fail := claimJobFault(ctx)
	out := api.CopyImagesResult{CopyImages: []api.CopyImage{}}
	for i, e := range sources {
		id := s.newImage(in.DestinationRegion, copies[i], now, fail)
		e.state.busyUntil = now.Add(s.jobDuration)
		out.CopyImages = append(out.CopyImages, api.CopyImage{SourceImageId: in.SourceImageIds[i], DestinationImageId: id})
	}
	return out, nil
}

var dataDeviceName = regexp.MustCompile(`^vd[b-z][a-z]?$`)

func (s *Service) createImage(region, instanceID string, in api.CreateImageInput) (any, error) {
	if err := checkName("name", in.Name, 2, 32, nameWithDot); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if len(in.DataDisks) > 64 {
		return nil, outOfRangef("dataDisks has %d entries, at most 64", len(in.DataDisks))
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	vm, ok := st.instances[key{region, instanceID}]
	switch {
	case !ok:
		return nil, notFoundf("Instance '%s' not found.", instanceID)
	case vm.Task != "":
		return nil, preconditionf("Conflict with underlay task %s", vm.Task)
	case vm.Status != "running" && vm.Status != "stopped":
		return nil, preconditionf("Invalid instance status %s", vm.Status)
	case vm.SystemDisk == nil:
		return nil, preconditionf("System disk not found")
	case vm.SystemDisk.Mounting:
		return nil, preconditionf("Invalid system disk mount state")
	case vm.SystemDisk.Local && vm.Status != "stopped":
		return nil, preconditionf("Please stop the instance first")
	}
	// The disks packaged: every attached cloud data disk, changed by dataDisks.
	type planned struct {
		Disk
		snapshot string
	}
	disks := []planned{}
	byDevice := map[string]int{}
	for _, d := range vm.DataDisks {
		if !d.Local {
			byDevice[d.DeviceName] = len(disks)
			disks = append(disks, planned{Disk: d})
		}
	}
	named := map[string]bool{}
	for _, spec := range in.DataDisks {
		dev := str(spec.DeviceName)
		if !dataDeviceName.MatchString(dev) {
			return nil, invalidArgument("Invalid deviceName '%s': vdb to vdbm", clip(dev, maxLoggedID))
		}
		if named[dev] {
			return nil, duplicatef("Duplicate deviceName")
		}
		named[dev] = true
		i, exists := byDevice[dev]
		if spec.NoDevice != nil && *spec.NoDevice {
			if exists {
				disks[i].DeviceName = "" // left out
			}
			continue
		}
		cs := spec.CloudDiskSpec
		if cs == nil {
			cs = &api.DiskSpec{}
		}
		size, typ, snap := deref(cs.DiskSizeGB, 0), api.DiskType(str(cs.DiskType)), str(cs.SnapshotId)
		if typ != "" && typ != api.DiskTypeSSDGP1 && typ != api.DiskTypeSSDIO1 && typ != api.DiskTypeHDDStd1 {
			return nil, invalidArgument("Invalid DataDisks.CloudDiskSpec.DiskType '%s'", clip(string(typ), maxLoggedID))
		}
		var p planned
		if exists {
			p = disks[i]
			if size != 0 && size < p.SizeGB {
				return nil, outOfRangef("Device '%s' size can only be larger than the original size", dev)
			}
		} else {
			if snap == "" && typ == "" {
				return nil, invalidArgument("Parameter DataDisks.CloudDiskSpec.DiskType missing")
			}
			p = planned{Disk: Disk{DeviceName: dev, Type: typ, Status: api.DiskStatusInUse}}
			if snap != "" {
				sn, ok := st.snapshots[key{region, snap}]
				if !ok {
					return nil, notFoundf("Snapshot '%s' not found", snap)
				}
				p.snapshot, p.SizeGB, p.Encrypted = snap, sn.SizeGB, sn.Encrypted
				if size != 0 && size < sn.SizeGB {
					return nil, outOfRangef("DataDisks.CloudDiskSpec.DiskSizeGB out of range")
				}
			} else {
				p.Encrypted = deref(cs.Encrypt, false)
			}
		}
		if size != 0 {
			if size < 20 || size > 16000 || size%10 != 0 {
				return nil, outOfRangef("DataDisks.CloudDiskSpec.DiskSizeGB out of range")
			}
			p.SizeGB = size
		}
		if p.SizeGB == 0 {
			return nil, outOfRangef("DataDisks.CloudDiskSpec.DiskSizeGB out of range")
		}
		if typ != "" {
			p.Type = typ
		}
		if iops := cs.Iops; iops != nil {
			if p.Type != api.DiskTypeSSDIO1 || *iops < 200 || *iops > min(32000, p.SizeGB*50) || *iops%10 != 0 {
				return nil, outOfRangef("DataDisks.CloudDiskSpec.Iops out of range.")
			}
		}
		if exists {
			disks[i] = p
		} else {
			disks = append(disks, p)
		}
	}
	for _, d := range append([]planned{{Disk: *vm.SystemDisk}}, disks...) {
		switch {
		case d.DeviceName == "" || d.Local || d.ID == "":
		case d.Task != "":
			return nil, preconditionf("Disk '%s' busy in '%s'", d.ID, d.Task)
		case d.Status != api.DiskStatusInUse:
			return nil, preconditionf("Invalid Disk '%s' status '%s'", d.ID, d.Status)
		}
	}
	if err := s.quotaFor(region, 1); err != nil {
		return nil, err
	}
	root, size := api.RootDeviceTypeCloudDisk, vm.SystemDisk.SizeGB
	sys := attachment(Disk{DeviceName: "vda", SizeGB: size, Type: vm.SystemDisk.Type, Encrypted: vm.SystemDisk.Encrypted}, "snapshot-"+randomLower(10))
	if vm.SystemDisk.Local {
		root = api.RootDeviceTypeLocalDisk
		local := api.DiskCategory("local")
		sys = api.InstanceDiskAttachment{DeviceName: ptr("vda"), DiskCategory: &local, LocalDisk: &api.LocalDisk{DiskSizeGB: &size, DiskType: &vm.SystemDisk.Type}}
	}
	img := api.Image{Name: &in.Name, Desc: ptr(deref(in.Description, "")), Platform: &vm.Platform, OsType: &vm.OsType, OsVersion: &vm.OsVersion,
		Architecture: &vm.Architecture, BootMode: &vm.BootMode, RootDeviceType: &root, SystemDiskSizeGB: &size, InstanceId: &instanceID,
		SystemDisk: &sys, Imported: ptr(false)}
	for _, d := range disks {
		if d.DeviceName == "" || vm.SystemDisk.Local {
			continue
		}
		snap := d.snapshot
		if snap == "" {
			snap = "snapshot-" + randomLower(10)
		}
		img.DataDisks = append(img.DataDisks, attachment(d.Disk, snap))
	}
	return api.CreateImageResult{ImageId: s.newImage(region, img, now, false)}, nil
}

func ptr[T any](v T) *T { return &v }

func attachment(d Disk, snapshot string) api.InstanceDiskAttachment {
	cloud := api.DiskCategory("cloud")
	return api.InstanceDiskAttachment{DeviceName: ptr(d.DeviceName), DiskCategory: &cloud, AutoDelete: ptr(true),
		CloudDisk: &api.Disk{DiskSizeGB: ptr(d.SizeGB), DiskType: ptr(d.Type), Encrypted: ptr(d.Encrypted), SnapshotId: &snapshot}}
}

var snapshotDiskTypes = []string{"ssd.gp1", "ssd.io1", "hdd.std1", "ssd.gp2", "ssd.io2"}

func (s *Service) createFromSnapshots(region string, in api.CreateImageFromSnapshotsInput) (any, error) {
	if err := checkName("name", in.Name, 2, 32, nameWithDot); err != nil {
		return nil, err
	}
	switch {
	case !in.Platform.Valid():
		return nil, invalidArgument("Invalid platform '%s'", clip(string(in.Platform), maxLoggedID))
	case !in.Architecture.Valid() || in.Architecture == api.ArchitectureI386:
		return nil, invalidArgument("Invalid architecture '%s'", clip(string(in.Architecture), maxLoggedID))
	case !in.BootMode.Valid():
		return nil, invalidArgument("Invalid bootMode '%s'", clip(string(in.BootMode), maxLoggedID))
	case len(in.CloudDisks) > 8:
		return nil, outOfRangef("cloudDisks has %d disks, at most 8", len(in.CloudDisks))
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	hasVda, named := false, map[string]bool{}
	for _, d := range in.CloudDisks {
		dev := str(d.DeviceName)
		switch {
		case dev == "vda":
			hasVda = true
		case len(dev) != 3 || !strings.HasPrefix(dev, "vd") || dev[2] < 'b' || dev[2] > 'z':
			return nil, invalidArgument("Invalid deviceName '%s': vda, or vdb to vdz", clip(dev, maxLoggedID))
		}
		if named[dev] {
			return nil, duplicatef("Duplicate deviceName")
		}
		named[dev] = true
		if d.DiskType != nil && !slices.Contains(snapshotDiskTypes, *d.DiskType) {
			return nil, invalidArgument("Invalid diskType '%s'", clip(*d.DiskType, maxLoggedID))
		}
		if str(d.SnapshotId) == "" {
			return nil, invalidArgument("Parameter cloudDisks.snapshotId missing")
		}
	}
	if !hasVda {
		return nil, invalidArgument("cloudDisks must include the system disk 'vda'")
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	// An image's platform is one of Platform's values: the snapshot-only ones
	// (OpenEuler, Rocky Linux, Others Linux) read as Other Linux.
	platform := api.PlatformOtherLinux
	if p := api.Platform(in.Platform); p.Valid() {
		platform = p
	}
	img := api.Image{Name: &in.Name, Desc: ptr(deref(in.Description, "")), Platform: &platform,
		OsVersion: ptr(deref(in.OsVersion, "")), Architecture: &in.Architecture, BootMode: &in.BootMode,
		RootDeviceType: ptr(api.RootDeviceTypeCloudDisk), Imported: ptr(false)}
	if in.Platform == api.SnapshotImagePlatformWindowsServer {
		img.OsType = ptr(api.OsTypeWindows)
	} else {
		img.OsType = ptr(api.OsTypeLinux)
	}
	for _, d := range in.CloudDisks {
		sn, ok := st.snapshots[key{region, *d.SnapshotId}]
		if !ok {
			return nil, notFoundf("Snapshot '%s' not found", *d.SnapshotId)
		}
		size, dev := deref(d.DiskSizeGB, sn.SizeGB), *d.DeviceName
		lo, hi := 20, 32000
		if dev == "vda" {
			lo, hi = 40, 500
		}
		if size < sn.SizeGB || size < lo || size > hi {
			return nil, outOfRangef("cloudDisks '%s' diskSizeGB %d out of range", dev, size)
		}
		a := attachment(Disk{DeviceName: dev, SizeGB: size, Type: api.DiskType(deref(d.DiskType, "ssd.gp1")), Encrypted: sn.Encrypted}, sn.ID)
		if dev == "vda" {
			img.SystemDisk, img.SystemDiskSizeGB, img.SnapshotId = &a, &size, &sn.ID
		} else {
			img.DataDisks = append(img.DataDisks, a)
		}
	}
	if err := s.quotaFor(region, 1); err != nil {
		return nil, err
	}
	return api.CreateImageResult{ImageId: s.newImage(region, img, now, false)}, nil
}

func (s *Service) importImage(ctx context.Context, region string, in api.ImportImageInput) (any, error) {
	switch {
	case !slices.Contains(regions, region):
		// As CopyImages' destinationRegion: the quota is per region, and ImportImage
		// needs nothing stored, so an import in any region the pattern allows would
		// grow the store without bound.
		return nil, invalidArgument("Invalid region '%s'", clip(region, maxLoggedID))
	case !in.Architecture.Valid() || in.Architecture == api.ArchitectureI386:
		return nil, invalidArgument("Invalid architecture '%s'", clip(string(in.Architecture), maxLoggedID))
	case !in.OsType.Valid():
		return nil, invalidArgument("Invalid osType '%s'", clip(string(in.OsType), maxLoggedID))
	case !in.Platform.Valid():
		return nil, invalidArgument("Invalid platform '%s'", clip(string(in.Platform), maxLoggedID))
	case !in.DiskFormat.Valid():
		return nil, invalidArgument("Invalid diskFormat '%s'", clip(string(in.DiskFormat), maxLoggedID))
	case in.BootMode != nil && !in.BootMode.Valid():
		return nil, invalidArgument("Invalid bootMode '%s'", clip(string(*in.BootMode), maxLoggedID))
	case in.SystemDiskSizeGB%10 != 0:
		return nil, outOfRangef("SystemDiskSizeGB must be multiple of 10")
	case in.SystemDiskSizeGB < 40 || in.SystemDiskSizeGB > 500:
		return nil, outOfRangef("SystemDiskSizeGB out of range")
	case len(in.DataDisks) > 16:
		return nil, outOfRangef("dataDisks has %d disks, at most 16", len(in.DataDisks))
	}
	if err := checkName("imageName", in.ImageName, 1, 32, nameGeneral); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if err := checkOSSURL("imageUrl", in.ImageUrl, region); err != nil {
		return nil, err
	}
	for _, d := range in.DataDisks {
		if d.DataDiskSizeGB < 1 {
			return nil, outOfRangef("dataDisks.dataDiskSizeGB out of range")
		}
		if d.DiskFormat != nil && !d.DiskFormat.Valid() {
			return nil, invalidArgument("Invalid diskFormat '%s'", clip(string(*d.DiskFormat), maxLoggedID))
		}
		if err := checkOSSURL("dataDisks.imageUrl", d.ImageUrl, region); err != nil {
			return nil, err
		}
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	if err := s.quotaFor(region, 1); err != nil {
		return nil, err
	}
	// The import starts now: it claims a FaultJobFails even when its URL fails it anyway.
	fail := claimJobFault(ctx) || in.ImageUrl == FailingImportURL
	boot := deref(in.BootMode, api.BootModeBIOS)
	size := in.SystemDiskSizeGB
	sys := attachment(Disk{DeviceName: "vda", SizeGB: size, Type: api.DiskTypeSSDGP1}, "snapshot-"+randomLower(10))
	img := api.Image{Name: &in.ImageName, Desc: ptr(deref(in.Description, "")), Platform: &in.Platform, OsType: &in.OsType,
		OsVersion: ptr(deref(in.OsVersion, "")), Architecture: &in.Architecture, BootMode: &boot, SystemDiskSizeGB: &size,
		RootDeviceType: ptr(api.RootDeviceTypeCloudDisk), Imported: ptr(true), SystemDisk: &sys, SnapshotId: sys.CloudDisk.SnapshotId}
	for i, d := range in.DataDisks {
		img.DataDisks = append(img.DataDisks, attachment(Disk{DeviceName: "vd" + string(rune('b'+i)), SizeGB: d.DataDiskSizeGB, Type: api.DiskTypeSSDGP1}, "snapshot-"+randomLower(10)))
	}
	id := s.newImage(region, img, now, fail)
	t := &task{region: region, action: api.TaskActionImportImage, imageID: id, start: now, d: s.jobDuration, fail: fail,
		imageName: in.ImageName, imageURL: in.ImageUrl}
	if fail { // the image fails when its task does
		st.images[key{region, id}].transition.d = s.jobDuration * 3 / 10
	}
	st.tasks.add(t)
	return api.ImportImageResult{ImageId: id, TaskId: t.id}, nil
}

func (s *Service) exportImage(region, imageID string, in api.ExportImageInput) (any, error) {
	switch {
	case trimmed(in.RoleName) == "" || len(in.RoleName) > 64:
		return nil, invalidArgument("Invalid roleName '%s': 1 to 64 characters", clip(in.RoleName, maxLoggedID))
	case in.OssPrefix != nil && !ossPrefix.MatchString(*in.OssPrefix):
		return nil, invalidArgument("Invalid ossPrefix '%s': letters and digits, at most 32", clip(*in.OssPrefix, maxLoggedID))
	}
	if err := checkOSSURL("ossUrl", in.OssUrl, region); err != nil {
		return nil, err
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	e := st.live(region, imageID, now)
	if e == nil {
		return nil, imageNotFound(imageID)
	}
	if sourceOf(e.image) != "private" {
		return nil, preconditionf("Can't use this image")
	}
	if err := taskConflict(e, imageID, now); err != nil {
		return nil, err
	}
	switch status := statusOf(e, now); {
	case status != api.ImageStatusReady:
		return nil, preconditionf("Invalid image status '%s'", status)
	case str(e.image.RootDeviceType) != string(api.RootDeviceTypeCloudDisk):
		return nil, preconditionf("Invalid image type '%s'", str(e.image.RootDeviceType))
	case (str(e.image.OsType) == string(api.OsTypeWindows) || str(e.image.Platform) == string(api.PlatformWindowsServer)) && !deref(e.image.Imported, false):
		return nil, preconditionf("Windows image can't export")
	}
	prefix := deref(in.OssPrefix, "")
	if prefix != "" {
		prefix += "-"
	}
	objects := []string{prefix + imageID + "-vda.qcow2"}
	if deref(in.IsAllDisk, false) {
		for _, d := range e.image.DataDisks {
			objects = append(objects, prefix+imageID+"-"+str(d.DeviceName)+".qcow2")
		}
	}
	t := &task{region: region, action: api.TaskActionExportImage, imageID: imageID, start: now, d: s.jobDuration,
		ossURL: in.OssUrl, objects: objects}
	st.tasks.add(t)
	e.state.taskUntil = now.Add(s.jobDuration)
	return api.ExportImageResult{TaskId: t.id}, nil
}

// ownImage finds one of the account's images for a call that changes it: 404, then
// notOwn when it is not the account's private image, then a running task.
func (s *Service) ownImage(region, id string, now time.Time, allowCommunity bool, notOwn string) (*entry, error) {
	e := s.store.live(region, id, now)
	if e == nil {
		return nil, imageNotFound(id)
	}
	if source := sourceOf(e.image); !owned(e.image) || (source == "community" && !allowCommunity) {
		return nil, preconditionf("%s", notOwn)
	}
	return e, taskConflict(e, id, now)
}

func (s *Service) modifyImage(region, id string, in api.ModifyImageAttributeInput) error {
	if in.Name == nil && in.Description == nil {
		return invalidArgument("Parameter name、description missing")
	}
	if in.Name != nil {
		if err := checkName("name", *in.Name, 1, 32, nameGeneral); err != nil {
			return err
		}
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	e, err := s.ownImage(region, id, s.clock.Now(), false, "Can't use this image")
	if err != nil {
		return err
	}
	if in.Name != nil {
		e.image.Name = ptr(*in.Name)
	}
	if in.Description != nil {
		e.image.Desc = ptr(*in.Description)
	}
	return nil
}

func (s *Service) release(region, id string, release bool) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	now := s.clock.Now()
	if !release {
		e := s.store.live(region, id, now)
		if e == nil {
			return imageNotFound(id)
		}
		if sourceOf(e.image) != "community" || !owned(e.image) {
			return preconditionf("Can't use this image")
		}
		if err := taskConflict(e, id, now); err != nil {
			return err
		}
		e.image.ImageSource, e.image.LaunchPermission = ptr(api.ImageSourcePrivate), ptr(api.LaunchPermissionOwnerOnly)
		return nil
	}
	e, err := s.ownImage(region, id, now, false, "Can't use non-private image")
	if err != nil {
		return err
	}
	switch status := statusOf(e, now); {
	case str(e.image.RootDeviceType) != string(api.RootDeviceTypeCloudDisk):
		return preconditionf("Only cloud disk can be released")
	case encryptedSnapshot(e.image, true) != "":
		return preconditionf("Release encrypted snapshot is not support.")
	case status != api.ImageStatusReady:
		return preconditionf("Invalid image status '%s'", status)
	}
	e.image.ImageSource, e.image.LaunchPermission = ptr(api.ImageSourceCommunity), ptr(api.LaunchPermissionAll)
	e.members = api.DescribeImageMembersResult{} // releasing revokes every share
	return nil
}

// maxShares is how many accounts an image may be shared with.
const maxShares = 20

func (s *Service) share(region, id string, pins, loginNames []string, share bool) error {
	if len(pins) == 0 && len(loginNames) == 0 {
		return invalidArgument("Parameter pins or loginNames missing")
	}
	if n := len(pins) + len(loginNames); n > maxShares {
		return outOfRangef("pins and loginNames name %d accounts, at most %d", n, maxShares)
	}
	for _, p := range append(slices.Clone(pins), loginNames...) {
		switch {
		case !pinPattern.MatchString(p):
			return preconditionf("Invalid pin '%s'", clip(p, maxLoggedID))
		case p == OwnPin && share:
			return invalidArgument("Can't share image with yourself '%s'", p)
		case p == UnknownPin:
			return preconditionf("Pin '%s' not found", p)
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	now := s.clock.Now()
	e := s.store.live(region, id, now)
	if e == nil {
		return imageNotFound(id)
	}
	if share && sourceOf(e.image) == "community" && owned(e.image) {
		return preconditionf("Community image can't be shared")
	}
	e, err := s.ownImage(region, id, now, false, "Can't use this image")
	if err != nil {
		return err
	}
	m := &e.members
	if !share {
		m.Pins = slices.DeleteFunc(m.Pins, func(p string) bool { return slices.Contains(pins, p) })
		m.LoginNames = slices.DeleteFunc(m.LoginNames, func(p string) bool { return slices.Contains(loginNames, p) })
	} else {
		if snap := encryptedSnapshot(e.image, true); snap != "" {
			return preconditionf("Share encrypted snapshot '%s' is not support.", snap)
		}
		if status := statusOf(e, now); status != api.ImageStatusReady {
			return preconditionf("Invalid image status '%s'", status)
		}
		newPins, newNames := slices.Clone(m.Pins), slices.Clone(m.LoginNames)
		for _, p := range pins {
			if !slices.Contains(newPins, p) {
				newPins = append(newPins, p)
			}
		}
		for _, p := range loginNames {
			if !slices.Contains(newNames, p) {
				newNames = append(newNames, p)
			}
		}
		if len(newPins)+len(newNames) > maxShares {
			return &serviceError{http.StatusTooManyRequests, "QUOTA_EXCEEDED", "Image share quota limit exceeded"}
		}
		m.Pins, m.LoginNames = newPins, newNames
	}
	perm := api.LaunchPermissionSpecifiedUsers
	if len(m.Pins)+len(m.LoginNames) == 0 {
		perm = api.LaunchPermissionOwnerOnly
	}
	e.image.LaunchPermission = &perm
	return nil
}

func (s *Service) deleteImage(region, id string) error {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.clock.Now()
	st.sweep(now)
	e := st.live(region, id, now)
	switch {
	case e == nil:
		return imageNotFound(id)
	case !e.state.deleteAt.IsZero():
		return nil // already deleting: a retried DELETE changes nothing
	case e.state.protected:
		return preconditionf("Can't delete protected image")
	case sourceOf(e.image) == "community" && owned(e.image):
		return preconditionf("Can't delete community image")
	case !owned(e.image):
		return preconditionf("Can't delete this image")
	case len(e.members.Pins)+len(e.members.LoginNames) > 0:
		return preconditionf("Can't delete shared image")
	}
	if err := taskConflict(e, id, now); err != nil {
		return err
	}
	if e.state.busy(now) {
		return preconditionf("The image '%s' is busy", id)
	}
	if str(e.image.RootDeviceType) == string(api.RootDeviceTypeLocalDisk) {
		for k, vm := range st.instances {
			if k.region == region && vm.ImageID == id {
				return preconditionf("Local-System-Disk image cannot be deleted if it has been used to create instances")
			}
		}
	}
	if status := statusOf(e, now); status != api.ImageStatusReady && status != api.ImageStatusError {
		return preconditionf("Invalid image status '%s'", status)
	}
	st.count(region, e, -1)
	e.state.deleteAt = now.Add(DeleteDuration)
	st.deleting = append(st.deleting, key{region, id})
	return nil
}

// maxTasksPage is the most tasks an ImageTasks page holds, whatever pageSize asks.
const maxTasksPage = 10

func (s *Service) imageTasks(region string, q url.Values) (any, error) {
	var action *api.TaskAction
	if v := q.Get("taskAction"); v != "" {
		a := api.TaskAction(strings.TrimSuffix(v, "Task"))
		if !a.Valid() {
			return nil, invalidArgument("Invalid taskAction '%s'", clip(v, maxLoggedID))
		}
		action = &a
	}
	var status *api.TaskStatus
	if v := q.Get("taskStatus"); v != "" {
		ts := api.TaskStatus(v)
		if !ts.Valid() {
			return nil, invalidArgument("Invalid taskStatus '%s'", clip(v, maxLoggedID))
		}
		status = &ts
	}
	var bounds [2]time.Time
	for i, name := range []string{"startTime", "endTime"} {
		if v := q.Get(name); v != "" {
			t, err := jdtime.Parse(v)
			if err != nil {
				return nil, invalidArgument("Invalid %s '%s': yyyy-MM-dd HH:mm:ss", name, clip(v, maxLoggedID))
			}
			bounds[i] = t.Time
		}
	}
	ids := q["taskIds"]
	if len(ids) > 100 {
		return nil, outOfRangef("taskIds has %d ids, at most 100", len(ids))
	}
	number, size := 1, 10
	for _, p := range []struct {
		name string
		dst  *int
		lo   int
	}{{"pageNumber", &number, 1}, {"pageSize", &size, 1}} {
		if v := q.Get(p.name); v != "" {
			n, err := parseInt(v)
			if err != nil || n < p.lo || (p.name == "pageSize" && n > 100) {
				if p.name == "pageSize" {
					return nil, outOfRangef("PageSize out of range")
				}
				return nil, outOfRangef("PageNumber out of range")
			}
			*p.dst = n
		}
	}
	size = min(size, maxTasksPage)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	s.store.mu.RLock()
	now := s.clock.Now()
	var matches []api.TaskInfo
	for _, t := range s.store.tasks.list {
		if t.region != region || (action != nil && t.action != *action) || (len(want) > 0 && !want[t.id]) ||
			(!bounds[0].IsZero() && t.start.Before(bounds[0])) || (!bounds[1].IsZero() && t.start.After(bounds[1])) {
			continue
		}
		info := t.info(now)
		if status != nil && info.TaskStatus != *status {
			continue
		}
		matches = append(matches, info)
	}
	s.store.mu.RUnlock()
	page := []api.TaskInfo{}
	if start := (number - 1) * size; start < len(matches) {
		page = matches[start:min(start+size, len(matches))]
	}
	return api.ImageTasksResult{TaskSet: page, TotalCount: len(matches)}, nil
}

func parseInt(v string) (int, error) {
	var n int
	if len(v) > 9 {
		return 0, fmt.Errorf("too long")
	}
	_, err := fmt.Sscanf(v, "%d", &n)
	return n, err
}
