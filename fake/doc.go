// Package fake is an in-memory fake of JD Cloud's image read service (DescribeImage,
// DescribeImages, DescribeImageConstraints, DescribeImageConstraintsBatch,
// DescribeImageMembers), for tests that need no cloud account: ours, and yours.
//
// It is built on the server code oapi-codegen generates from the same openapi.yaml
// as the client (in fake/internal/server), so a spec change the fake does not follow breaks
// its build. It checks JDCLOUD2 signatures like the real gateway (401 ACCESS_ERROR
// for a missing header, unknown key, wrong signature or skewed date; 403 for a
// replayed nonce; the query is canonicalized before the signature is checked, so any
// parameter order verifies), reads array parameters only in the indexed form
// (ids.1=a&ids.2=b), answers every DescribeImages filter with paging and totalCount,
// and the documented errors. It is seeded with realistic images across the documented
// regions, a catalog of SeedPublicInCatalogRegion public images in SeedCatalogRegion,
// constraints of both types and the members of a shared image. Images can be added,
// replaced, removed, given constraints and members (Store.SetConstraint,
// Store.SetMembers), and moved through a pending → ready (or error) lifecycle on an
// injectable clock. Faults
// (error statuses, HTML bodies, latency, Retry-After, closed connections, truncated
// or oversized bodies, wrong content types) can be scripted per path or globally, and
// a request log records exactly what each client sent.
//
// A downstream test in a few lines:
//
//	func TestMyCode(t *testing.T) {
//		srv := fake.StartTest(t)                      // loopback server, closed at cleanup
//		c, err := client.New(
//			client.WithEndpoint(srv.URL),
//			client.WithCredentials(srv.Credentials()),
//		)
//		if err != nil {
//			t.Fatal(err)
//		}
//		img, _, err := c.DescribeImage(context.Background(), "cn-north-1", fake.SeedCentOS)
//		if err != nil || img.GetStatus() != api.ImageStatusReady {
//			t.Fatalf("got %v, %v", img, err)
//		}
//	}
//
// # Limits
//
// The fake is meant to run on shared hosts, reachable by clients it does not trust,
// so nothing a request sends grows its memory or holds a connection forever:
//   - connections: DefaultTimeouts (10 s to read the headers, 30 s the whole request,
//     2 min to write a response or keep an idle connection, 64 KiB of headers);
//     WithTimeouts changes them;
//   - a request body over MaxRequestBodyBytes is refused with 413 before its
//     signature is checked; a method other than GET on an operation's path gets 405
//     with Allow: GET;
//   - the request log is a ring of the DefaultRequestLogSize most recent requests
//     (WithRequestLogSize), each field clipped to a few hundred bytes; RequestStats
//     counts everything, evicted entries included;
//   - replayed nonces are remembered up to DefaultMaxNonces, expired in arrival
//     order; a nonce over 64 bytes is refused;
//   - signatures are checked in time linear in the request's size, an Authorization
//     over signer.MaxAuthorizationBytes or naming over signer.MaxSignedHeaders
//     headers is refused first, and the signature's region must be the path's.
//
// WithObserver sees every request once it is answered; `vmimage fake --log` prints a
// line for each, with why authentication failed.
//
// Run it standalone, for clients in other languages, with `vmimage fake`.
package fake
