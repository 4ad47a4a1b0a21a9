package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/client"
)

func (a *App) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the module version and VCS revision, and the Go version",
		Args:  exactArgs(0, "version takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(a.Stdout, versionLine())
			return nil
		},
	}
}

// versionLine reads the build information: the client version, the module version
// ("(devel)" for a build from a checkout), the VCS revision and whether the tree was
// modified, and the Go version and platform.
func versionLine() string {
	module, revision := "unknown", "unknown"
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		module = bi.Main.Path + " " + bi.Main.Version
		goVersion = bi.GoVersion
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
				if len(revision) > 12 {
					revision = revision[:12]
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified {
			revision += " (modified)"
		}
	}
	return fmt.Sprintf("vmimage %s (module %s, revision %s, %s %s/%s)", client.Version, module, revision, goVersion, runtime.GOOS, runtime.GOARCH)
}
