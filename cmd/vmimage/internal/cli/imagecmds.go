package cli

import (
	"strings"
)

// imageArg takes the one image a command acts on: the argument, --image-id, or the
// --input-json's imageId.
func imageArg(args []string, flag string) (string, error) {
	switch {
	case len(args) > 1:
		return "", usage("give one image id (got %d)", len(args))
	case len(args) == 1 && flag != "" && flag != args[0]:
		return "", usage("--image-id %q and the argument %q disagree", flag, args[0])
	case len(args) == 1:
		return args[0], nil
	}
	return flag, nil
}

// printDry ends a dry run: the captured requests, or the error that stopped them.
func (a *App) printDry(s *writeSession, err error) error {
	if err := dryRunOutcome(err); err != nil {
		return a.writeError(err, s.region, s.c, "")
	}
	return s.dry.print(a.Stdout)
}

// accountsWords names the accounts of a share.
func accountsWords(pins, logins []string) string {
	var parts []string
	if len(pins) > 0 {
		parts = append(parts, "pin "+terminalSafe(strings.Join(pins, ", ")))
	}
	if len(logins) > 0 {
		parts = append(parts, "login name "+terminalSafe(strings.Join(logins, ", ")))
	}
	return strings.Join(parts, "; ")
}
