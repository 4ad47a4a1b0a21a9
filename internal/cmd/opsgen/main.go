// Command opsgen is the go generate step that turns every operation of openapi.yaml
// into a descriptor the client's one pipeline runs: operation id and JD Cloud API
// name, method, path template (with JD's colon), path and query parameters (array
// parameters marked x-jdcloud-array-encoding: indexed), the retry rule
// (x-vmimage-retry), the idempotency token field (x-vmimage-idempotency-token), the
// result fields a success must carry, and the constraints of every parameter and body
// field (required, enum, pattern, lengths, item counts, ranges, multiples). It also
// writes the sentinel errors of x-vmimage-error-statuses and the limits the client
// exports (RegionIDPattern, MaxIDs, ...), each read from the spec. With -arrays-out
// it also writes, for the packages that decode queries (the fake, the validator),
// the table of indexed array parameters per operation id (IndexedArrayParams).
//
// Usage: go run ./internal/cmd/opsgen -spec openapi.yaml -out client/ops.gen.go \
//
//	-arrays-out internal/apiclient/arrays.gen.go -arrays-package apiclient
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

func main() {
	spec := flag.String("spec", "openapi.yaml", "the OpenAPI document")
	out := flag.String("out", "", "the Go file to write")
	pkg := flag.String("package", "client", "the Go package of the output")
	arraysOut := flag.String("arrays-out", "", "the Go file to write the indexed array parameters to (none when empty)")
	arraysPkg := flag.String("arrays-package", "apiclient", "the Go package of -arrays-out")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "opsgen: -out is required")
		os.Exit(2)
	}
	if err := run(*spec, *out, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "opsgen:", err)
		os.Exit(1)
	}
	if *arraysOut != "" {
		if err := runArrays(*spec, *arraysOut, *arraysPkg); err != nil {
			fmt.Fprintln(os.Stderr, "opsgen:", err)
			os.Exit(1)
		}
	}
}

type node = map[string]any

type gen struct {
	doc node
	b   bytes.Buffer
	// schemas are the component schemas referred to, rendered once as variables.
	schemas map[string]bool
	queue   []string
	// patterns names each distinct pattern's variable (patternN, N its place in
	// order), compiled once at start-up however many rules share it.
	patterns     map[string]string
	patternOrder []string
}

// run writes the operation descriptors.
func run(specPath, outPath, pkg string) error {
	return generateFile(specPath, outPath, pkg, (*gen).render)
}

// runArrays writes the indexed array parameters of every operation.
func runArrays(specPath, outPath, pkg string) error {
	return generateFile(specPath, outPath, pkg, (*gen).renderArrays)
}

// generateFile reads the spec, renders one output from it and writes it formatted.
func generateFile(specPath, outPath, pkg string, render func(*gen, string) ([]byte, error)) error {
	g, err := load(specPath)
	if err != nil {
		return err
	}
	src, err := render(g, pkg)
	if err != nil {
		return err
	}
	return write(outPath, src)
}

func load(specPath string) (*gen, error) {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	var doc node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	return &gen{doc: doc, schemas: map[string]bool{}, patterns: map[string]string{}}, nil
}

func write(outPath string, src []byte) error {
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("formatting: %w\n%s", err, src)
	}
	return os.WriteFile(outPath, out, 0o644)
}

// pattern returns the name of the variable holding the compiled pattern p, one per
// distinct pattern, in the order first met.
func (g *gen) pattern(p string) string {
	name, ok := g.patterns[p]
	if !ok {
		g.patternOrder = append(g.patternOrder, p)
		name = fmt.Sprintf("pattern%d", len(g.patternOrder))
		g.patterns[p] = name
	}
	return name
}

// renderPatterns writes the pattern variables.
func (g *gen) renderPatterns(b *bytes.Buffer) {
	fmt.Fprintf(b, "// The spec's patterns, each compiled once.\nvar (\n")
	for _, p := range g.patternOrder {
		fmt.Fprintf(b, "\t%s = compilePattern(%s)\n", g.patterns[p], goString(p))
	}
	fmt.Fprintf(b, ")\n\n")
}

// arrayEncoding is the spec extension that marks an array query parameter sent
// indexed (ids.1=a&ids.2=b), which oapi-codegen ignores; "indexed" is its one value.
const arrayEncoding = "x-jdcloud-array-encoding"

// indexed reports whether a resolved parameter travels indexed, refusing the
// extension anywhere but on an array query parameter and with any other value.
func indexed(pn node) (bool, error) {
	v, ok := pn[arrayEncoding]
	if !ok {
		return false, nil
	}
	name, _ := pn["name"].(string)
	if v != "indexed" {
		return false, fmt.Errorf("parameter %s: %s %v is not \"indexed\"", name, arrayEncoding, v)
	}
	schema, _ := pn["schema"].(node)
	if pn["in"] != "query" || schema["type"] != "array" {
		return false, fmt.Errorf("parameter %s: %s applies to array query parameters only", name, arrayEncoding)
	}
	return true, nil
}

// renderArrays writes IndexedArrayParams: per operation id, the indexed array
// parameters, deprecated ones included (they are still decoded), sorted.
func (g *gen) renderArrays(pkg string) ([]byte, error) {
	ops, err := g.operations()
	if err != nil {
		return nil, err
	}
	table := map[string][]string{}
	var ids []string
	for _, o := range ops {
		params, _ := o.n["parameters"].([]any)
		for _, p := range params {
			pn, _ := p.(node)
			pn, _, err := g.resolve(pn)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.id, err)
			}
			ok, err := indexed(pn)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.id, err)
			}
			if ok {
				name, _ := pn["name"].(string)
				if table[o.id] == nil {
					ids = append(ids, o.id)
				}
				table[o.id] = append(table[o.id], name)
			}
		}
	}
	slices.Sort(ids)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/cmd/opsgen from openapi.yaml; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	fmt.Fprintf(&b, "// IndexedArrayParams names, per operation id, the array query parameters the spec\n")
	fmt.Fprintf(&b, "// marks %s: indexed. Each element travels as its own parameter\n", arrayEncoding)
	fmt.Fprintf(&b, "// numbered from 1 (ids.1=a&ids.2=b), never repeated or comma-joined.\n")
	fmt.Fprintf(&b, "var IndexedArrayParams = map[string][]string{\n")
	for _, id := range ids {
		names := table[id]
		slices.Sort(names)
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = strconv.Quote(n)
		}
		fmt.Fprintf(&b, "\t%q: {%s},\n", id, strings.Join(quoted, ", "))
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// resolve follows a local $ref.
func (g *gen) resolve(n node) (node, string, error) {
	ref, _ := n["$ref"].(string)
	if ref == "" {
		return n, "", nil
	}
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	var cur any = g.doc
	for _, p := range parts {
		m, ok := cur.(node)
		if !ok {
			return nil, "", fmt.Errorf("bad $ref %q", ref)
		}
		cur = m[p]
	}
	m, ok := cur.(node)
	if !ok {
		return nil, "", fmt.Errorf("unresolved $ref %q", ref)
	}
	return m, parts[len(parts)-1], nil
}

type op struct {
	path, method string
	n            node
	id, name     string
}

func (g *gen) operations() ([]op, error) {
	var ops []op
	paths, _ := g.doc["paths"].(node)
	for path, v := range paths {
		methods, _ := v.(node)
		for method, o := range methods {
			n, ok := o.(node)
			if !ok {
				continue
			}
			id, _ := n["operationId"].(string)
			name, _ := n["x-jdcloud-api-name"].(string)
			if id == "" || name == "" {
				return nil, fmt.Errorf("%s %s: operationId and x-jdcloud-api-name are required", method, path)
			}
			ops = append(ops, op{path: path, method: strings.ToUpper(method), n: n, id: id, name: name})
		}
	}
	slices.SortFunc(ops, func(a, b op) int { return strings.Compare(a.name, b.name) })
	return ops, nil
}

func (g *gen) render(pkg string) ([]byte, error) {
	ops, err := g.operations()
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "// Operation descriptors, one per operation of the spec.\n")
	fmt.Fprintf(&body, "var (\n")
	for _, o := range ops {
		if err := g.operation(&body, o); err != nil {
			return nil, fmt.Errorf("%s: %w", o.id, err)
		}
	}
	fmt.Fprintf(&body, ")\n\n")
	fmt.Fprintf(&body, "// operations lists every descriptor, by API name.\nvar operations = []*operation{\n")
	for _, o := range ops {
		fmt.Fprintf(&body, "\top%s,\n", o.name)
	}
	fmt.Fprintf(&body, "}\n\n")

	// Component schemas, rendered after the operations that queued them.
	for len(g.queue) > 0 {
		name := g.queue[0]
		g.queue = g.queue[1:]
		n, _, err := g.resolve(node{"$ref": "#/components/schemas/" + name})
		if err != nil {
			return nil, err
		}
		lit, err := g.rule(n, "")
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		fmt.Fprintf(&body, "// schema%s holds the constraints of the spec's %s schema.\nvar schema%s = %s\n\n", name, name, name, lit)
	}

	g.renderPatterns(&body)
	if err := g.sentinels(&body); err != nil {
		return nil, err
	}
	if err := g.limits(&body); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/cmd/opsgen from openapi.yaml; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

func (g *gen) operation(b *bytes.Buffer, o op) error {
	retry, _ := o.n["x-vmimage-retry"].(string)
	retryConst := map[string]string{"safe": "retrySafe", "token": "retryToken", "never": "retryNever"}[retry]
	if retryConst == "" {
		return fmt.Errorf("x-vmimage-retry %q is not safe, token or never", retry)
	}
	token, _ := o.n["x-vmimage-idempotency-token"].(string)
	if (retry == "token") != (token != "") {
		return fmt.Errorf("x-vmimage-idempotency-token is required with x-vmimage-retry: token only")
	}
	fmt.Fprintf(b, "\t// op%s is %s %s.\n", o.name, o.method, o.path)
	fmt.Fprintf(b, "\top%s = &operation{\n", o.name)
	fmt.Fprintf(b, "\t\tid: %q, name: %q, method: %q, path: %q,\n", o.id, o.name, o.method, o.path)
	fmt.Fprintf(b, "\t\tretry: %s, token: %q,\n", retryConst, token)
	params, _ := o.n["parameters"].([]any)
	var pathLits, queryLits []string
	for _, p := range params {
		pn, _ := p.(node)
		pn, _, err := g.resolve(pn)
		if err != nil {
			return err
		}
		name, _ := pn["name"].(string)
		in, _ := pn["in"].(string)
		required, _ := pn["required"].(bool)
		schema, _ := pn["schema"].(node)
		if dep, _ := schema["deprecated"].(bool); dep {
			continue
		}
		if dep, _ := pn["deprecated"].(bool); dep {
			continue
		}
		lit, err := g.rule(schema, "")
		if err != nil {
			return fmt.Errorf("parameter %s: %w", name, err)
		}
		indexed, err := indexed(pn)
		if err != nil {
			return err
		}
		pl := fmt.Sprintf("{name: %q, required: %t, indexed: %t, rule: %s}", name, required, indexed, lit)
		switch in {
		case "path":
			pathLits = append(pathLits, pl)
		case "query":
			queryLits = append(queryLits, pl)
		default:
			return fmt.Errorf("parameter %s: in %q is not supported", name, in)
		}
	}
	if len(pathLits) > 0 {
		fmt.Fprintf(b, "\t\tpathParams: []param{\n\t\t\t%s,\n\t\t},\n", strings.Join(pathLits, ",\n\t\t\t"))
	}
	if len(queryLits) > 0 {
		fmt.Fprintf(b, "\t\tquery: []param{\n\t\t\t%s,\n\t\t},\n", strings.Join(queryLits, ",\n\t\t\t"))
	}
	if rb, ok := o.n["requestBody"].(node); ok {
		rb, _, err := g.resolve(rb)
		if err != nil {
			return err
		}
		schema, _ := dig(rb, "content", "application/json", "schema").(node)
		if schema == nil {
			return fmt.Errorf("requestBody without an application/json schema")
		}
		lit, err := g.rule(schema, "")
		if err != nil {
			return fmt.Errorf("requestBody: %w", err)
		}
		required, _ := rb["required"].(bool)
		fmt.Fprintf(b, "\t\tbody: %s, bodyRequired: %t,\n", lit, required)
	}
	// The success answer: whether result is required, and the fields it must carry.
	resp, _ := dig(o.n, "responses", "200").(node)
	if resp == nil {
		return fmt.Errorf("no 200 response")
	}
	resp, _, err := g.resolve(resp)
	if err != nil {
		return err
	}
	env, _ := dig(resp, "content", "application/json", "schema").(node)
	env, _, err = g.resolve(env)
	if err != nil {
		return err
	}
	resultRequired := contains(env["required"], "result")
	var resultFields []string
	if res, ok := dig(env, "properties", "result").(node); ok {
		res, _, err := g.resolve(res)
		if err != nil {
			return err
		}
		if req, ok := res["required"].([]any); ok {
			for _, r := range req {
				resultFields = append(resultFields, fmt.Sprint(r))
			}
		}
	}
	fmt.Fprintf(b, "\t\tresultRequired: %t, resultFields: %#v,\n", resultRequired, resultFields)
	fmt.Fprintf(b, "\t}\n")
	return nil
}

func contains(list any, s string) bool {
	l, _ := list.([]any)
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

func dig(n node, keys ...string) any {
	var cur any = n
	for _, k := range keys {
		m, ok := cur.(node)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// rule renders a schema as a *rule literal; a $ref to a component schema becomes the
// schema's variable (rendered once).
func (g *gen) rule(n node, _ string) (string, error) {
	if ref, _ := n["$ref"].(string); ref != "" {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			return "", fmt.Errorf("unsupported $ref %q", ref)
		}
		if !g.schemas[name] {
			g.schemas[name] = true
			g.queue = append(g.queue, name)
		}
		return "schema" + name, nil
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf", "not", "minProperties", "maxProperties", "exclusiveMinimum", "exclusiveMaximum", "uniqueItems"} {
		if _, ok := n[k]; ok {
			return "", fmt.Errorf("keyword %s is not supported by the generated checks", k)
		}
	}
	var f []string
	if t, _ := n["type"].(string); t != "" {
		f = append(f, fmt.Sprintf("typ: %q", t))
	}
	if enum, ok := n["enum"].([]any); ok {
		var vals []string
		for _, e := range enum {
			if e == nil { // a nullable enum's null: null passes every check already
				continue
			}
			vals = append(vals, strconv.Quote(fmt.Sprint(e)))
		}
		f = append(f, "enum: []string{"+strings.Join(vals, ", ")+"}")
	}
	if p, _ := n["pattern"].(string); p != "" {
		f = append(f, "pattern: "+g.pattern(p))
	}
	for _, k := range [][2]string{{"minLength", "minLength"}, {"maxLength", "maxLength"}, {"minItems", "minItems"}, {"maxItems", "maxItems"}} {
		if v, ok := n[k[0]].(int); ok {
			f = append(f, fmt.Sprintf("%s: %d", k[1], v))
		}
	}
	for _, k := range []string{"minimum", "maximum", "multipleOf"} {
		if v, ok := n[k]; ok {
			f = append(f, fmt.Sprintf("%s: ptr(float64(%v))", k, v))
		}
	}
	if items, ok := n["items"].(node); ok {
		lit, err := g.rule(items, "")
		if err != nil {
			return "", fmt.Errorf("items: %w", err)
		}
		f = append(f, "items: "+lit)
	}
	if props, ok := n["properties"].(node); ok {
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		slices.Sort(names)
		var lits []string
		for _, k := range names {
			pn, _ := props[k].(node)
			lit, err := g.rule(pn, "")
			if err != nil {
				return "", fmt.Errorf("property %s: %w", k, err)
			}
			lits = append(lits, fmt.Sprintf("%q: %s", k, lit))
		}
		f = append(f, "properties: map[string]*rule{"+strings.Join(lits, ", ")+"}")
	}
	if req, ok := n["required"].([]any); ok {
		var vals []string
		for _, r := range req {
			vals = append(vals, strconv.Quote(fmt.Sprint(r)))
		}
		f = append(f, "required: []string{"+strings.Join(vals, ", ")+"}")
	}
	return "&rule{" + strings.Join(f, ", ") + "}", nil
}

// goString quotes s as a raw string when it can be one (a pattern reads as in the spec).
func goString(s string) string {
	if !strings.Contains(s, "`") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// sentinels writes one sentinel error per status of x-vmimage-error-statuses.
func (g *gen) sentinels(b *bytes.Buffer) error {
	list, _ := dig(g.doc, "components", "schemas", "ErrorInfo", "properties", "status", "x-vmimage-error-statuses").([]any)
	if len(list) == 0 {
		return fmt.Errorf("components.schemas.ErrorInfo.properties.status has no x-vmimage-error-statuses")
	}
	fmt.Fprintf(b, "// The sentinels of the service's error statuses (x-vmimage-error-statuses on\n// ErrorInfo.status): errors.Is(err, ErrFailedPrecondition) matches an *APIError\n// whose status is FAILED_PRECONDITION.\nvar (\n")
	var names []string
	for _, e := range list {
		m, _ := e.(node)
		status, _ := m["status"].(string)
		code, _ := m["code"].(int)
		meaning, _ := m["meaning"].(string)
		if status == "" || code == 0 {
			return fmt.Errorf("x-vmimage-error-statuses: an entry without status or code")
		}
		name := "Err" + camel(status)
		names = append(names, name)
		fmt.Fprintf(b, "\t// %s matches the status %s (HTTP %d): %s\n", name, status, code, meaning)
		fmt.Fprintf(b, "\t%s = &StatusError{Status: %q, Code: %d, Meaning: %q}\n", name, status, code, meaning)
	}
	fmt.Fprintf(b, ")\n\n// errorStatuses lists every status sentinel.\nvar errorStatuses = []*StatusError{%s}\n\n", strings.Join(names, ", "))
	return nil
}

// camel turns NOT_FOUND into NotFound, and HTTP_FORBIDDEN into HTTPForbidden.
func camel(s string) string {
	var out strings.Builder
	for _, w := range strings.Split(strings.ToLower(s), "_") {
		if w == "http" {
			out.WriteString("HTTP")
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		out.WriteString(string(r))
	}
	return out.String()
}

// limits writes the limits the client exports, each read from the spec.
func (g *gen) limits(b *bytes.Buffer) error {
	param := func(name string) node {
		n, _ := dig(g.doc, "components", "parameters", name, "schema").(node)
		return n
	}
	get := func(name string, keys ...string) (any, error) {
		v := dig(param(name), keys...)
		if v == nil {
			return nil, fmt.Errorf("components.parameters.%s.schema.%s is missing", name, strings.Join(keys, "."))
		}
		return v, nil
	}
	type lim struct {
		goName, doc, param string
		keys               []string
	}
	lims := []lim{
		{"MaxRegionIDLength", "MaxRegionIDLength is the longest region id (the regionId parameter's maxLength).", "RegionId", []string{"maxLength"}},
		{"MaxImageIDLength", "MaxImageIDLength is the longest image id (the imageId parameter's maxLength).", "ImageId", []string{"maxLength"}},
		{"MaxIDs", "MaxIDs is the most ids one call takes (the ids parameter's maxItems).", "Ids", []string{"maxItems"}},
		{"MinPageSize", "MinPageSize is DescribeImages' smallest page size (pageSize's minimum).", "PageSize", []string{"minimum"}},
		{"MaxPageSize", "MaxPageSize is DescribeImages' largest page size (pageSize's maximum).", "PageSize", []string{"maximum"}},
		{"MaxTextLength", "MaxTextLength bounds the imageName filter (its maxLength).", "ImageName", []string{"maxLength"}},
		{"MaxTaskPageSize", "MaxTaskPageSize is the largest page size ImageTasks takes (its pageSize's maximum); a page may hold fewer.", "TaskPageSize", []string{"maximum"}},
	}
	fmt.Fprintf(b, "// Limits on parameters, read from openapi.yaml and checked before any request is sent.\nconst (\n")
	for _, l := range lims {
		v, err := get(l.param, l.keys...)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\t// %s\n\t%s = %v\n", l.doc, l.goName, v)
	}
	pat, err := get("RegionId", "pattern")
	if err != nil {
		return err
	}
	fmt.Fprintf(b, ")\n\n// RegionIDPattern is the one shape of a region id: the pattern of openapi.yaml's\n// regionId parameter. The client, the fake and the CLI all check region ids against it.\nconst RegionIDPattern = %s\n", goString(fmt.Sprint(pat)))
	return nil
}
