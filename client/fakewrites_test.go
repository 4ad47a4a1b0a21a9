package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/validate"
)

// fakePair is the fake service and a client sharing a manual clock, every exchange
// validated against the spec.
func fakePair(t *testing.T, fopts []fake.Option, copts ...client.Option) (*fake.Server, *testClient) {
	t.Helper()
	clock := fake.NewManualClock(time.Now().Truncate(time.Second))
	srv := fake.StartTest(t, append([]fake.Option{fake.WithClock(clock)}, fopts...)...)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := v.Transport(nil)
	c, err := client.New(append([]client.Option{client.WithEndpoint(srv.URL), client.WithCredentials(srv.Credentials()),
		client.WithHTTPClient(&http.Client{Transport: vt}), client.WithClock(clock), client.WithRandom(func() float64 { return 0 })}, copts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, &testClient{Client: c, clock: clock, vt: vt}
}

// privateImages counts the private images the fake holds in a region.
func privateImages(srv *fake.Server, region string) int {
	n := 0
	for _, img := range srv.Images().InRegion(region) {
		if img.ImageSource != nil && *img.ImageSource == api.ImageSourcePrivate {
			n++
		}
	}
	return n
}

func TestAgainstTheFakeALostAnswer(t *testing.T) {
	ctx := context.Background()
	t.Run("never: sent once, the fake counts one image", func(t *testing.T) {
		srv, tc := fakePair(t, nil)
		before := privateImages(srv, region)
		if err := srv.Inject(fake.Fault{Kind: fake.FaultAnswerLost, Operation: "createImage", Times: 1}); err != nil {
			t.Fatal(err)
		}
		_, resp, err := tc.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: fake.SeedInstanceCloud,
			CreateImageInput: api.CreateImageInput{Name: "golden-1"}})
		if !errors.Is(err, client.ErrMayHaveSucceeded) || resp.Attempts != 1 {
			t.Fatalf("got %v, %+v", err, resp)
		}
		if n := privateImages(srv, region) - before; n != 1 || len(srv.Requests()) != 1 {
			t.Errorf("%d new images, %d requests: want 1 and 1", n, len(srv.Requests()))
		}
	})
	t.Run("token: retried, the fake still counts one image", func(t *testing.T) {
		srv, tc := fakePair(t, nil)
		before := privateImages(srv, region)
		if err := srv.Inject(fake.Fault{Kind: fake.FaultAnswerLost, Operation: "createImageFromSnapshots", Times: 1}); err != nil {
			t.Fatal(err)
		}
		res, resp, err := tc.CreateImageFromSnapshots(ctx, &client.CreateImageFromSnapshotsInput{RegionID: region, CreateImageFromSnapshotsInput: api.CreateImageFromSnapshotsInput{
			Name: "from-snap", Platform: "CentOS", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS,
			CloudDisks: []api.CloudDiskSpec{{SnapshotId: ptr(fake.SeedSnapshotSystem), DeviceName: ptr("vda")}}}})
		if err != nil || resp.Attempts != 2 || resp.ClientToken == "" {
			t.Fatalf("got %v, %+v", err, resp)
		}
		if n := privateImages(srv, region) - before; n != 1 {
			t.Errorf("%d new images, want 1", n)
		}
		if _, ok := srv.Images().Get(region, res.ImageId); !ok {
			t.Errorf("the answer's image %s is not the one made", res.ImageId)
		}
		tc.assertValid(t)

		// The same token with another body is refused.
		token := resp.ClientToken
		_, _, err = tc.CreateImageFromSnapshots(ctx, &client.CreateImageFromSnapshotsInput{RegionID: region, CreateImageFromSnapshotsInput: api.CreateImageFromSnapshotsInput{
			Name: "another-name", Platform: "CentOS", Architecture: api.ArchitectureX8664, BootMode: api.BootModeBIOS, ClientToken: &token,
			CloudDisks: []api.CloudDiskSpec{{SnapshotId: ptr(fake.SeedSnapshotSystem), DeviceName: ptr("vda")}}}})
		if !errors.Is(err, client.ErrInvalidArgument) {
			t.Errorf("a token reused with another body: %v", err)
		}
	})
	t.Run("delete: retried, the 404 reported with Attempts 2", func(t *testing.T) {
		// An image stays deleting fake.DeleteDuration on the fake's clock; the retry
		// waits longer (the backoff, on the shared clock), so it finds the image gone.
		srv, tc := fakePair(t, []fake.Option{fake.WithJobDuration(time.Millisecond)}, client.WithRandom(func() float64 { return 0.99 }),
			client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 3, BaseDelay: 2 * fake.DeleteDuration, MaxDelay: 2 * fake.DeleteDuration}))
		made, _, err := tc.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: fake.SeedInstanceCloud, CreateImageInput: api.CreateImageInput{Name: "to-delete"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tc.WaitUntilImageReady(ctx, region, made.ImageId, client.WithMaxWait(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := srv.Inject(fake.Fault{Kind: fake.FaultAnswerLost, Operation: "deleteImage", Times: 1}); err != nil {
			t.Fatal(err)
		}
		_, resp, err := tc.DeleteImage(ctx, &client.DeleteImageInput{RegionID: region, ImageID: made.ImageId})
		if !errors.Is(err, client.ErrNotFound) || resp.Attempts != 2 {
			t.Errorf("got %v, %+v", err, resp)
		}
	})
}

func TestAgainstTheFakeShareAndWaiters(t *testing.T) {
	ctx := context.Background()
	_, tc := fakePair(t, nil)
	if _, _, err := tc.ShareImage(ctx, &client.ShareImageInput{RegionID: region, ImageID: fake.SeedShared, ShareImageInput: api.ShareImageInput{Pins: []string{"jdcloud-user-09"}}}); err != nil {
		t.Fatal(err)
	}
	m, _, err := tc.DescribeImageMembers(ctx, region, fake.SeedShared)
	if err != nil || len(m.Pins) == 0 {
		t.Fatalf("members %+v, %v", m, err)
	}
	copies, resp, err := tc.CopyImages(ctx, &client.CopyImagesInput{RegionID: region, CopyImagesInput: api.CopyImagesInput{SourceImageIds: []string{fake.SeedShared}, DestinationRegion: "cn-east-2"}})
	if err != nil || resp.Attempts != 1 {
		t.Fatalf("copy: %v", err)
	}
	imgs, err := tc.WaitUntilCopiesReady(ctx, "cn-east-2", copies.CopyImages, client.WithMaxWait(time.Hour))
	if err != nil || len(imgs) != 1 {
		t.Fatalf("copies: %v, %v", imgs, err)
	}
	tc.assertValid(t)
}

func TestAgainstTheFakeQuotaAndTasks(t *testing.T) {
	ctx := context.Background()
	srv, tc := fakePair(t, []fake.Option{fake.WithImageQuota(privateImagesSeeded(t))})
	_, resp, err := tc.CreateImage(ctx, &client.CreateImageInput{RegionID: region, InstanceID: fake.SeedInstanceCloud, CreateImageInput: api.CreateImageInput{Name: "over-quota"}})
	if !errors.Is(err, client.ErrQuotaExceeded) || errors.Is(err, client.ErrThrottled) || resp.Attempts != 1 || len(srv.Requests()) != 1 {
		t.Fatalf("over the quota: %v, %+v, %d requests", err, resp, len(srv.Requests()))
	}

	_, tc = fakePair(t, nil)
	res, _, err := tc.ImportImage(ctx, &client.ImportImageInput{RegionID: region, ImportImageInput: api.ImportImageInput{
		Architecture: api.ArchitectureX8664, OsType: api.OsTypeLinux, Platform: "CentOS", DiskFormat: api.DiskFormatQCOW2,
		SystemDiskSizeGB: 40, ImageUrl: "https://test.s3-internal.cn-north-1.jdcloud-oss.com/linux/a.qcow2", ImageName: "imported"}})
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	task, err := tc.WaitUntilTaskFinished(ctx, region, res.TaskId, client.WithMaxWait(time.Hour),
		client.WithObserver(func(o client.Observation) { progress = append(progress, o.Progress) }))
	if err != nil || task.TaskStatus != api.TaskStatusFinished || len(progress) < 2 || progress[len(progress)-1] != 100 {
		t.Fatalf("task %+v, %v, progress %v", task, err, progress)
	}
	if _, err := tc.WaitUntilImageReady(ctx, region, res.ImageId, client.WithMaxWait(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range tc.AllImageTasks(ctx, &client.ImageTasksInput{RegionID: region}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 1 {
		t.Errorf("%d tasks listed", n)
	}
	tc.assertValid(t)
}

// privateImagesSeeded is how many private images of its own the seeded fake holds in
// the region (a quota of that many is full).
func privateImagesSeeded(t *testing.T) int {
	srv, _ := fakePair(t, nil)
	n := 0
	for _, img := range srv.Images().InRegion(region) {
		if img.ImageSource != nil && *img.ImageSource == api.ImageSourcePrivate && img.GetOwnerPin() == fake.OwnPin {
			n++
		}
	}
	return n
}
