// Package signer implements JD Cloud's JDCLOUD2-HMAC-SHA256 request signing (a
// derivative of AWS Signature Version 4), both sides: [Signer] signs outgoing
// requests exactly as JD Cloud's official Go SDK does, and [Verify] checks a signed
// request on the server side (the fake service uses it).
//
// The algorithm, in short (openapi.yaml's jdcloud2 security scheme has the full text):
//
//  1. x-jdcloud-date is the UTC time as 20060102T150405Z; x-jdcloud-nonce a fresh
//     lowercase UUIDv4. A nonce is never reused, so every retry is signed afresh.
//  2. The signed headers are host plus every header on the request except
//     Authorization, User-Agent and X-Jdcloud-Request-Id, lowercased and sorted.
//  3. The canonical request is the method, the escaped path as sent on the wire, the
//     raw query, the canonical headers, the signed header list and the hex SHA-256 of
//     the body, joined with newlines.
//  4. The string to sign is the algorithm, the date, the scope
//     (yyyymmdd/region/service/jdcloud2_request) and the hex SHA-256 of the
//     canonical request; the key is derived by a chain of HMACs from
//     "JDCLOUD2"+secretKey.
//
// The package uses the standard library only. Secrets never appear in an error
// string; [Credentials] redacts itself when printed.
package signer
