package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
)

// demoBuild is how long the demo's image takes to become ready.
const demoBuild = 6 * time.Second

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
	srv, err := fake.Start(fake.WithClock(clock))
	if err != nil {
		return err
	}
	defer srv.Close()
	out := a.Stdout
	fmt.Fprintf(out, "vmimage demo: a fake JD Cloud image read service is running at %s\n", srv.URL)
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

	id := "img-demobuild01"
	name := "demo image being built"
	if err := srv.Images().Put(region, api.Image{ImageId: &id, Name: &name}); err != nil {
		return err
	}
	if err := srv.Images().Transition(region, id, api.ImageStatusReady, demoBuild); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n5. Wait for a new image to become ready (about %s):\n\n", demoBuild)
	if err := a.wait(ctx, c, region, id, time.Minute, &waitFlags{minDelay: 250 * time.Millisecond, maxDelay: time.Second, grace: time.Second}); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDone. Next: `vmimage fake` runs this service for your own tests; see README.md.\n")
	return nil
}
