package cli

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

type importFlags struct {
	url, name, descr, platform, osType, osVersion, arch, bootMode, format, dataDisks, clientToken string
	systemDiskGB                                                                                  int
	force                                                                                         bool
}

func (a *App) importCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	f := &importFlags{}
	cmd := &cobra.Command{
		Use:   "import --url URL --name NAME --platform P --os-type T --architecture A --disk-format F --system-disk-size GB",
		Short: "Import an image file from object storage (ImportImage)",
		Long: `Import an image file (qcow2, vhd, vmdk or raw) from an object storage link of the
region as a private image. Prints the new image id and the import task id; with
--wait, waits until the task is finished (one progress bar).`,
		Example: "  vmimage import --url https://b.s3.cn-north-1.jdcloud-oss.com/u.qcow2 --name ubuntu --platform Ubuntu --os-type linux --architecture x86_64 --disk-format qcow2 --system-disk-size 40 --wait",
		Args:    exactArgs(0, "import takes flags only"),
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			return a.runImport(cmd.Context(), g, w, f, cmd.Flags().Changed)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{wait: true})
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "the image file's object storage link (also --image-url)")
	fl.StringVar(&f.url, "image-url", "", "alias of --url, as jdc spells it")
	fl.StringVar(&f.name, "name", "", "the image's name (also --image-name)")
	fl.StringVar(&f.name, "image-name", "", "alias of --name, as jdc spells it")
	fl.StringVar(&f.descr, "description", "", "the image's description")
	fl.StringVar(&f.platform, "platform", "", "the platform (CentOS, Ubuntu, Windows Server, Other Linux, ...)")
	fl.StringVar(&f.osType, "os-type", "", "linux or windows")
	fl.StringVar(&f.osVersion, "os-version", "", "the OS version")
	fl.StringVar(&f.arch, "architecture", "", "x86_64 or arm64")
	fl.StringVar(&f.bootMode, "boot-mode", "", "bios or uefi")
	fl.StringVar(&f.format, "disk-format", "", "qcow2, vhd, vmdk or raw")
	fl.IntVar(&f.systemDiskGB, "system-disk-size", 0, "the system disk's size in GB (a multiple of 10; also --system-disk-size-gb)")
	fl.IntVar(&f.systemDiskGB, "system-disk-size-gb", 0, "alias of --system-disk-size, as jdc spells it")
	fl.BoolVar(&f.force, "force", false, "skip the service's compliance check of the file (also --force-import)")
	fl.BoolVar(&f.force, "force-import", false, "alias of --force, as jdc spells it")
	fl.StringVar(&f.dataDisks, "data-disks", "", "the dataDisks JSON array, as jdc takes it")
	fl.StringVar(&f.clientToken, "client-token", "", "the idempotency token (default: one made per call)")
	for _, alias := range []string{"image-url", "image-name", "system-disk-size-gb", "force-import"} {
		_ = fl.MarkHidden(alias)
	}
	return cmd
}

func (a *App) runImport(ctx context.Context, g *globals, w *writeFlags, f *importFlags, changed func(string) bool) error {
	if err := w.check(g); err != nil {
		return err
	}
	body := api.ImportImageInput{}
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.pathParam("regionId", "--region", &g.region); err != nil {
			return err
		}
		if err := in.body("importImage", &body); err != nil {
			return err
		}
		body.RegionId = nil
	}
	if changed("url") || changed("image-url") {
		body.ImageUrl = f.url
	}
	if changed("name") || changed("image-name") {
		body.ImageName = f.name
	}
	if changed("description") {
		body.Description = &f.descr
	}
	if changed("platform") {
		body.Platform = api.Platform(f.platform)
	}
	if changed("os-type") {
		body.OsType = api.OsType(f.osType)
	}
	if changed("os-version") {
		body.OsVersion = &f.osVersion
	}
	if changed("architecture") {
		body.Architecture = api.Architecture(f.arch)
	}
	if changed("boot-mode") {
		m := api.BootMode(f.bootMode)
		body.BootMode = &m
	}
	if changed("disk-format") {
		body.DiskFormat = api.DiskFormat(f.format)
	}
	if changed("system-disk-size") || changed("system-disk-size-gb") {
		body.SystemDiskSizeGB = f.systemDiskGB
	}
	if changed("force") || changed("force-import") {
		body.ForceImport = &f.force
	}
	if changed("client-token") {
		body.ClientToken = &f.clientToken
	}
	if changed("data-disks") {
		if err := json.Unmarshal([]byte(f.dataDisks), &body.DataDisks); err != nil {
			return usage("--data-disks: not a JSON array of disks: %v", err)
		}
	}
	for _, m := range []struct {
		flag    string
		missing bool
	}{{"--url", body.ImageUrl == ""}, {"--name", body.ImageName == ""}, {"--platform", body.Platform == ""}, {"--os-type", body.OsType == ""},
		{"--architecture", body.Architecture == ""}, {"--disk-format", body.DiskFormat == ""}, {"--system-disk-size", body.SystemDiskSizeGB == 0}} {
		if m.missing {
			return usage("import needs %s", m.flag)
		}
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	res, _, err := s.c.ImportImage(ctx, &client.ImportImageInput{RegionID: s.region, ImportImageInput: body})
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage tasks --region "+s.region+" --action ImportImage")
	}
	return a.madeImage(ctx, g, w, s, imageRowOut{ImageID: res.ImageId, RegionID: s.region, Action: "importing", TaskID: res.TaskId, Detail: "from " + body.ImageUrl})
}

type exportFlags struct {
	role, ossURL, prefix, clientToken string
	allDisks                          bool
}

func (a *App) exportCommand(g *globals) *cobra.Command {
	w := &writeFlags{}
	f := &exportFlags{}
	var imageID string
	cmd := &cobra.Command{
		Use:   "export IMAGE_ID --role-name ROLE --oss-url URL [--oss-prefix P]",
		Short: "Export a private image to object storage (ExportImage)",
		Long: `Export a ready private image as QCOW2 files to an object storage bucket of the
region, through a service role with OSS permissions. Prints the export task id;
with --wait, waits until the task is finished.`,
		Example: "  vmimage export img-m5s0ab1c29 --role-name image-export --oss-url https://backup.s3-internal.cn-north-1.jdcloud-oss.com --wait",
		RunE: func(cmd *cobra.Command, args []string) error {
			w.output = queryFormat(g.query, w.output, cmd.Flags().Changed("output"))
			if len(args) > 1 {
				return usage("export takes one image id (got %d)", len(args))
			}
			if len(args) == 1 {
				imageID = args[0]
			}
			return a.runExport(cmd.Context(), g, w, f, imageID, cmd.Flags().Changed)
		},
	}
	a.writeCommand(g, cmd, w, writeKind{wait: true})
	fl := cmd.Flags()
	fl.StringVar(&imageID, "image-id", "", "the image, as jdc spells it (the same as the argument)")
	fl.StringVar(&f.role, "role-name", "", "the service role with OSS permissions")
	fl.StringVar(&f.ossURL, "oss-url", "", "the bucket's link")
	fl.StringVar(&f.prefix, "oss-prefix", "", "the files' name prefix")
	fl.BoolVar(&f.allDisks, "all-disks", false, "export the data disks too (also --is-all-disk)")
	fl.BoolVar(&f.allDisks, "is-all-disk", false, "alias of --all-disks, as jdc spells it")
	fl.StringVar(&f.clientToken, "client-token", "", "the idempotency token (default: one made per call)")
	_ = fl.MarkHidden("is-all-disk")
	return cmd
}

func (a *App) runExport(ctx context.Context, g *globals, w *writeFlags, f *exportFlags, imageID string, changed func(string) bool) error {
	if err := w.check(g); err != nil {
		return err
	}
	body := api.ExportImageInput{}
	if in, err := a.readInputJSON(ctx, w.inputJSON); err != nil {
		return err
	} else if in != nil {
		if err := in.imagePath(&g.region, &imageID); err != nil {
			return err
		}
		if err := in.body("exportImage", &body); err != nil {
			return err
		}
		body.RegionId, body.ImageId = nil, nil
	}
	if imageID == "" {
		return usage("export needs an image id")
	}
	if changed("role-name") {
		body.RoleName = f.role
	}
	if changed("oss-url") {
		body.OssUrl = f.ossURL
	}
	if changed("oss-prefix") {
		body.OssPrefix = &f.prefix
	}
	if changed("all-disks") || changed("is-all-disk") {
		body.IsAllDisk = &f.allDisks
	}
	if changed("client-token") {
		body.ClientToken = &f.clientToken
	}
	if body.RoleName == "" || body.OssUrl == "" {
		return usage("export needs --role-name and --oss-url")
	}
	s, ctx, cancel, err := a.writeSession(ctx, g, w)
	defer cancel()
	if err != nil {
		return err
	}
	res, _, err := s.c.ExportImage(ctx, &client.ExportImageInput{RegionID: s.region, ImageID: imageID, ExportImageInput: body})
	if s.dry != nil {
		return a.printDry(s, err)
	}
	if err != nil {
		return a.writeError(err, s.region, s.c, "vmimage tasks --region "+s.region+" --action ExportImage")
	}
	return a.madeImage(ctx, g, w, s, imageRowOut{ImageID: imageID, RegionID: s.region, Action: "exporting", TaskID: res.TaskId, Detail: "to " + body.OssUrl})
}
