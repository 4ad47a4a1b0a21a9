package cli

import (
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/vmimage/vmimage/client"
)

// rawOptions are the client options of -o raw (none for another format): every
// successful call's envelope is printed as the service sent it, one per line, and the
// calls are made one after another (pages one at a time) so that the envelopes come
// in the order of the ids or pages.
func (a *App) rawOptions(format string) []client.Option {
	if format != "raw" {
		return nil
	}
	var mu sync.Mutex
	tty := a.IsTerminal != nil && a.IsTerminal(a.Stdout)
	return []client.Option{client.WithPagesInFlight(1), client.WithSuccessObserver(func(_ client.Operation, resp *client.Response) {
		b := resp.Body
		if tty {
			b = escapeControls(b)
		}
		mu.Lock()
		defer mu.Unlock()
		a.Stdout.Write(b)
		if len(b) == 0 || b[len(b)-1] != '\n' {
			a.Stdout.Write([]byte{'\n'})
		}
	})}
}

// escapeControls writes control characters (C0 but newline and tab, DEL, C1) as JSON
// \u escapes, so that a terminal shows the envelope without obeying anything in it;
// inside a JSON string the escape means the same character. Bytes that are not UTF-8
// are escaped too. Output to a file or pipe is left byte for byte.
func escapeControls(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, `\ufffd`...)
		case r == '\n' || r == '\t':
			out = append(out, byte(r))
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			out = append(out, `\u00`...)
			if r < 0x10 {
				out = append(out, '0')
			}
			out = strconv.AppendInt(out, int64(r), 16)
		default:
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
