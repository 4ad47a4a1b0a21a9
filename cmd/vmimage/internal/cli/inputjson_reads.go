package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
)

// readInputJSON gives a command that takes no body (describe, list, constraints,
// members, wait, wait-task, tasks aside) jdc's --input-json: each field of the
// object sets the flag of the same parameter (regionId --region, imageSource
// --source, ids --id, ...), unless that flag is given too (flags win); imageId and
// imageIds add arguments. A field the command has no flag for is refused. The client
// then checks every parameter against the spec before sending.
func (a *App) readInputJSONFlag(cmd *cobra.Command) *cobra.Command {
	var raw string
	cmd.Flags().StringVar(&raw, "input-json", "", "the request's parameters as JSON, as jdc takes them (regionId, imageId, ...); @FILE reads a file; flags given as well win")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if raw == "" {
			return run(cmd, args)
		}
		in, err := a.readInputJSON(cmd.Context(), raw)
		if err != nil {
			return err
		}
		for key, value := range in {
			var values []string
			var list []json.RawMessage
			if json.Unmarshal(value, &list) != nil {
				list = []json.RawMessage{value}
			}
			for _, v := range list {
				var s string
				if json.Unmarshal(v, &s) != nil {
					s = strings.Trim(string(v), " ")
				}
				if s != "null" {
					values = append(values, s)
				}
			}
			if key == "imageId" || key == "imageIds" {
				for _, v := range values {
					if !slices.Contains(args, v) {
						args = append(args, v)
					}
				}
				continue
			}
			name := strings.TrimPrefix(paramFlags[key], "--")
			if name == "" || !strings.HasPrefix(paramFlags[key], "--") {
				name = kebab(key)
			}
			fl := cmd.Flags().Lookup(name)
			if fl == nil || name == "input-json" {
				return usage("--input-json: %s takes no field %q", cmd.Name(), terminalSafe(key))
			}
			if fl.Changed {
				continue
			}
			for _, v := range values {
				if err := cmd.Flags().Set(name, v); err != nil {
					return usage("--input-json: %s: %v", key, err)
				}
			}
		}
		return run(cmd, args)
	}
	return cmd
}

// kebab turns a JSON field name into a flag name: pageSize becomes page-size.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
