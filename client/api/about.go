// Package api holds the types of JD Cloud's Virtual Machines image read API,
// generated from openapi.yaml with oapi-codegen: the models (Image, Disk, the
// Describe*Result envelopes, ...), one string type per enum concept shared by filters
// and results, and nil-safe accessors.
//
// Enums: Architecture, ImageStatus, ImageSource, Platform, OsType, RootDeviceType,
// LaunchPermission, BootMode, ConstraintsType, DiskCategory, DiskType, DiskStatus,
// InstanceDiskAttachmentStatus, DiskAttachmentStatus, DiskAttachmentInstanceType,
// ChargeMode and ChargeStatus. Their constants are the type's name followed by the
// value in Go spelling (ImageStatusReady, ArchitectureArm64, ArchitectureX8664 for
// "x86_64", BootModeUEFI, ImageSourceThirdParty); `go doc api.ImageStatus` lists them.
// A value the service adds later still decodes; Valid reports whether a value is one
// the spec lists.
//
// A field the service may leave out is a pointer, so absent and zero differ. Every
// pointer, slice and map field has an accessor, GetX, that returns the value, or the
// zero value when the field or its parent is nil, so chains need no nil check:
// img.GetSystemDisk().GetCloudDisk().GetDiskSizeGB(). JD Cloud's times
// ("2021-01-28 16:49:05", China Standard Time) are ChinaTime, an alias of
// jdtime.Time (package github.com/vmimage/vmimage/client/api/jdtime), which holds a
// time.Time.
//
// Calls are made with package client (github.com/vmimage/vmimage/client), which signs
// every request; this package has no client of its own.
package api
