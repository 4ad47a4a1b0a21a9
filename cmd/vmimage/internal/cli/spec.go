package cli

import (
	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage"
)

func (a *App) specCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "spec",
		Short: "Print the embedded OpenAPI document (openapi.yaml), byte for byte",
		Args:  exactArgs(0, "spec takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := a.Stdout.Write(vmimage.Spec); err != nil {
				return &exitError{ExitError, err}
			}
			return nil
		},
	}
}
