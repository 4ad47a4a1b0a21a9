package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

type listFlags struct {
	output                                                         string
	source, name, platform, status, arch, rootDevice, launch, boot string
	ids, instanceIDs                                               []string
	offline, all                                                   bool
	page, pageSize                                                 int
}

func (a *App) listCommand(g *globals) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Find images: filter, page, or follow every page",
		Long: `List the images of a region that match the filters (DescribeImages). --source is
required unless --id is given. Without --all one page is printed (--page, --page-size)
and a note on stderr says how many images match; with --all every page is fetched, 100
images at a time, and printed as it arrives (each image once, even if the list shifts
while it is read).`,
		Example: `  vmimage list --source public --platform Ubuntu --arch arm64
  vmimage list --source private --all -o json
  vmimage list --id img-m5s0ab1c29 --id img-ubuntu2204x`,
		Args: exactArgs(0, "list takes no arguments: filter with flags (see --help)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.output = queryFormat(g.query, f.output, cmd.Flags().Changed("output"))
			return a.runList(cmd.Context(), g, f)
		},
	}
	g.register(cmd, "give up after this long (default 10m)")
	g.registerQuery(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	fl.StringVar(&f.source, "source", "", "image source: public, thirdparty, private, shared, community")
	fl.StringVar(&f.name, "name", "", "image name contains this text")
	fl.StringVar(&f.platform, "platform", "", "operating system distribution (Ubuntu, CentOS, Windows Server, ...)")
	fl.StringVar(&f.status, "status", "", "image status: pending, ready, deleting, error")
	fl.StringVar(&f.arch, "arch", "", "CPU architecture: x86_64, arm64")
	fl.StringVar(&f.rootDevice, "root-device-type", "", "system disk type: localDisk, cloudDisk")
	fl.StringVar(&f.launch, "launch-permission", "", "for private images: all, specifiedUsers, ownerOnly")
	fl.StringVar(&f.boot, "boot-mode", "", "boot mode: bios, uefi")
	fl.StringArrayVar(&f.ids, "id", nil, "exact image id (repeatable, at most 100)")
	fl.StringArrayVar(&f.instanceIDs, "instance-id", nil, "id of the instance an image was made from (repeatable)")
	fl.BoolVar(&f.offline, "offline", false, "also list public and thirdparty images taken offline")
	fl.BoolVar(&f.all, "all", false, "follow every page")
	fl.IntVar(&f.page, "page", 1, "page number, from 1 (without --all)")
	fl.IntVar(&f.pageSize, "page-size", 20, "images per page, 10 to 100 (without --all)")
	for name, values := range map[string][]string{
		"output": formats, "source": {"public", "thirdparty", "private", "shared", "community"}, "status": {"pending", "ready", "deleting", "error"},
		"arch": {"x86_64", "arm64"}, "root-device-type": {"localDisk", "cloudDisk"}, "launch-permission": {"all", "specifiedUsers", "ownerOnly"}, "boot-mode": {"bios", "uefi"},
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		})
	}
	return cmd
}

func (f *listFlags) filter() client.ImageFilter {
	return client.ImageFilter{
		Source: api.DescribeImagesParamsImageSource(f.source), IDs: f.ids, Name: f.name, Platform: f.platform,
		Status: api.DescribeImagesParamsStatus(f.status), Architecture: api.DescribeImagesParamsArchitecture(f.arch),
		RootDeviceType: api.DescribeImagesParamsRootDeviceType(f.rootDevice), LaunchPermission: api.DescribeImagesParamsLaunchPermission(f.launch),
		BootMode: api.DescribeImagesParamsBootMode(f.boot), InstanceIDs: f.instanceIDs, IncludeOffline: f.offline,
	}
}

func (a *App) runList(ctx context.Context, g *globals, f *listFlags) error {
	if !validFormat(f.output) {
		return usage("unknown output format %q (want one of %s)", f.output, strings.Join(formats, ", "))
	}
	if f.page < 1 {
		return usage("--page %d must be at least 1", f.page)
	}
	out := newPrinter(f.output, a.Stdout, "")
	if err := out.setQuery(g.query); err != nil {
		return err
	}
	c, region, ctx, cancel, err := a.session(ctx, g, 10*time.Minute)
	defer cancel()
	if err != nil {
		return err
	}
	out.region = region
	filter := f.filter()
	if !f.all {
		res, _, err := c.DescribeImages(ctx, region, filter, client.Page{Number: f.page, Size: f.pageSize})
		if err != nil {
			return explain(err, region, c)
		}
		for _, img := range res.Images {
			if err := addImage(out, img); err != nil {
				return err
			}
		}
		if err := out.close(); err != nil {
			return &exitError{ExitError, err}
		}
		fmt.Fprintf(a.Stderr, "page %d: %d image(s) of %d matching; --all lists every page\n", f.page, len(res.Images), res.TotalCount)
		return nil
	}
	n := 0
	for img, err := range c.AllImages(ctx, region, filter) {
		if err != nil {
			_ = out.close() // what was printed stays a valid document
			return explain(err, region, c)
		}
		if err := addImage(out, img); err != nil {
			return err
		}
		if n++; n%client.MaxPageSize == 0 {
			if err := out.flush(); err != nil {
				return &exitError{ExitError, err}
			}
		}
	}
	if err := out.close(); err != nil {
		return &exitError{ExitError, err}
	}
	fmt.Fprintf(a.Stderr, "%d image(s)\n", n)
	return nil
}

func addImage(out *printer, img api.Image) error {
	raw, err := json.Marshal(img)
	if err == nil {
		err = out.add(raw)
	}
	if err != nil {
		return &exitError{ExitError, err}
	}
	return nil
}
