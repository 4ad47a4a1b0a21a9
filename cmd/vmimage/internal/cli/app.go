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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/credentials"
)

// Exit codes of vmimage.
const (
	ExitOK       = 0 // success
	ExitError    = 1 // an API, network or validation error
	ExitUsage    = 2 // bad command line
	ExitNotFound = 3 // the image does not exist
	ExitTimeout  = 4 // the wait (or --timeout) ran out
	ExitFailed   = 5 // the image will not become ready (error, deleting, offline)
	// ExitInterrupted is the exit code after Ctrl-C (128 + SIGINT).
	ExitInterrupted = 130
)

// exitCodes say what each exit code means: the root command's help prints them, and
// a test holds the README's exit-code table to them.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{ExitOK, "success"},
	{ExitError, "an API, network or validation error"},
	{ExitUsage, "usage: a bad command line, or a parameter refused before anything was sent"},
	{ExitNotFound, "not found: the image asked for, or every image that failed (describe, constraints)"},
	{ExitTimeout, "timeout: the wait or --timeout ran out"},
	{ExitFailed, "the image will not become ready (status error or deleting, or offline), or the task failed"},
	{ExitInterrupted, "interrupted (Ctrl-C; 143 for SIGTERM); a write prints what it made first"},
}

// exitCodeHelp is the exit-code section of the root command's help.
func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "  %3d  %s\n", c.code, c.meaning)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// App is one invocation's environment. New fills it from the process; tests
// replace fields.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (JDCLOUD_REGION, TERM).
	Getenv func(string) string
	// IsTerminal reports whether w is a terminal (progress bars are drawn only there).
	IsTerminal func(w io.Writer) bool
	// StdinIsTerminal reports whether stdin is a terminal (validate then needs a file).
	StdinIsTerminal func() bool
	// TerminalWidth returns the width of the terminal w is, 0 when unknown.
	TerminalWidth func(w io.Writer) int
	// ClientOptions are added to every client the commands build (tests inject a
	// transport or a clock here).
	ClientOptions []client.Option
	// Clock drives the demo's in-process fake and client (nil: the system clock).
	Clock client.Clock
	// WriteTimeout bounds a write command that does not wait, when --timeout is not
	// given (0: DefaultWriteTimeout).
	WriteTimeout time.Duration
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
		StdinIsTerminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		TerminalWidth: func(w io.Writer) int {
			f, ok := w.(*os.File)
			if !ok {
				return 0
			}
			width, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return width
		},
	}
}

// globals are the flags of the commands that call the API (describe, list,
// constraints, members, wait); the others do not take them.
type globals struct {
	region       string
	endpoint     string
	insecureHTTP bool
	profile      string
	timeout      time.Duration // 0: not given
	debug        bool
	query        string
	// last are client options applied after App.ClientOptions (a dry run's
	// capturing transport must win over a test's).
	last []client.Option
	// api is the flag set of the fields above (but query), built once by flagSet.
	api *pflag.FlagSet
}

// flagSet builds the API flags, bound to g, once per command line: the one set every
// command that calls the API adds (cmd.Flags().AddFlagSet), with jdc's --region-id as
// an alias of --region.
func (g *globals) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("api", pflag.ContinueOnError)
	fl.StringVarP(&g.region, "region", "r", "", "region id (default $JDCLOUD_REGION, then the profile's region_id; also --region-id)")
	fl.StringVar(&g.region, "region-id", "", "alias of --region, as jdc spells it")
	_ = fl.MarkHidden("region-id")
	fl.StringVar(&g.endpoint, "endpoint", "", "service URL, or host:port as the jdc profile writes it (default: the profile's endpoint, then "+client.DefaultEndpoint+")")
	fl.BoolVar(&g.insecureHTTP, "insecure-http", false, "allow a plain-http --endpoint on any host (requests are signed but not encrypted)")
	fl.StringVar(&g.profile, "profile", "", "jdc profile to use; its keys win over the environment's (default $JDCLOUD_PROFILE, ~/.jdc/current, default)")
	fl.Var(positiveDuration{&g.timeout}, "timeout", "give up after this long (default 2m; list 10m; wait: the maximum wait, 30m)")
	fl.BoolVar(&g.debug, "debug", false, "log each HTTP attempt, and where endpoint, region and credentials came from, to stderr (credentials are never logged)")
	return fl
}

// apiCommand adds the API flags to cmd, and --query when it prints a document.
func (g *globals) apiCommand(cmd *cobra.Command, query bool) *cobra.Command {
	cmd.Flags().AddFlagSet(g.api)
	if query {
		cmd.Flags().Var(queryFlag{&g.query}, "query", "JMESPath expression applied to the whole document, printed in the -o format (as in the AWS CLI; default json)")
	}
	return cmd
}

// positiveDuration is a duration flag that refuses 0 and negative values (a
// --timeout 0 would otherwise silently mean "the default").
type positiveDuration struct{ d *time.Duration }

func (p positiveDuration) String() string {
	if p.d == nil || *p.d == 0 {
		return ""
	}
	return p.d.String()
}

func (p positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return fmt.Errorf("not a duration (for example 90s, 5m or 1h30m)")
	case d <= 0:
		return fmt.Errorf("must be positive")
	}
	*p.d = d
	return nil
}

func (positiveDuration) Type() string { return "duration" }

// exitError carries an exit code with the error to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the one place an error becomes an exit code: an *exitError carries
// its own; the client's errors are classified by kind; anything else is 1.
func exitCode(err error) int {
	var ee *exitError
	var wt *client.WaitTimeoutError
	var wf *client.WaitFailedError
	var ip *client.InvalidParameterError
	var oe *client.OptionError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ip), errors.As(err, &oe):
		return ExitUsage // refused before anything was sent
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, client.ErrNotFound):
		return ExitNotFound
	case errors.As(err, &wt), errors.Is(err, context.DeadlineExceeded):
		return ExitTimeout
	case errors.As(err, &wf):
		return ExitFailed
	}
	return ExitError
}

func usage(format string, args ...any) error {
	return &exitError{ExitUsage, fmt.Errorf(format, args...)}
}

// Run executes the command line args and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	started := false // a command's RunE was reached: cobra's own errors come before
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	root.SetArgs(args)
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if !started && code == ExitError {
		code = ExitUsage // errors cobra raises itself are about the command line
	}
	fmt.Fprintln(a.Stderr, oneLine(err))
	if code == ExitUsage {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(a.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
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
	g.api = g.flagSet()
	root := &cobra.Command{
		Use:   "vmimage",
		Short: "Find, describe, make, copy, share, publish and delete JD Cloud VM images, wait for them, and check requests and responses against the spec",
		Long: `vmimage talks to JD Cloud's Virtual Machines image API: the reads (describe, list,
constraints, members, tasks) and the writes (create, copy, import, export, share,
unshare, release, unrelease, modify, delete). Every write takes --dry-run (print the
request, send nothing); delete, release and unshare ask first (--yes without a
terminal); create, copy, import, export and delete take --wait.

Credentials come from the environment (JDCLOUD_ACCESS_KEY, JDCLOUD_SECRET_KEY,
optionally JDCLOUD_SECURITY_TOKEN) or from the jdc CLI's profile file ~/.jdc/config;
never from flags. Try it with no account: vmimage demo.

` + exitCodeHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionLine(),
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage("%v", err) })
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(a.readInputJSONFlag(a.describeCommand(g)), a.readInputJSONFlag(a.listCommand(g)),
		a.readInputJSONFlag(a.constraintsCommand(g)), a.readInputJSONFlag(a.membersCommand(g)), a.readInputJSONFlag(a.waitCommand(g)),
		a.createCommand(g), a.copyCommand(g), a.importCommand(g), a.exportCommand(g), a.tasksCommand(g), a.readInputJSONFlag(a.waitTaskCommand(g)),
		a.shareCommand(g, false), a.shareCommand(g, true), a.releaseCommand(g, false), a.releaseCommand(g, true),
		a.modifyCommand(g), a.deleteCommand(g),
		a.validateCommand(), a.specCommand(), a.fakeCommand(), a.demoCommand(), a.versionCommand())
	return root
}

// newClient builds a client from the global flags. Which source gives each setting
// (flag, environment, profile) is decided by package credentials, through the
// client: the CLI only passes its flags on.
func (a *App) newClient(g *globals, extra ...client.Option) (*client.Client, error) {
	opts := []client.Option{client.WithUserAgentSuffix("vmimage-cli/" + client.Version)}
	if g.region != "" {
		if err := client.CheckRegionID(g.region); err != nil {
			return nil, usage("--region %q: must look like cn-north-1 (lowercase letters, then '-'-separated groups of lowercase letters and digits)", g.region)
		}
		opts = append(opts, client.WithRegion(g.region))
	}
	if g.endpoint != "" {
		opts = append(opts, client.WithEndpoint(g.endpoint))
	}
	if g.insecureHTTP {
		opts = append(opts, client.WithInsecureHTTP())
		if strings.HasPrefix(g.endpoint, "http:") {
			fmt.Fprintln(a.Stderr, "vmimage: warning: --insecure-http: requests to "+terminalSafe(g.endpoint)+" travel unencrypted (signed, but readable and replayable by anyone on the path)")
		}
	}
	if g.profile != "" {
		opts = append(opts, client.WithProfile(g.profile))
	}
	var logger *slog.Logger
	if g.debug {
		logger = slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, client.WithLogger(logger))
	}
	opts = append(opts, extra...)
	opts = append(opts, a.ClientOptions...)
	opts = append(opts, g.last...)
	c, err := client.New(opts...)
	switch {
	case errors.Is(err, client.ErrPlainHTTP):
		return nil, usage("--endpoint %s: plain http is only allowed for loopback or vm.internal.<region>.jdcloud-api.com; add --insecure-http to send requests there unencrypted", terminalSafe(g.endpoint))
	case err != nil:
		var oe *client.OptionError
		if errors.As(err, &oe) {
			return nil, usage("%s", flagWords.Replace(oe.Error()))
		}
		return nil, &exitError{ExitError, err}
	}
	if logger != nil {
		s := settingSources(c)
		logger.Debug("vmimage: settings", "endpoint", c.Endpoint(), "endpoint_from", s.Endpoint,
			"region", c.DefaultRegion(), "region_from", s.Region, "credentials_from", s.Credentials)
	}
	return c, nil
}

// flagWords names the flags behind the client's options, so that no CLI message
// names a Go option.
var flagWords = strings.NewReplacer(
	"WithEndpoint: ", "--endpoint: ", "WithRegion: ", "--region: ", "WithProfile: ", "--profile: ",
	"WithRateLimit: ", "--rate: ", "(use WithInsecureHTTP to override)", "(add --insecure-http to override)",
	"endpoint: ", "--endpoint: ", "vmimage: new client: ", "")

// settingSources is where the client's settings came from, in the CLI's words (a
// setting given in code is the flag's).
func settingSources(c *client.Client) client.Sources {
	s := c.Sources()
	if s.Region == credentials.SourceExplicit {
		s.Region = "--region"
	}
	if s.Region == "" {
		s.Region = "nowhere"
	}
	if s.Endpoint == credentials.SourceExplicit {
		s.Endpoint = "--endpoint"
	}
	return s
}

// explain adds to an API error what a CLI user needs to act on it: for a 404 in a
// region JD Cloud does not document, that the region may be the mistake; for a 401,
// where the credentials, the endpoint and the region came from (never the secret).
func explain(err error, region string, c *client.Client) error {
	var ip *client.InvalidParameterError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ip):
		return usage("%s", flagError(ip))
	case errors.Is(err, client.ErrNotFound) && !slices.Contains(client.DocumentedRegions(), region):
		return fmt.Errorf("%w (note: region %q is not one of the documented regions %s: check --region)", err, region, strings.Join(client.DocumentedRegions(), ", "))
	case errors.Is(err, client.ErrUnauthorized):
		s := settingSources(c)
		return fmt.Errorf("%w (credentials from %s; endpoint %s from %s; region %s from %s)", err, s.Credentials,
			c.Endpoint(), s.Endpoint, region, s.Region)
	}
	return err
}

// paramFlags names the flag behind each API parameter the client checks.
var paramFlags = map[string]string{
	"regionId": "--region", "imageId": "image id", "imageIds": "image id", "ids": "--id", "instanceIds": "--instance-id",
	"imageSource": "--source", "status": "--status", "architecture": "--arch", "rootDeviceType": "--root-device-type",
	"launchPermission": "--launch-permission", "bootMode": "--boot-mode", "platform": "--platform", "imageName": "--name",
	"pageNumber": "--page", "pageSize": "--page-size",
	// The write commands' parameters and body fields.
	"taskAction": "--action", "taskStatus": "--status", "taskIds": "task id", "startTime": "--since", "endTime": "--until",
	"name": "--name", "description": "--description", "instanceId": "instance id", "sourceImageIds": "image id",
	"destinationRegion": "--to", "pins": "--pin", "loginNames": "--login-name", "deleteSnapshot": "--delete-snapshots",
	"imageUrl": "--url", "osType": "--os-type", "osVersion": "--os-version", "diskFormat": "--disk-format",
	"systemDiskSizeGB": "--system-disk-size", "forceImport": "--force", "clientToken": "--client-token",
	"dataDisks": "--data-disks", "cloudDisks": "--snapshot or --cloud-disks", "roleName": "--role-name", "ossUrl": "--oss-url",
	"ossPrefix": "--oss-prefix", "isAllDisk": "--all-disks",
}

// opParamFlags names the flag of a parameter whose flag differs between commands:
// list filters by --arch, while create and import set --architecture.
var opParamFlags = map[string]map[string]string{
	"CreateImageFromSnapshots": {"architecture": "--architecture"},
	"ImportImage":              {"architecture": "--architecture"},
}

// flagError says what the client refused in the words of the command line: the flag
// (and which of a repeated one), not the API parameter.
func flagError(ip *client.InvalidParameterError) string {
	name, index, _ := strings.Cut(ip.Param, "[")
	flag, ok := opParamFlags[ip.Op.Name][name]
	if !ok {
		flag, ok = paramFlags[name]
	}
	if !ok {
		flag = name
	}
	index, field, _ := strings.Cut(index, "]")
	if i, err := strconv.Atoi(index); err == nil {
		flag += " #" + strconv.Itoa(i+1)
	}
	if field = strings.TrimPrefix(field, "."); field != "" {
		flag += " " + field
	}
	return flag + ": " + ip.Reason
}

// session is what a command that calls the API starts with: a client from the API
// flags, the region, and the context bounded by --timeout (def when not given; 0
// leaves the context alone). cancel must be called.
func (a *App) session(ctx context.Context, g *globals, def time.Duration, extra ...client.Option) (c *client.Client, region string, _ context.Context, cancel context.CancelFunc, err error) {
	cancel = func() {}
	if c, err = a.newClient(g, extra...); err != nil {
		return nil, "", ctx, cancel, err
	}
	if region = c.DefaultRegion(); region == "" {
		return nil, "", ctx, cancel, usage("no region: give --region, set JDCLOUD_REGION, or set region_id in the jdc profile")
	}
	if def > 0 {
		ctx, cancel, _ = withTimeout(ctx, g, def)
	}
	return c, region, ctx, cancel, nil
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
