package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/fake"
)

func (a *App) fakeCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Run the fake DescribeImage service (for tests, in any language)",
		Long: `Serve the fake JD Cloud DescribeImage service until interrupted. It checks
JDCLOUD2 signatures against its test credentials (printed at start), serves seeded
images in every documented region, and answers the documented errors.`,
		Args: exactArgs(0, "fake takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, err := fake.Start(fake.WithAddr(addr))
			if err != nil {
				return &exitError{ExitError, err}
			}
			creds := srv.Credentials()
			fmt.Fprintf(a.Stdout, "fake DescribeImage service listening on %s\n", srv.URL)
			fmt.Fprintf(a.Stdout, "  GET %s/v1/regions/{regionId}/images/{imageId}, signed with JDCLOUD2-HMAC-SHA256\n", srv.URL)
			fmt.Fprintf(a.Stdout, "  test credentials (they only open this fake):\n")
			fmt.Fprintf(a.Stdout, "    export JDCLOUD_ACCESS_KEY=%s JDCLOUD_SECRET_KEY=%s\n", creds.AccessKey, creds.SecretKey)
			fmt.Fprintf(a.Stdout, "  images:\n")
			for _, e := range srv.Images().List() {
				fmt.Fprintf(a.Stdout, "    %-11s %s  %s\n", e.Region, *e.Image.ImageId, str(e.Image.Name))
			}
			fmt.Fprintf(a.Stdout, "  try: vmimage --endpoint %s --region cn-north-1 describe %s\n", srv.URL, fake.SeedCentOS)
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			fmt.Fprintln(a.Stdout, "fake stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	return cmd
}
