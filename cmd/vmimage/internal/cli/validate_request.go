package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// runValidateRequests checks requests against the spec: each input is what a write
// command's --dry-run prints (one request object or an array of them), or, with
// operation set, a bare request body of that operation.
func (a *App) runValidateRequests(ctx context.Context, files []string, operation string) error {
	if len(files) == 0 {
		if a.StdinIsTerminal != nil && a.StdinIsTerminal() {
			return usage("validate --request needs a FILE, or - to read stdin (stdin is a terminal)")
		}
		files = []string{"-"}
	}
	var op *specOperation
	if operation != "" {
		o, err := operationByID(operation)
		if err != nil {
			return usage("--operation: %v", err)
		}
		op = o
	}
	bad := 0
	for _, name := range files {
		body, err := a.readInput(ctx, name)
		if err != nil {
			return &exitError{ExitError, err}
		}
		problems, what := checkRequestsDoc(op, body)
		if len(problems) == 0 {
			fmt.Fprintf(a.Stdout, "%s: ok (%s)\n", name, what)
			continue
		}
		bad++
		for _, p := range problems {
			fmt.Fprintf(a.Stdout, "%s: %s\n", name, p)
		}
	}
	if bad > 0 {
		return &exitError{ExitError, fmt.Errorf("%d of %d request file(s) violate the spec", bad, len(files))}
	}
	return nil
}

// checkRequestsDoc checks one input of validate --request and says what it held.
func checkRequestsDoc(op *specOperation, doc []byte) ([]string, string) {
	if op != nil {
		return checkBody(op, doc), op.id + " request body"
	}
	trimmed := bytes.TrimSpace(doc)
	var reqs []dryRequest
	if bytes.HasPrefix(trimmed, []byte("[")) {
		if err := strictJSON(trimmed, &reqs); err != nil {
			return []string{"not a request list as --dry-run prints it: " + err.Error()}, ""
		}
	} else {
		var r dryRequest
		if err := strictJSON(trimmed, &r); err != nil {
			return []string{"not a request as --dry-run prints it (or give --operation for a bare body): " + err.Error()}, ""
		}
		reqs = []dryRequest{r}
	}
	if len(reqs) == 0 {
		return []string{"no request"}, ""
	}
	var problems, ids []string
	for i, r := range reqs {
		if r.Method == "" || r.Path == "" {
			problems = append(problems, fmt.Sprintf("request %d: needs method and path", i+1))
			continue
		}
		id, ps, err := checkRequest(r)
		if err != nil {
			return []string{err.Error()}, ""
		}
		for _, p := range ps {
			problems = append(problems, fmt.Sprintf("request %d (%s %s): %s", i+1, r.Method, terminalSafe(r.Path), p))
		}
		ids = append(ids, id)
	}
	return problems, fmt.Sprintf("%d request(s): %s", len(reqs), strings.Join(ids, ", "))
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
