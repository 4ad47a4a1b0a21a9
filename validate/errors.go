package validate

import (
	"fmt"
	"strings"
)

// Where names the part of an exchange a violation is about.
type Where string

// The parts of an exchange a violation can be about.
const (
	WhereRequest     Where = "request"
	WhereStatus      Where = "status"
	WhereContentType Where = "content-type"
	WhereHeader      Where = "header"
	WhereBody        Where = "body"
)

// Violation is one way a response departs from the spec.
type Violation struct {
	// Where is the part of the exchange at fault.
	Where Where
	// Pointer is the RFC 6901 JSON pointer of the offending value inside the body
	// ("" for the whole body, or when Where is not WhereBody).
	Pointer string
	// Reason says what is wrong.
	Reason string
}

// String renders the violation as "body /result/image/sizeMB: reason".
func (v Violation) String() string {
	if v.Pointer != "" {
		return fmt.Sprintf("%s %s: %s", v.Where, v.Pointer, v.Reason)
	}
	return fmt.Sprintf("%s: %s", v.Where, v.Reason)
}

// Error lists every violation found in one response.
type Error struct {
	// Status is the HTTP status of the response validated.
	Status int
	// Violations holds at least one violation.
	Violations []Violation
}

// Error implements error: one line per violation after a summary line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "validate: response (status %d) violates the spec in %d place(s)", e.Status, len(e.Violations))
	for _, v := range e.Violations {
		b.WriteString("\n  ")
		b.WriteString(v.String())
	}
	return b.String()
}
