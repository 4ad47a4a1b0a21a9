package cli

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// imageRowOut is an image a write made or changed: what create, import, modify,
// share, release and delete print.
type imageRowOut struct {
	ImageID  string `json:"imageId"`
	RegionID string `json:"regionId"`
	// Action says what was done (created, imported, renamed, shared, ...).
	Action string `json:"action"`
	// TaskID is the import or export task, when there is one.
	TaskID string `json:"taskId,omitempty"`
	// Status is the state after --wait; empty without it.
	Status string `json:"status,omitempty"`
	// Detail says more (the accounts shared with, the snapshots deleted, ...).
	Detail string `json:"detail,omitempty"`
}

var imageChangeTable = changeTable{
	header: []string{"IMAGE ID", "REGION", "ACTION", "TASK ID", "STATUS", "DETAIL"},
	cells: func(v any) []string {
		r := v.(imageRowOut)
		return []string{terminalSafe(r.ImageID), r.RegionID, r.Action, orDash(r.TaskID), orDash(r.Status), orDash(r.Detail)}
	},
}

type createFlags struct {
	instanceID, name, descr string
	dataDisks               string
	// From snapshots.
	snapshots                           []string
	cloudDisks                          string
	platform, osVersion, arch, bootMode string
	clientToken                         string
}

func (a *App) createCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	f := &createFlags{}
	cmd := &cobra.Command{
		Use:   "create [INSTANCE_ID] --name NAME | create --snapshot vda=SNAPSHOT_ID... --name NAME --platform P --architecture A --boot-mode M",
		Short: "Create a private image from an instance (CreateImage) or from snapshots (CreateImageFromSnapshots)",
		Long: `Create a private image. From an instance: its system disk and, unless --data-disks
says otherwise, every attached cloud data disk (CreateImage). From snapshots: one
--snapshot DEVICE=SNAPSHOT_ID per disk, vda the system disk
(CreateImageFromSnapshots). Prints the new image id; with --wait, waits until it
is ready.`,
		Example: `  vmimage create i-eumm4d5fd6 --name app-server-2024.06 --region cn-north-1 --wait
  vmimage create --snapshot vda=snapshot-s1y2s3t4e5 --name base --platform CentOS --architecture x86_64 --boot-mode bios`,
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			if len(args) > 1 {
				return usage("create takes at most one instance id (got %d)", len(args))
			}
			if len(args) == 1 {
				if f.instanceID != "" && f.instanceID != args[0] {
					return usage("--instance-id %q and the argument %q disagree", f.instanceID, args[0])
				}
				f.instanceID = args[0]
			}
			return a.runCreate(cmd.Context(), g, w, f, cmd)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{wait: true})
	fl := cmd.Flags()
	fl.StringVar(&f.instanceID, "instance-id", "", "the instance, as jdc spells it (the same as the argument)")
	fl.StringVar(&f.name, "name", "", "the image's name (required)")
	fl.StringVar(&f.descr, "description", "", "the image's description")
	fl.StringVar(&f.dataDisks, "data-disks", "", "from an instance: the dataDisks JSON array, as jdc takes it (exclude, change or add disks)")
	fl.StringArrayVar(&f.snapshots, "snapshot", nil, "from snapshots: DEVICE=SNAPSHOT_ID (vda is the system disk; repeat for data disks vdb...)")
	fl.StringVar(&f.cloudDisks, "cloud-disks", "", "from snapshots: the cloudDisks JSON array, as jdc takes it")
	fl.StringVar(&f.platform, "platform", "", "from snapshots: the platform (CentOS, Ubuntu, Windows Server, Others Linux, ...)")
	fl.StringVar(&f.osVersion, "os-version", "", "from snapshots: the OS version")
	fl.StringVar(&f.arch, "architecture", "", "from snapshots: x86_64 or arm64")
	fl.StringVar(&f.bootMode, "boot-mode", "", "from snapshots: bios or uefi")
	fl.StringVar(&f.clientToken, "client-token", "", "from snapshots: the idempotency token (default: one made per call)")
	return cmd
}

func (a *App) runCreate(ctx context.Context, g *globals, w *writeFlags, f *createFlags, cmd *cobra.Command) error {
	if err := w.check(g); err != nil {
		return err
	}
	in, err := a.readInputJSON(ctx, w.inputJSON)
	if err != nil {
		return err
	}
	changed := cmd.Flags().Changed
	fromSnapshots := len(f.snapshots) > 0 || changed("cloud-disks") || (in != nil && in["cloudDisks"] != nil)
	if fromSnapshots {
		return a.runCreateFromSnapshots(ctx, g, w, f, in, changed)
	}
	body := api.CreateImageInput{}
	if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.pathParam("instanceId", "the instance id", &f.instanceID); err != nil {
			return err
		}
		if err := in.body("createImage", &body); err != nil {
			return err
		}
		body.RegionId, body.InstanceId = nil, nil
	}
	if f.instanceID == "" {
		return usage("create needs an instance id (or --snapshot DEVICE=SNAPSHOT_ID to create from snapshots)")
	}
	if changed("name") {
		body.Name = f.name
	}
	if body.Name == "" {
		return usage("create needs --name")
	}
	if changed("description") {
		body.Description = &f.descr
	}
	if changed("data-disks") {
		if err := json.Unmarshal([]byte(f.dataDisks), &body.DataDisks); err != nil {
			return usage("--data-disks: not a JSON array of disks: %v", err)
		}
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	res, _, err := s.c.CreateImage(ctx, &client.CreateImageInput{RegionID: s.region, InstanceID: f.instanceID, CreateImageInput: body})
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage list --region "+s.region+" --source private --name '"+body.Name+"'")
	}
	return a.madeImage(ctx, g, w, s, imageRowOut{ImageID: res.ImageId, RegionID: s.region, Action: "created", Detail: "from instance " + f.instanceID})
}

func (a *App) runCreateFromSnapshots(ctx context.Context, g *globals, w *writeFlags, f *createFlags, in inputJSON, changed func(string) bool) error {
	body := api.CreateImageFromSnapshotsInput{}
	if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.body("createImageFromSnapshots", &body); err != nil {
			return err
		}
		body.RegionId = nil
	}
	if f.instanceID != "" {
		return usage("create takes an instance id or --snapshot, not both")
	}
	if changed("cloud-disks") {
		if err := json.Unmarshal([]byte(f.cloudDisks), &body.CloudDisks); err != nil {
			return usage("--cloud-disks: not a JSON array of disks: %v", err)
		}
	}
	for _, s := range f.snapshots {
		dev, snap, ok := strings.Cut(s, "=")
		if !ok || dev == "" || snap == "" {
			return usage("--snapshot %q: want DEVICE=SNAPSHOT_ID (vda=snapshot-...)", s)
		}
		body.CloudDisks = append(body.CloudDisks, api.CloudDiskSpec{DeviceName: &dev, SnapshotId: &snap})
	}
	set := func(flag string, v string, into *string) {
		if changed(flag) {
			*into = v
		}
	}
	set("name", f.name, &body.Name)
	if changed("description") {
		body.Description = &f.descr
	}
	if changed("os-version") {
		body.OsVersion = &f.osVersion
	}
	if changed("client-token") {
		body.ClientToken = &f.clientToken
	}
	if changed("platform") {
		body.Platform = api.SnapshotImagePlatform(f.platform)
	}
	if changed("architecture") {
		body.Architecture = api.Architecture(f.arch)
	}
	if changed("boot-mode") {
		body.BootMode = api.BootMode(f.bootMode)
	}
	for flag, missing := range map[string]bool{"--name": body.Name == "", "--platform": body.Platform == "", "--architecture": body.Architecture == "", "--boot-mode": body.BootMode == ""} {
		if missing {
			return usage("create from snapshots needs %s", flag)
		}
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	res, _, err := s.c.CreateImageFromSnapshots(ctx, &client.CreateImageFromSnapshotsInput{RegionID: s.region, CreateImageFromSnapshotsInput: body})
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage list --region "+s.region+" --source private --name '"+body.Name+"'")
	}
	disks := make([]string, len(body.CloudDisks))
	for i, d := range body.CloudDisks {
		disks[i] = deref(d.DeviceName) + "=" + deref(d.SnapshotId)
	}
	return a.madeImage(ctx, g, w, s, imageRowOut{ImageID: res.ImageId, RegionID: s.region, Action: "created", Detail: "from snapshots " + strings.Join(disks, ",")})
}

// madeImage prints an image a write made, after waiting for it with --wait (for the
// task, when the row has one).
func (a *App) madeImage(ctx context.Context, g *globals, w *writeFlags, s *writeSession, row imageRowOut) error {
	var waitErr error
	if w.wait {
		t := &waitTarget{goal: untilReady, region: row.RegionID, id: row.ImageID}
		if row.TaskID != "" {
			t = &waitTarget{goal: untilTaskDone, region: row.RegionID, id: row.TaskID}
		}
		waitErr = a.waitAll(ctx, s.c, []*waitTarget{t}, s.maxWait, &w.waitFlags)
		row.Status = t.status
	}
	if err := a.printChanges(g, w, imageChangeTable, []imageRowOut{row}); err != nil {
		return err
	}
	if waitErr != nil {
		return a.waitError(waitErr)
	}
	return nil
}

// deref reads an optional string ("" when absent).
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
