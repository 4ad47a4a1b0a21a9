package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
	page, pageSize, maxItems                                       int
	// onePage: --page or --page-size was given (one page, not every page).
	onePage bool
}

// listEnums are the values the API documents for list's enum flags: completion
// offers them, and a value outside them is refused naming the flag and listing them
// (a value in another case is taken in the API's spelling).
var listEnums = map[string][]string{
	"source": {"public", "thirdparty", "private", "shared", "community"}, "status": {"pending", "ready", "deleting", "error"},
	"arch": {"x86_64", "arm64"}, "root-device-type": {"localDisk", "cloudDisk"}, "launch-permission": {"all", "specifiedUsers", "ownerOnly"}, "boot-mode": {"bios", "uefi"},
}

// knownPlatforms are the platforms the API documents for images (the set is open:
// another value is sent as given).
var knownPlatforms = []string{string(api.PlatformUbuntu), string(api.PlatformCentOS), string(api.PlatformWindowsServer),
	string(api.PlatformOtherLinux), string(api.PlatformOtherWindows)}

// canonical returns the value of known that v names, case aside.
func canonical(v string, known []string) (string, bool) {
	for _, k := range known {
		if strings.EqualFold(v, k) {
			return k, true
		}
	}
	return v, false
}

// check refuses what the service would refuse, in the flags' words, before any
// request; it takes enum values and known platforms in the API's spelling.
func (f *listFlags) check(cmd *cobra.Command) error {
	fl := cmd.Flags()
	f.onePage = fl.Changed("page") || fl.Changed("page-size")
	switch {
	case f.all && f.onePage:
		return usage("--all lists every page, --page and --page-size ask for one: give one or the other")
	case f.onePage && fl.Changed("max-items"):
		return usage("--max-items caps the listing of every page, --page and --page-size ask for one: give one or the other")
	case f.maxItems < 0:
		return usage("--max-items %d must not be negative (0: no cap)", f.maxItems)
	case f.page < 1:
		return usage("--page %d must be at least 1", f.page)
	case f.pageSize < client.MinPageSize || f.pageSize > client.MaxPageSize:
		return usage("--page-size %d must be between %d and %d", f.pageSize, client.MinPageSize, client.MaxPageSize)
	case f.source == "" && len(f.ids) == 0:
		return usage("--source is required unless --id is given (one of %s)", strings.Join(listEnums["source"], ", "))
	}
	for name, p := range map[string]*string{"source": &f.source, "status": &f.status, "arch": &f.arch,
		"root-device-type": &f.rootDevice, "launch-permission": &f.launch, "boot-mode": &f.boot} {
		if *p == "" {
			continue
		}
		v, ok := canonical(*p, listEnums[name])
		if !ok {
			return usage("--%s %q: must be one of %s", name, terminalSafe(*p), strings.Join(listEnums[name], ", "))
		}
		*p = v
	}
	if f.platform != "" {
		f.platform, _ = canonical(f.platform, knownPlatforms)
	}
	return nil
}

func (a *App) listCommand(g *globals) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Find images: every image that matches the filters, or one page",
		Long: `List the images of a region that match the filters (DescribeImages). --source is
required unless --id is given. Every matching image is listed: pages are fetched 100
images at a time and printed as they arrive (each image once, even if the list shifts
while it is read), as the AWS CLI paginates for you; --max-items N stops after N
images. --page and --page-size print one page instead, with a note on stderr saying
how many images match. Enum filters take the values listed with each flag, in any
case; --platform matches the documented platforms in any case.`,
		Example: `  vmimage list --source public --platform Ubuntu --arch arm64
  vmimage list --source private -o json --max-items 50
  vmimage list --source public --page 2 --page-size 50
  vmimage list --id img-m5s0ab1c29 --id img-ubuntu2204x`,
		Args: exactArgs(0, "list takes no arguments: filter with flags (see --help)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.output = queryFormat(g.query, f.output, cmd.Flags().Changed("output"))
			if err := f.check(cmd); err != nil {
				return err
			}
			return a.runList(cmd.Context(), g, f)
		},
	}
	g.apiCommand(cmd, true)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(formats, ", "))
	fl.StringVar(&f.source, "source", "", "image source: public, thirdparty, private, shared, community")
	fl.StringVar(&f.name, "name", "", "image name contains this text")
	fl.StringVar(&f.platform, "platform", "", "operating system distribution, any case: "+strings.Join(knownPlatforms, ", ")+" (others are sent as given)")
	fl.StringVar(&f.status, "status", "", "image status: pending, ready, deleting, error")
	fl.StringVar(&f.arch, "arch", "", "CPU architecture: x86_64, arm64")
	fl.StringVar(&f.rootDevice, "root-device-type", "", "system disk type: localDisk, cloudDisk")
	fl.StringVar(&f.launch, "launch-permission", "", "for private images: all, specifiedUsers, ownerOnly")
	fl.StringVar(&f.boot, "boot-mode", "", "boot mode: bios, uefi")
	fl.StringArrayVar(&f.ids, "id", nil, "exact image id (repeatable, at most 100)")
	fl.StringArrayVar(&f.instanceIDs, "instance-id", nil, "id of the instance an image was made from (repeatable)")
	fl.BoolVar(&f.offline, "offline", false, "also list public and thirdparty images taken offline")
	fl.BoolVar(&f.all, "all", false, "list every page (the default; refused with --page or --page-size)")
	fl.IntVar(&f.maxItems, "max-items", 0, "stop after this many images (0: every image)")
	fl.IntVar(&f.page, "page", 1, "print only this page, from 1")
	fl.IntVar(&f.pageSize, "page-size", 20, "print only one page of this many images, 10 to 100")
	completions := maps.Clone(listEnums)
	completions["output"] = formats
	completions["platform"] = knownPlatforms
	for name, values := range completions {
		_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		})
	}
	return cmd
}

func (f *listFlags) filter() client.ImageFilter {
	return client.ImageFilter{
		Source: api.ImageSource(f.source), IDs: f.ids, Name: f.name, Platform: api.Platform(f.platform),
		Status: api.ImageStatus(f.status), Architecture: api.Architecture(f.arch),
		RootDeviceType: api.RootDeviceType(f.rootDevice), LaunchPermission: api.LaunchPermission(f.launch),
		BootMode: api.BootMode(f.boot), InstanceIDs: f.instanceIDs, IncludeOffline: f.offline,
	}
}

func (a *App) runList(ctx context.Context, g *globals, f *listFlags) error {
	if !validFormat(f.output) {
		return usage("unknown output format %q (want one of %s)", f.output, strings.Join(formats, ", "))
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
	if f.onePage {
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
		fmt.Fprintf(a.Stderr, "page %d: %d image(s) of %d matching; without --page and --page-size every page is listed\n", f.page, len(res.Images), res.TotalCount)
		a.noteEmpty(res.TotalCount, region, f)
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
		if n == f.maxItems {
			break
		}
	}
	if err := out.close(); err != nil {
		return &exitError{ExitError, err}
	}
	if n == f.maxItems && n > 0 {
		fmt.Fprintf(a.Stderr, "%d image(s): stopped at --max-items %d\n", n, f.maxItems)
	} else {
		fmt.Fprintf(a.Stderr, "%d image(s)\n", n)
	}
	a.noteEmpty(n, region, f)
	return nil
}

// noteEmpty says on stderr what may explain an empty listing: a region JD Cloud does
// not document (as describe's 404 says), a platform the API does not document.
func (a *App) noteEmpty(n int, region string, f *listFlags) {
	if n > 0 {
		return
	}
	if !slices.Contains(client.DocumentedRegions(), region) {
		fmt.Fprintf(a.Stderr, "vmimage: note: region %q is not one of the documented regions %s: check --region\n", region, strings.Join(client.DocumentedRegions(), ", "))
	}
	if _, ok := canonical(f.platform, knownPlatforms); f.platform != "" && !ok {
		fmt.Fprintf(a.Stderr, "vmimage: note: --platform %q is not one the API documents (%s)\n", terminalSafe(f.platform), strings.Join(knownPlatforms, ", "))
	}
}

func addImage(out *printer, img api.Image) error {
	if err := out.add(img, nil); err != nil {
		return &exitError{ExitError, err}
	}
	return nil
}
