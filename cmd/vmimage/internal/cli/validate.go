package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmimage/vmimage/validate"
)

func (a *App) validateCommand() *cobra.Command {
	var status int
	var operation string
	var request bool
	cmd := &cobra.Command{
		Use:   "validate [FILE|-]...",
		Short: "Check saved response bodies (or, with --request, requests) against the API's spec",
		Long: `Validate recorded response bodies of one operation (--operation, an operation id
such as describeImages or the API's name DescribeImages; without it, the operation
an envelope's result names, else describeImage) against the embedded OpenAPI
document, printing every violation with its JSON pointer.
The status is --status, or read from the body (error.code for an error envelope, else
200). What vmimage itself saves is recognised: the JSON array of
"vmimage describe -o json" (each image checked as a describeImage result) and of
"vmimage list -o json" (checked as a describeImages result); pointers then start at
the array; and the envelopes "-o raw" prints, one after another, each checked on its
own (pointers start with #N, the envelope's place). "-" reads stdin, and so does no file at all unless stdin is a terminal:
then it prints its usage instead of waiting. Exits 1 on any violation.

With --request it checks requests instead: what a write command's --dry-run
prints (one request or an array of them: method, path, body), each matched to its
operation by method and path, its path parameters and body checked against the
spec; or, with --operation, a bare request body.`,
		Example: "  vmimage validate responses/*.json\n  vmimage validate --operation describeImages pages/*.json\n  curl ... | vmimage validate --status 404 -\n  vmimage copy img-x -r cn-north-1 --to cn-east-2 --dry-run | vmimage validate --request -",
		RunE: func(cmd *cobra.Command, args []string) error {
			if status != 0 && (status < 100 || status > 599) {
				return usage("--status %d is not an HTTP status", status)
			}
			if request {
				if status != 0 {
					return usage("--status is for responses, not --request")
				}
				op := ""
				if cmd.Flags().Changed("operation") {
					op = operation
				}
				return a.runValidateRequests(cmd.Context(), args, op)
			}
			op := ""
			if cmd.Flags().Changed("operation") {
				op = operation
			}
			return a.runValidate(cmd.Context(), args, op, status)
		},
	}
	cmd.Flags().BoolVar(&request, "request", false, "check requests (what --dry-run prints, or a body with --operation) instead of responses")
	cmd.Flags().IntVar(&status, "status", 0, "HTTP status the bodies were answered with (default: from the body)")
	cmd.Flags().StringVar(&operation, "operation", "describeImage", "operation id the bodies answer (describeImage, describeImages, describeImageConstraints, describeImageConstraintsBatch, describeImageMembers)")
	_ = cmd.RegisterFlagCompletionFunc("operation", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		v, err := validate.Default()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return v.Operations(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func (a *App) runValidate(ctx context.Context, files []string, operation string, status int) error {
	v, err := validate.Default()
	if err != nil {
		return &exitError{ExitError, err}
	}
	if operation != "" {
		id, ok := v.OperationID(operation)
		if !ok {
			return usage("--operation %q is not an operation of the spec (want one of %s, or the API's name: DescribeImages, ...)", operation, strings.Join(v.Operations(), ", "))
		}
		operation = id
	}
	if len(files) == 0 {
		if a.StdinIsTerminal != nil && a.StdinIsTerminal() {
			return usage("validate needs a FILE, or - to read stdin (stdin is a terminal); usage: vmimage validate [FILE|-]... [--operation ID] [--status N]")
		}
		files = []string{"-"}
	}
	bad := 0
	for _, name := range files {
		body, err := a.readInput(ctx, name)
		if err != nil {
			return &exitError{ExitError, err}
		}
		violations, what, err := validateFile(ctx, v, operation, status, body)
		switch {
		case err != nil:
			return &exitError{ExitError, err}
		case len(violations) == 0:
			fmt.Fprintf(a.Stdout, "%s: ok (%s)\n", name, what)
		default:
			bad++
			for _, viol := range violations {
				fmt.Fprintf(a.Stdout, "%s: %s\n", name, viol)
			}
		}
	}
	if bad > 0 {
		return &exitError{ExitError, fmt.Errorf("%d of %d response(s) violate the spec", bad, len(files))}
	}
	return nil
}

// MaxValidateInput bounds one body vmimage validate reads, from a file or stdin alike.
const MaxValidateInput = 64 << 20

// readInput reads one body, a file or "-" for stdin, refusing one over
// MaxValidateInput without reading more than one byte past it. A read from stdin
// ends early when ctx does (Ctrl-C), even if stdin never sends anything.
func (a *App) readInput(ctx context.Context, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = a.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, MaxValidateInput+1))
		done <- result{b, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, ctx.Err() // the read goroutine ends with the process
	}
	if res.err != nil {
		return nil, res.err
	}
	if len(res.b) > MaxValidateInput {
		return nil, fmt.Errorf("%s is larger than the %d MiB that vmimage validate reads", name, MaxValidateInput>>20)
	}
	return res.b, nil
}

// validateFile validates what one file holds: one body (see validateSaved), or the
// envelopes -o raw prints, one JSON value after another, each checked on its own
// (violations' pointers prefixed with #N, the envelope's place from 1). Without
// operation, each body's operation is read from its result's members (describeImage
// when they say nothing).
func validateFile(ctx context.Context, v *validate.Validator, operation string, status int, body []byte) ([]validate.Violation, string, error) {
	opOf := func(b []byte) string {
		if operation != "" {
			return operation
		}
		if op := operationOf(b); op != "" {
			return op
		}
		return "describeImage"
	}
	values := jsonValues(body)
	if len(values) < 2 {
		return validateSaved(ctx, v, opOf(body), status, body)
	}
	var all []validate.Violation
	ops := map[string]bool{}
	for i, env := range values {
		op := opOf(env)
		ops[op] = true
		vs, _, err := validateSaved(ctx, v, op, status, env)
		if err != nil {
			return nil, "", err
		}
		for _, viol := range vs {
			viol.Pointer = "#" + strconv.Itoa(i+1) + viol.Pointer
			all = append(all, viol)
		}
	}
	names := make([]string, 0, len(ops))
	for op := range ops {
		names = append(names, op)
	}
	slices.Sort(names)
	return all, fmt.Sprintf("%d envelopes (vmimage -o raw output) of %s", len(values), strings.Join(names, ", ")), nil
}

// jsonValues splits body into its top-level JSON values; nil when it is not a
// sequence of JSON values.
func jsonValues(body []byte) []json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(body))
	var vs []json.RawMessage
	for {
		var v json.RawMessage
		switch err := dec.Decode(&v); {
		case err == io.EOF:
			return vs
		case err != nil:
			return nil
		}
		vs = append(vs, v)
	}
}

// operationOf names the read operation an envelope answers, from its result's
// members; "" when they name none.
func operationOf(env []byte) string {
	var e struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	if json.Unmarshal(env, &e) != nil {
		return ""
	}
	has := func(k string) bool { _, ok := e.Result[k]; return ok }
	switch {
	case has("image"):
		return "describeImage"
	case has("images"):
		return "describeImages"
	case has("imageConstraints"):
		if c := bytes.TrimSpace(e.Result["imageConstraints"]); len(c) > 0 && c[0] == '[' {
			return "describeImageConstraintsBatch"
		}
		return "describeImageConstraints"
	case has("pins"):
		return "describeImageMembers"
	case has("taskSet"):
		return "imageTasks"
	}
	return ""
}

// validateSaved validates one saved body: a response body of the operation, or the
// JSON array vmimage describe or list -o json prints (each image put back in the
// envelope it came in, its violations' pointers made relative to the array). what
// says what was checked.
func validateSaved(ctx context.Context, v *validate.Validator, operation string, status int, body []byte) ([]validate.Violation, string, error) {
	check := func(body []byte, status int) ([]validate.Violation, error) {
		err := v.ValidateBody(ctx, operation, status, "application/json", body)
		var verr *validate.Error
		switch {
		case err == nil:
			return nil, nil
		case errors.As(err, &verr):
			return verr.Violations, nil
		}
		return nil, err
	}
	var items []json.RawMessage
	if status == 0 || status == 200 {
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) && json.Unmarshal(body, &items) == nil {
			switch operation {
			case "describeImage":
				var all []validate.Violation
				for i, img := range items {
					env, _ := json.Marshal(map[string]any{"requestId": "vmimage-output", "result": map[string]any{"image": img}})
					vs, err := check(env, 200)
					if err != nil {
						return nil, "", err
					}
					all = append(all, repoint(vs, "/result/image", "/"+strconv.Itoa(i))...)
				}
				return all, fmt.Sprintf("vmimage describe -o json output, %d image(s)", len(items)), nil
			case "describeImages":
				env, _ := json.Marshal(map[string]any{"requestId": "vmimage-output", "result": map[string]any{"images": items, "totalCount": len(items)}})
				vs, err := check(env, 200)
				return repoint(vs, "/result/images", ""), fmt.Sprintf("vmimage list -o json output, %d image(s)", len(items)), err
			}
		}
	}
	if status == 0 {
		status = statusFromBody(body)
	}
	vs, err := check(body, status)
	return vs, fmt.Sprintf("status %d", status), err
}

// repoint replaces the prefix from of the violations' pointers by to.
func repoint(vs []validate.Violation, from, to string) []validate.Violation {
	for i := range vs {
		if rest, ok := strings.CutPrefix(vs[i].Pointer, from); ok {
			vs[i].Pointer = to + rest
		}
	}
	return vs
}

// statusFromBody reads error.code from an error envelope; anything else is 200.
func statusFromBody(body []byte) int {
	var env struct {
		Error *struct {
			Code json.Number `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		if n, err := env.Error.Code.Int64(); err == nil && n >= 100 && n <= 599 {
			return int(n)
		}
	}
	return 200
}
