// Package cli implements the vmimage command line. It is internal to the command;
// tests drive it in-process through App.Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vmimage/vmimage/client"
)

// Exit codes of vmimage.
const (
	ExitOK       = 0 // success
	ExitError    = 1 // an API, network or validation error
	ExitUsage    = 2 // bad command line
	ExitNotFound = 3 // the image does not exist
	ExitTimeout  = 4 // the wait (or --timeout) ran out
	ExitFailed   = 5 // the image will not become ready (error, deleting, offline)
)

// App is one invocation's environment. New fills it from the process; tests
// replace fields.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (JDCLOUD_REGION).
	Getenv func(string) string
	// IsTerminal reports whether w is a terminal (progress bars are drawn only there).
	IsTerminal func(w io.Writer) bool
	// ClientOptions are added to every client the commands build (tests inject a
	// transport or a clock here).
	ClientOptions []client.Option
	// Clock drives the demo's in-process fake and client (nil: the system clock).
	Clock client.Clock
}

// New returns an App wired to the process's standard streams and environment.
func New() *App {
	return &App{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		IsTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
	}
}

// globals are the flags every command shares.
type globals struct {
	region   string
	endpoint string
	profile  string
	timeout  time.Duration
	debug    bool
}

// exitError carries an exit code with the error to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// fail classifies err into an exit code.
func fail(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var wt *client.WaitTimeoutError
	var wf *client.WaitFailedError
	var ip *client.InvalidParameterError
	switch {
	case errors.As(err, &ip):
		return &exitError{ExitUsage, err} // refused before anything was sent
	case errors.Is(err, client.ErrNotFound):
		return &exitError{ExitNotFound, err}
	case errors.As(err, &wt), errors.Is(err, context.DeadlineExceeded):
		return &exitError{ExitTimeout, err}
	case errors.As(err, &wf):
		return &exitError{ExitFailed, err}
	}
	return &exitError{ExitError, err}
}

func usage(format string, args ...any) error {
	return &exitError{ExitUsage, fmt.Errorf(format, args...)}
}

// Run executes the command line args and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitUsage // errors cobra raises itself are about the command line
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintln(a.Stderr, oneLine(err))
	if code == ExitUsage {
		fmt.Fprintln(a.Stderr, "Run 'vmimage --help' for usage.")
	}
	return code
}

// oneLine renders an error as a single line starting with "vmimage: ".
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if !strings.HasPrefix(s, "vmimage: ") {
		s = "vmimage: " + s
	}
	return s
}

func (a *App) rootCommand() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "vmimage",
		Short: "Find, describe and check JD Cloud VM images, wait for them, and check responses against the spec",
		Long: `vmimage talks to JD Cloud's Virtual Machines image read API: DescribeImage,
DescribeImages, DescribeImageConstraints(Batch) and DescribeImageMembers.

Credentials come from the environment (JDCLOUD_ACCESS_KEY, JDCLOUD_SECRET_KEY,
optionally JDCLOUD_SECURITY_TOKEN) or from the jdc CLI's profile file ~/.jdc/config;
never from flags. Try it with no account: vmimage demo.

Exit codes: 0 ok, 1 API, network or validation error, 2 usage, 3 not found,
4 timeout, 5 image failed (error, deleting or offline).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       client.Version,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage("%v", err) })
	pf := root.PersistentFlags()
	pf.StringVarP(&g.region, "region", "r", "", "region id (default $JDCLOUD_REGION, then the profile's region_id)")
	pf.StringVar(&g.endpoint, "endpoint", "", "service base URL (default "+client.DefaultEndpoint+")")
	pf.StringVar(&g.profile, "profile", "", "jdc profile to read credentials from (default $JDCLOUD_PROFILE, ~/.jdc/current, default)")
	pf.DurationVar(&g.timeout, "timeout", 0, "give up after this long (describe: 2m; wait: the maximum wait, 30m)")
	pf.BoolVar(&g.debug, "debug", false, "log each HTTP attempt to stderr (credentials are never logged)")
	root.AddCommand(a.describeCommand(g), a.listCommand(g), a.constraintsCommand(g), a.membersCommand(g), a.waitCommand(g), a.validateCommand(), a.specCommand(), a.fakeCommand(), a.demoCommand())
	return root
}

// newClient builds a client from the global flags; credentials come from the
// environment or the profile file.
func (a *App) newClient(g *globals, extra ...client.Option) (*client.Client, error) {
	opts := []client.Option{client.WithUserAgentSuffix("vmimage-cli/" + client.Version)}
	if g.endpoint != "" {
		opts = append(opts, client.WithEndpoint(g.endpoint))
	}
	if g.profile != "" {
		opts = append(opts, client.WithProfile(g.profile))
	}
	if g.debug {
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append(opts, extra...)
	opts = append(opts, a.ClientOptions...)
	c, err := client.New(opts...)
	if err != nil {
		return nil, &exitError{ExitError, err}
	}
	return c, nil
}

// region picks --region, then $JDCLOUD_REGION, then the profile's region.
func (a *App) region(g *globals, c *client.Client) (string, error) {
	switch {
	case g.region != "":
		return g.region, nil
	case a.Getenv != nil && a.Getenv("JDCLOUD_REGION") != "":
		return a.Getenv("JDCLOUD_REGION"), nil
	case c.DefaultRegion() != "":
		return c.DefaultRegion(), nil
	}
	return "", usage("no region: give --region, set JDCLOUD_REGION, or set region_id in the jdc profile")
}

// withTimeout applies --timeout, or def when it is not set.
func withTimeout(ctx context.Context, g *globals, def time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	d := def
	if g.timeout > 0 {
		d = g.timeout
	}
	c, cancel := context.WithTimeout(ctx, d)
	return c, cancel, d
}
