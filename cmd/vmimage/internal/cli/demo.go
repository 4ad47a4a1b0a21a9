package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

func (a *App) demoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Show vmimage at work against an in-process fake (no account needed)",
		Args:  exactArgs(0, "demo takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runDemo(cmd.Context())
		},
	}
}

func (a *App) runDemo(ctx context.Context) error {
	var clock client.Clock = client.SystemClock{}
	if a.Clock != nil {
		clock = a.Clock
	}
	srv, err := fake.Start(fake.WithClock(clock), fake.WithJobDuration(demoJob))
	if err != nil {
		return err
	}
	defer srv.Close()
	out := a.Stdout
	fmt.Fprintf(out, "vmimage demo: a fake JD Cloud image service is running at %s\n", srv.URL)
	fmt.Fprintf(out, "(its test access key is %s; no real account or network is used)\n\n", srv.Credentials().AccessKey)

	opts := append([]client.Option{client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()), client.WithClock(clock)}, a.ClientOptions...)
	c, err := client.New(opts...)
	if err != nil {
		return err
	}
	const region = "cn-north-1"

	fmt.Fprintf(out, "1. Describe three images in %s:\n\n", region)
	p := newPrinter("table", out, region)
	for _, id := range []string{fake.SeedCentOS, fake.SeedUbuntu, fake.SeedPrivate} {
		img, _, err := c.DescribeImage(ctx, region, id)
		if err != nil {
			return err
		}
		if err := p.add(*img, nil); err != nil {
			return err
		}
	}
	if err := p.close(); err != nil {
		return err
	}

	fmt.Fprintf(out, "\n2. Find images: every public arm64 Ubuntu image, all pages followed (DescribeImages):\n\n")
	p = newPrinter("table", out, region)
	filter := client.ImageFilter{Source: api.ImageSourcePublic, Platform: api.PlatformUbuntu, Architecture: api.ArchitectureArm64}
	for img, err := range c.AllImages(ctx, region, filter) {
		if err != nil {
			return err
		}
		if err := addImage(p, img); err != nil {
			return err
		}
	}
	if err := p.close(); err != nil {
		return err
	}
	public := 0
	for _, err := range c.AllImages(ctx, region, client.ImageFilter{Source: api.ImageSourcePublic}) {
		if err != nil {
			return err
		}
		public++
	}
	fmt.Fprintf(out, "\n   (%s has %d public images; the iterator fetched them %d at a time)\n", region, public, client.MaxPageSize)

	fmt.Fprintf(out, "\n3. Check which instance types two images run on (DescribeImageConstraintsBatch):\n\n")
	cons, _, err := c.DescribeImageConstraintsBatch(ctx, region, []string{fake.SeedCentOS, fake.SeedUbuntu})
	if err != nil {
		return err
	}
	p = &printer{format: "table", w: out, header: func(bool) []string { return []string{"IMAGE ID", "RUNS ON", "INSTANCE TYPES"} }, row: constraintRow}
	for _, ic := range cons {
		if err := p.add(ic, nil); err != nil {
			return err
		}
	}
	if err := p.close(); err != nil {
		return err
	}

	fmt.Fprintf(out, "\n4. A missing image gives a typed error:\n\n")
	_, _, err = c.DescribeImage(ctx, region, "img-doesnotexist")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrNotFound) {
		return fmt.Errorf("demo: expected a not-found error, got %v", err)
	}
	fmt.Fprintf(out, "   errors.Is(err, client.ErrNotFound) = true\n   %s\n", oneLine(err))

	return a.demoLifecycle(ctx, srv, c, clock, region)
}

// demoJob is how long the demo's fake takes to build or copy an image.
const demoJob = 3 * time.Second

// demoLifecycle tells the write calls' story with the CLI's own commands, run
// against the demo's fake: bake an image, copy it to a second region, share it, fail
// to delete it while shared, unshare it, delete it.
func (a *App) demoLifecycle(ctx context.Context, srv *fake.Server, c *client.Client, clock client.Clock, region string) error {
	out := a.Stdout
	sub := *a
	sub.ClientOptions = append([]client.Option{client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()),
		client.WithRegion(region), client.WithClock(clock)}, a.ClientOptions...)
	sub.StdinIsTerminal = func() bool { return false }
	run := func(want int, args ...string) error {
		fmt.Fprintf(out, "   $ vmimage %s\n", strings.Join(args, " "))
		if code := sub.Run(ctx, args); code != want {
			if code == ExitInterrupted {
				return &exitError{ExitInterrupted, errors.New("interrupted")}
			}
			return fmt.Errorf("demo: vmimage %s exited %d, not %d", strings.Join(args, " "), code, want)
		}
		fmt.Fprintln(out)
		return nil
	}
	fmt.Fprintf(out, "\n5. The lifecycle, with the write calls (each copy or build takes %s here):\n\n", demoJob)
	fmt.Fprintf(out, "   Bake an image from an instance and wait for it (CreateImage):\n")
	var created strings.Builder
	sub.Stdout = &created
	fmt.Fprintf(out, "   $ NEW=$(vmimage create %s --name demo-app-2024 --wait --min-delay 500ms --max-delay 1s --query '[0].imageId' -o text)\n", fake.SeedInstanceCloud)
	if code := sub.Run(ctx, []string{"create", fake.SeedInstanceCloud, "--name", "demo-app-2024", "--wait", "--min-delay", "500ms", "--max-delay", "1s", "--query", "[0].imageId", "-o", "text"}); code != 0 {
		return &exitError{code, errors.New("demo: create failed")}
	}
	sub.Stdout = out
	id := strings.TrimSpace(created.String())
	fmt.Fprintf(out, "   NEW=%s\n\n", id)

	fmt.Fprintf(out, "   Copy it to a second region, with progress (CopyImages):\n")
	if err := run(0, "copy", id, "--to", "cn-east-2", "--wait", "--min-delay", "500ms", "--max-delay", "1s"); err != nil {
		return err
	}
	fmt.Fprintf(out, "   Share it, and see whom with (ShareImage, DescribeImageMembers):\n")
	if err := run(0, "share", id, "--pin", "partner-pin", "--login-name", "ops@example.com"); err != nil {
		return err
	}
	if err := run(0, "members", id); err != nil {
		return err
	}
	fmt.Fprintf(out, "   Delete asks first, and without a terminal refuses unless --yes (exit 2, nothing sent):\n")
	if err := run(ExitUsage, "delete", id); err != nil {
		return err
	}
	fmt.Fprintf(out, "   With --yes, the service refuses to delete a shared image (exit 1):\n")
	if err := run(ExitError, "delete", id, "--yes"); err != nil {
		return err
	}
	_, _, err := c.DeleteImage(ctx, &client.DeleteImageInput{RegionID: region, ImageID: id})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrFailedPrecondition) {
		return fmt.Errorf("demo: expected a failed-precondition error, got %v", err)
	}
	fmt.Fprintf(out, "   in Go: errors.Is(err, client.ErrFailedPrecondition) = true; errors.As gives *client.APIError{Status: %q, Message: %q}\n\n",
		apiErr.Status, terminalSafe(apiErr.Message))
	fmt.Fprintf(out, "   Unshare it, then delete it (UnShareImage, DeleteImage):\n")
	if err := run(0, "unshare", id, "--pin", "partner-pin", "--login-name", "ops@example.com", "--yes"); err != nil {
		return err
	}
	if err := run(0, "delete", id, "--yes"); err != nil {
		return err
	}
	fmt.Fprintf(out, "   Every write can be previewed: --dry-run prints the request and sends nothing:\n")
	if err := run(0, "modify", fake.SeedPrivate, "--name", "renamed", "--dry-run"); err != nil {
		return err
	}
	fmt.Fprintf(out, "Done. Next: `vmimage fake` runs this service for your own tests; see README.md.\n")
	return nil
}
