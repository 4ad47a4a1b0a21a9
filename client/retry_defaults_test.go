package client_test

import (
	"testing"

	"github.com/vmimage/vmimage/client"
)

// TestDefaultRetryPolicyIsFresh: the defaults are values a caller may change
// without changing them for anyone else (they were package variables).
func TestDefaultRetryPolicyIsFresh(t *testing.T) {
	p := client.DefaultRetryPolicy()
	p.MaxAttempts = 9
	p.Budget.Capacity = 1
	b := client.DefaultRetryBudget()
	b.RetryCost = 99
	if got := client.DefaultRetryPolicy(); got.MaxAttempts != 3 || got.Budget != client.DefaultRetryBudget() {
		t.Errorf("DefaultRetryPolicy() after a caller changed its copy = %+v", got)
	}
	if got := client.DefaultRetryBudget(); got.RetryCost != 5 || got.Capacity != 500 {
		t.Errorf("DefaultRetryBudget() after a caller changed its copy = %+v", got)
	}
}
