// Package fake is an in-memory fake of JD Cloud's image service, all 17 calls of
// openapi.yaml, for tests that need no cloud account: ours, and yours.
//
// The reads (DescribeImage, DescribeImages, DescribeImageConstraints,
// DescribeImageConstraintsBatch, DescribeImageMembers) are served by the server code
// oapi-codegen generates from the same openapi.yaml as the client (in
// fake/internal/server), so a spec change the fake does not follow breaks its build.
// The 12 write calls are routed by the fake itself, because their custom methods put
// a colon inside a path segment ({imageId}:share), which net/http's ServeMux cannot
// register; their bodies decode into the client/api models generated from the spec.
//
// It checks JDCLOUD2 and JDCLOUD3 signatures like the real gateway (401 ACCESS_ERROR
// for a missing header, unknown key, wrong signature or skewed date; 403 for a
// replayed nonce; the path and query are canonicalized first, so a colon sent raw or
// as %3A, and any parameter order, verify), reads array parameters only in the
// indexed form (ids.1=a&ids.2=b), and answers the documented errors of every call
// with the spec's messages.
//
// # What it models
//
// Images across the documented regions (a catalog of SeedPublicInCatalogRegion
// public images in SeedCatalogRegion, private, shared, community and marketplace
// images, constraints and members), and in SeedCatalogRegion instances
// (SeedInstanceCloud, SeedInstanceLocal, SeedInstanceStopped, SeedInstanceBusy) and
// snapshots (SeedSnapshotSystem, ...) to make images from. The account is OwnPin.
// Every write changes what the reads answer, on the fake's clock (WithClock), so
// tests never sleep:
//   - a created, copied or imported image is pending with progress "0" to "100" for
//     WithJobDuration, then ready (a copy in its destination region); a failed copy or
//     import ends in error (FailingImportURL, or a FaultJobFails fault, consumed by
//     the next request that starts a copy or import: a refused one leaves it pending);
//   - DeleteImage: deleting for DeleteDuration, then gone (404);
//   - ShareImage and UnShareImage change DescribeImageMembers; ReleaseImage makes an
//     image community and revokes its shares, UnReleaseImage makes it private again;
//   - ImportImage and ExportImage start tasks that ImageTasks reports (pending,
//     running, finished or failed, with progress), at most 10 a page; an export is a
//     task on its image (other calls answer "Conflict with underlay image task"), a
//     copy's source is busy until the copy ends;
//   - a clientToken is remembered TokenTTL per access key and operation: the same
//     token and request answer the first answer and do no new work, another request
//     is 400 INVALID_ARGUMENT;
//   - each region holds WithImageQuota private images (DefaultImageQuota): past it
//     create, copy and import answer 429 QUOTA_EXCEEDED.
//
// Bodies are accepted in every form JD's SDKs send: copies of the path parameters (a
// copy that disagrees with the path is 400 naming both), explicit nulls, keys in any
// order; deleteSnapshot=true or True. Answers of the void calls are {"requestId"}
// alone; task ids are JSON strings; errors are {"requestId","error":{code,status,
// message}} with code the HTTP status.
//
// The Store adds, replaces and removes images (Store.Put), instances
// (Store.PutInstance) and snapshots (Store.PutSnapshot), gives images constraints,
// members or protection, and moves them through a lifecycle (Store.Transition).
// Faults (error statuses, HTML bodies, latency, Retry-After, closed connections,
// truncated or oversized bodies, wrong content types, an answer lost after the work,
// a failing copy or import) are scripted per operation, per path or globally, and a
// request log records what each client sent, bodies included.
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
//   - connections: DefaultTimeouts() (10 s to read the headers, 30 s the whole request,
//     2 min to write a response or keep an idle connection, 64 KiB of headers);
//     WithTimeouts changes them;
//   - a request body over MaxRequestBodyBytes is refused with 413 before its
//     signature is checked; a method an operation's path does not take gets 405 with
//     Allow;
//   - the request log is a ring of the DefaultRequestLogSize most recent requests
//     (WithRequestLogSize), each field clipped to a few hundred bytes and each body
//     to 2 KiB; RequestStats counts everything, evicted entries included;
//   - the stores are bounded: images by the quota in each region (ImportImage and
//     CopyImages make images only in the fake's four regions, CreateImage and
//     CreateImageFromSnapshots only where an instance or snapshot is stored),
//     members by 20 an image, tasks by
//     DefaultMaxTasks, clientTokens by DefaultMaxTokens (the oldest go first); a
//     flood of creates meets the quota, not the memory;
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
