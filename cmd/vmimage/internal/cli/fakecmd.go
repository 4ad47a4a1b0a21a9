package cli

import (
	"context"
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/fake"
)

func (a *App) fakeCommand() *cobra.Command {
	var addr string
	var logRequests bool
	var latency time.Duration
	var jobDuration time.Duration
	var imageQuota int
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Run the fake image service, reads and writes (for tests, in any language)",
		Long: `Serve the fake JD Cloud image service until interrupted. The five reads:
DescribeImage, DescribeImages (every filter, paged), DescribeImageConstraints(Batch)
and DescribeImageMembers. It checks JDCLOUD2 and JDCLOUD3 signatures (JD Cloud's Go,
Node and Python SDKs, and jdc) against its test credentials
(printed at start), serves seeded images in every documented region (a catalog of
` + fmt.Sprint(fake.SeedPublicInCatalogRegion) + ` public images in ` + fake.SeedCatalogRegion + `), and answers the documented errors.
It also serves the 12 write calls (create, copy, import, export, share, release,
rename, delete, ImageTasks) on seeded instances and snapshots in ` + fake.SeedCatalogRegion + `: work
takes --job-duration, and each region holds --image-quota private images.`,
		Args: exactArgs(0, "fake takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if latency < 0 || latency > fake.MaxLatency {
				return usage("--latency %s is not between 0 and %s", latency, fake.MaxLatency)
			}
			opts := []fake.Option{fake.WithAddr(addr), fake.WithJobDuration(jobDuration), fake.WithImageQuota(imageQuota), fake.WithLatency(latency)}
			if logRequests {
				var mu sync.Mutex
				opts = append(opts, fake.WithObserver(func(r fake.RecordedRequest) {
					line := fmt.Sprintf("fake: %s %s %s -> %d", r.Time.UTC().Format("15:04:05.000"), terminalSafe(r.Method), terminalSafe(r.Path), r.Status)
					if r.AuthError != "" {
						line += " (refused: " + terminalSafe(r.AuthError) + ")"
					}
					if r.Fault != "" {
						line += " (injected fault: " + r.Fault + ")"
					}
					if r.Algorithm != "" {
						line += " [" + r.Algorithm + "]"
					}
					mu.Lock()
					fmt.Fprintln(a.Stderr, line)
					mu.Unlock()
				}))
			}
			srv, err := fake.Start(opts...)
			if err != nil {
				return &exitError{ExitError, err}
			}
			creds := srv.Credentials()
			url := dialable(srv.URL)
			if url != srv.URL {
				fmt.Fprintf(a.Stdout, "fake image service listening on %s (bound to %s)\n", url, strings.TrimPrefix(srv.URL, "http://"))
			} else {
				fmt.Fprintf(a.Stdout, "fake image service listening on %s\n", url)
			}
			fmt.Fprintf(a.Stdout, "  all 17 calls of JD Cloud's image API under %s/v1/regions/{regionId}:\n", url)
			fmt.Fprintf(a.Stdout, "    GET    /images[/{imageId}[/constraints|/members]], /imageConstraints, /imageTasks\n")
			fmt.Fprintf(a.Stdout, "    POST   /images:{copyImages|createImageFromSnapshots|import}, /instances/{instanceId}:createImage,\n")
			fmt.Fprintf(a.Stdout, "           /images/{imageId}:{share|unshare|release|unrelease|modifyImageAttribute|exportImage}\n")
			fmt.Fprintf(a.Stdout, "    DELETE /images/{imageId}\n")
			fmt.Fprintf(a.Stdout, "  work takes %s (--job-duration); %d private images a region (--image-quota)\n", jobDuration, imageQuota)
			fmt.Fprintf(a.Stdout, "  signed with JDCLOUD2-HMAC-SHA256 or JDCLOUD3-HMAC-SHA256\n")
			fmt.Fprintf(a.Stdout, "  test credentials (they only open this fake):\n")
			fmt.Fprintf(a.Stdout, "    export JDCLOUD_ACCESS_KEY=%s JDCLOUD_SECRET_KEY=%s\n", creds.AccessKey, creds.SecretKey)
			perRegion := map[string]int{}
			var regions []string
			for _, e := range srv.Images().List() {
				if perRegion[e.Region] == 0 {
					regions = append(regions, e.Region)
				}
				perRegion[e.Region]++
			}
			fmt.Fprintf(a.Stdout, "  images:")
			for _, r := range regions {
				fmt.Fprintf(a.Stdout, " %d in %s;", perRegion[r], r)
			}
			fmt.Fprintf(a.Stdout, " vmimage list --source public lists a region's public ones\n")
			fmt.Fprintf(a.Stdout, "  try: vmimage describe --endpoint %s --region %s %s\n", url, fake.SeedCatalogRegion, fake.SeedCentOS)
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			fmt.Fprintln(a.Stdout, "fake stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (\":8080\" listens on every interface)")
	cmd.Flags().DurationVar(&latency, "latency", 0, "delay every answer by this much, as a network would (e.g. 20ms)")
	cmd.Flags().DurationVar(&jobDuration, "job-duration", fake.DefaultJobDuration, "how long a create, copy, import or export takes (the image is pending, then ready)")
	cmd.Flags().IntVar(&imageQuota, "image-quota", fake.DefaultImageQuota, "private images allowed per region (past it create, copy and import answer 429 QUOTA_EXCEEDED)")
	cmd.Flags().BoolVar(&logRequests, "log", false, "print one line per request on stderr: method, path, status, why authentication failed, signature algorithm")
	return cmd
}

// dialable is the fake's URL as a client on this machine reaches it: an unspecified
// host (":18086" binds [::] or 0.0.0.0) becomes 127.0.0.1, which the CLI accepts
// for plain http.
func dialable(rawURL string) string {
	u, err := neturl.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() == "" || ip != nil && ip.IsUnspecified() {
		u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	}
	return u.String()
}
