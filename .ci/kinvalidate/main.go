// Command kinvalidate validates an OpenAPI document file with kin-openapi exactly as
// package validate does (examples included); the spec gates' self-test uses it.
package main

import (
	"fmt"
	"os"

	"github.com/vmimage/vmimage/validate"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kinvalidate FILE")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := validate.New(b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("valid")
}
