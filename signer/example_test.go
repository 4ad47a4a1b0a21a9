package signer_test

import (
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/vmimage/vmimage/signer"
)

// Sign a request with a fixed date and nonce: the first test vector of the spec.
func ExampleSigner_SignAt() {
	s := signer.New(signer.Credentials{AccessKey: "ak", SecretKey: "sk"}, "vm")
	req, err := http.NewRequest(http.MethodGet, "https://vm.jdcloud-api.com/v1/regions/cn-north-1/images/img-abc12345", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.SignAt(req, nil, "cn-north-1", at, "41fcf7fe-54e8-4055-be62-db632cd0345c"); err != nil {
		log.Fatal(err)
	}
	for _, part := range strings.Split(req.Header.Get("Authorization"), ", ") {
		fmt.Println(part)
	}
	// Output:
	// JDCLOUD2-HMAC-SHA256 Credential=ak/20260102/cn-north-1/vm/jdcloud2_request
	// SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce
	// Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23
}

// Verify a request on the server side: the fake keeps a Verifier for this.
func ExampleVerify() {
	creds := signer.Credentials{AccessKey: "ak", SecretKey: "sk"}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/regions/cn-north-1/images?pageSize=10&imageSource=public", nil)
	if err := signer.New(creds, "vm").Sign(req, nil, "cn-north-1"); err != nil {
		log.Fatal(err)
	}
	lookup := func(ak string) (string, bool) { return creds.SecretKey, ak == creds.AccessKey }
	v, err := signer.Verify(req, nil, lookup, signer.VerifyOptions{Service: "vm"})
	fmt.Println(err, v.AccessKey, v.Region)
	// Output: <nil> ak cn-north-1
}

// A server keeps one Verifier, which caches the keys it derives; it accepts
// JDCLOUD2 and JDCLOUD3 alike.
func ExampleVerifier() {
	creds := signer.Credentials{AccessKey: "ak", SecretKey: "sk"}
	lookup := func(ak string) (string, bool) { return creds.SecretKey, ak == creds.AccessKey }
	verifier, err := signer.NewVerifier(lookup, signer.VerifyOptions{Service: "vm"})
	if err != nil {
		log.Fatal(err)
	}
	for _, alg := range signer.Algorithms() {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/regions/cn-north-1/images/img-x:share", nil)
		if err := signer.New(creds, "vm", signer.WithAlgorithm(alg)).Sign(req, nil, "cn-north-1"); err != nil {
			log.Fatal(err)
		}
		v, err := verifier.Verify(req, nil)
		fmt.Println(err, v.Algorithm)
	}
	// Output:
	// <nil> JDCLOUD2-HMAC-SHA256
	// <nil> JDCLOUD3-HMAC-SHA256
}
