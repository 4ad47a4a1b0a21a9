package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// refuseWithoutTerminal is the first step of a command that asks: without --yes it
// needs a terminal to ask on, and refuses (exit 2) before sending anything.
func (a *App) refuseWithoutTerminal(w *writeFlags, verb string) error {
	if w.yes || w.dryRun {
		return nil
	}
	if a.StdinIsTerminal == nil || !a.StdinIsTerminal() {
		return usage("refusing to %s without confirmation: stdin is not a terminal to ask on; add --yes to %s without asking (nothing was sent)", verb, verb)
	}
	return nil
}

// imageSummary describes an image for a confirmation: its name and status, whom it
// is shared with, and its snapshots (named when they would go too).
func (a *App) imageSummary(ctx context.Context, c *client.Client, region, id string, snapshotsGo bool) (string, error) {
	img, _, err := c.DescribeImage(ctx, region, id)
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("  %s  %q  (%s, %s)", terminalSafe(id), terminalSafe(img.GetName()), cell(img.GetStatus()), cell(img.GetImageSource()))
	if img.GetImageSource() == api.ImageSourcePrivate {
		if m, _, err := c.DescribeImageMembers(ctx, region, id); err == nil {
			accounts := append(append([]string{}, m.Pins...), m.LoginNames...)
			if len(accounts) > 0 {
				for i := range accounts {
					accounts[i] = terminalSafe(accounts[i])
				}
				s += "\n      shared with " + strings.Join(accounts, ", ")
			}
		}
	}
	if snaps := imageSnapshots(img); len(snaps) > 0 {
		if snapshotsGo {
			s += "\n      its snapshots go too: " + strings.Join(snaps, ", ")
		} else {
			s += "\n      its snapshots stay: " + strings.Join(snaps, ", ")
		}
	}
	return s, nil
}

// imageSnapshots lists an image's snapshot ids (escaped).
func imageSnapshots(img *api.Image) []string {
	var out []string
	if id := img.GetSnapshotId(); id != "" {
		out = append(out, terminalSafe(id))
	}
	disks := img.GetDataDisks()
	if img.SystemDisk != nil {
		disks = append([]api.InstanceDiskAttachment{*img.SystemDisk}, disks...)
	}
	for _, d := range disks {
		if cd := d.GetCloudDisk(); cd != nil && cd.GetSnapshotId() != "" {
			id := terminalSafe(cd.GetSnapshotId())
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// ask prints what is about to happen and reads the answer from the terminal: only
// "yes" (or "y") goes on.
func (a *App) ask(ctx context.Context, w *writeFlags, question string, lines []string) error {
	if w.yes || w.dryRun {
		return nil
	}
	fmt.Fprintf(a.Stderr, "%s\n%s\nType yes to go on: ", question, strings.Join(lines, "\n"))
	type answer struct {
		s   string
		err error
	}
	got := make(chan answer, 1)
	go func() {
		s, err := bufio.NewReader(a.Stdin).ReadString('\n')
		got <- answer{s, err}
	}()
	var ans answer
	select {
	case ans = <-got:
	case <-ctx.Done():
		fmt.Fprintln(a.Stderr)
		return &exitError{ExitInterrupted, errors.New("interrupted: nothing was changed")}
	}
	switch strings.ToLower(strings.TrimSpace(ans.s)) {
	case "yes", "y":
		return nil
	}
	if ans.err != nil {
		fmt.Fprintln(a.Stderr)
	}
	return &exitError{ExitError, errors.New("not confirmed: nothing was changed")}
}
