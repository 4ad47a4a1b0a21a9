package credentials_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vmimage/vmimage/credentials"
)

// Resolve credentials from a jdc profile file; Source says where they came from,
// never the secret.
func ExampleResolve() {
	home, err := os.MkdirTemp("", "jdc")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	os.MkdirAll(filepath.Join(home, ".jdc"), 0o700)
	os.WriteFile(filepath.Join(home, ".jdc", "config"), []byte("[work]\naccess_key = AKWORK\nsecret_key = s3cret-value\nregion_id = cn-east-2\n"), 0o600)

	noEnv := func(string) string { return "" }
	r, err := credentials.Resolve(credentials.Config{Profile: "work", Getenv: noEnv, HomeDir: home})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.AccessKey, r.Region, filepath.Base(r.Source))
	_, err = credentials.Resolve(credentials.Config{Profile: "play", Getenv: noEnv, HomeDir: home})
	fmt.Println(err != nil)
	// Output:
	// AKWORK cn-east-2 config
	// true
}
