// Package signer implements JD Cloud's request signing, JDCLOUD2-HMAC-SHA256 and
// JDCLOUD3-HMAC-SHA256 (derivatives of AWS Signature Version 4), both sides: [Signer]
// signs outgoing requests (JDCLOUD2 by default, as JD Cloud's Go SDK;
// [WithAlgorithm] selects JDCLOUD3, as its Python SDK and jdc), and a [Verifier]
// checks signed requests of either algorithm on the server side (the fake service
// uses one).
//
// The algorithms, in short (openapi.yaml's security scheme has the full text):
//
//  1. x-jdcloud-date is the UTC time as 20060102T150405Z; x-jdcloud-nonce a fresh
//     lowercase UUIDv4. A nonce is never reused, so every retry is signed afresh.
//     JDCLOUD3 clients also send x-jdcloud-content-sha256, the body's hash.
//  2. The signed headers are host plus the headers the client signs (this Signer:
//     every header except Authorization, User-Agent and X-Jdcloud-Request-Id),
//     lowercased and sorted. JDCLOUD2 must sign date and nonce; JDCLOUD3 may leave
//     date, nonce and content hash unsigned, and Verify checks them all the same.
//  3. The canonical request is the method, the canonical path (decoded, runs of '/'
//     collapsed, re-encoded keeping A-Z a-z 0-9 - _ . ~ and '/'), the canonical
//     query, the canonical headers, the signed header list and the hex SHA-256 of
//     the body, joined with newlines.
//  4. The string to sign is the algorithm, the date, the scope
//     (yyyymmdd/region/service/jdcloud2_request or jdcloud3_request) and the hex
//     SHA-256 of the canonical request; the key is derived by a chain of HMACs from
//     "JDCLOUD2"+secretKey (or "JDCLOUD3"+secretKey).
//
// The package uses the standard library only. Secrets never appear in an error
// string; [Credentials] redacts itself when printed. A Verifier caches derived keys,
// never secrets.
package signer
