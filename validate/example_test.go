package validate_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/vmimage/vmimage/validate"
)

// Check a saved response body of an operation, as a CI job would: every violation
// comes with its place and JSON pointer.
func ExampleValidator_ValidateBody() {
	v, err := validate.Default()
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"requestId":"r","result":{"totalCount":"2","images":[{"imageId":"img-a","sizeMB":"big"}]}}`)
	err = v.ValidateBody(context.Background(), "describeImages", 200, "application/json", body)
	var verr *validate.Error
	if errors.As(err, &verr) {
		for _, viol := range verr.Violations {
			fmt.Println(viol.Where, viol.Pointer)
		}
	}
	// Unordered output:
	// body /result/totalCount
	// body /result/images/0/sizeMB
}
