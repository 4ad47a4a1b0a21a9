package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmimage/vmimage/fake"
)

// Ten ids are described all at once by default (as many as the default rate's burst
// lets go): the server answers none of them until all ten have arrived.
func TestDescribeFansOutTenIdsAtOnce(t *testing.T) {
	svc, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	arrived, current, most := 0, 0, 0
	all := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		current++
		most = max(most, current)
		if arrived == 10 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(5 * time.Second): // not all ten at once: answer anyway
		}
		svc.ServeHTTP(w, r)
		mu.Lock()
		current--
		mu.Unlock()
	}))
	defer srv.Close()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("JDCLOUD_ACCESS_KEY", svc.Credentials().AccessKey)
	t.Setenv("JDCLOUD_SECRET_KEY", svc.Credentials().SecretKey)
	var ids []string
	for _, e := range svc.Images().List() {
		if e.Region == fake.SeedCatalogRegion && len(ids) < 10 {
			ids = append(ids, *e.Image.ImageId)
		}
	}
	var stderr strings.Builder
	app := &App{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &stderr, Getenv: os.Getenv}
	args := append([]string{"describe", "--endpoint", srv.URL, "--region", fake.SeedCatalogRegion, "-o", "json"}, ids...)
	if code := app.Run(context.Background(), args); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if most != 10 {
		t.Errorf("at most %d requests at once, want 10", most)
	}
}
