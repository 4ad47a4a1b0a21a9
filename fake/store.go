package fake

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/vmimage/vmimage/client"
	"github.com/vmimage/vmimage/client/api"
)

// The shapes of valid identifiers: the patterns of openapi.yaml's path parameters
// (a test keeps them equal). The region's is the client's rule.
var (
	RegionIDPattern   = regexp.MustCompile(client.RegionIDPattern)
	ImageIDPattern    = regexp.MustCompile(`^img-[a-z0-9]+$`)
	InstanceIDPattern = regexp.MustCompile(`^i-[a-z0-9]+$`)
)

// Store is the fake's world: images, and the instances, snapshots and tasks the write
// calls use. It is safe for concurrent use; everything is copied in and out: callers
// never share memory with it.
type Store struct {
	now func() time.Time

	mu        sync.RWMutex
	images    map[key]*entry
	instances map[key]Instance
	snapshots map[key]Snapshot
	// owned counts the account's own images per region, for the image quota.
	owned map[string]int
	// deleting holds the images being deleted, in the order they go.
	deleting []key
	tasks    taskList
}

type key struct{ region, id string }

type entry struct {
	image api.Image
	// constraint is the image's instance-type constraint (nil: none).
	constraint *api.ImageInstanceTypeConstraint
	// members are the accounts a private image is shared with.
	members api.DescribeImageMembersResult
	// A lifecycle in progress: status pending from start, reaching final after d.
	transition *transition
	// What the write calls did to the image (busy, tasks, deletion).
	state imageState
}

type transition struct {
	start time.Time
	d     time.Duration
	final api.ImageStatus
}

func newStore(now func() time.Time) *Store {
	return &Store{now: now, images: make(map[key]*entry), instances: make(map[key]Instance),
		snapshots: make(map[key]Snapshot), owned: make(map[string]int)}
}

// Put adds an image to a region, or replaces the one with the same imageId (its
// constraints, members, and any task or copy running on it stay). The image must
// have an imageId of the documented shape.
func (s *Store) Put(region string, img api.Image) error {
	if !RegionIDPattern.MatchString(region) {
		return fmt.Errorf("fake: region %q does not match %s", region, RegionIDPattern)
	}
	if img.ImageId == nil || !ImageIDPattern.MatchString(*img.ImageId) {
		return fmt.Errorf("fake: image needs an imageId matching %s", ImageIDPattern)
	}
	cp, err := clone(img)
	if err != nil {
		return err
	}
	s.mu.Lock()
	k := key{region, *img.ImageId}
	if e, ok := s.images[k]; ok {
		s.count(region, e, -1)
		// Constraints, members and what the write calls did (tasks, copies) stay; a
		// deletion in progress ends: this is a new image.
		e.image, e.transition, e.state.deleteAt = cp, nil, time.Time{}
		s.count(region, e, 1)
	} else {
		e := &entry{image: cp}
		s.images[k] = e
		s.count(region, e, 1)
	}
	s.mu.Unlock()
	return nil
}

// SetConstraint sets (or, with nil, removes) the instance-type constraint of a stored
// image, as DescribeImageConstraints and DescribeImageConstraintsBatch report it.
func (s *Store) SetConstraint(region, imageID string, c *api.ImageInstanceTypeConstraint) error {
	var cp *api.ImageInstanceTypeConstraint
	if c != nil {
		cp = &api.ImageInstanceTypeConstraint{ConstraintsType: c.ConstraintsType, InstanceTypes: slices.Clone(c.InstanceTypes)}
	}
	return s.update(region, imageID, func(e *entry) { e.constraint = cp })
}

// SetMembers sets the accounts a stored image is shared with, as
// DescribeImageMembers reports them.
func (s *Store) SetMembers(region, imageID string, pins, loginNames []string) error {
	return s.update(region, imageID, func(e *entry) {
		e.members = api.DescribeImageMembersResult{Pins: slices.Clone(pins), LoginNames: slices.Clone(loginNames)}
	})
}

// Constraint returns a stored image's constraint (nil when it has none) and whether
// the image exists.
func (s *Store) Constraint(region, imageID string) (*api.ImageInstanceTypeConstraint, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.images[key{region, imageID}]
	if !ok || e.constraint == nil {
		return nil, ok
	}
	return &api.ImageInstanceTypeConstraint{ConstraintsType: e.constraint.ConstraintsType, InstanceTypes: slices.Clone(e.constraint.InstanceTypes)}, true
}

// Members returns the accounts a stored image is shared with, and whether the image
// exists.
func (s *Store) Members(region, imageID string) (api.DescribeImageMembersResult, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.images[key{region, imageID}]
	if !ok {
		return api.DescribeImageMembersResult{}, false
	}
	return api.DescribeImageMembersResult{Pins: slices.Clone(e.members.Pins), LoginNames: slices.Clone(e.members.LoginNames)}, true
}

func (s *Store) update(region, imageID string, f func(*entry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.images[key{region, imageID}]
	if !ok {
		return fmt.Errorf("fake: no image %s in %s", imageID, region)
	}
	f(e)
	return nil
}

// Get returns the image as the service would describe it now (with any lifecycle
// applied).
func (s *Store) Get(region, imageID string) (api.Image, bool) {
	s.mu.RLock()
	e, ok := s.images[key{region, imageID}]
	var img api.Image
	var tr *transition
	var st imageState
	if ok {
		img, tr, st = e.image, e.transition, e.state
	}
	s.mu.RUnlock()
	now := s.now()
	if !ok || st.gone(now) {
		return api.Image{}, false
	}
	cp, err := clone(img)
	if err != nil {
		return api.Image{}, false
	}
	if tr != nil {
		tr.apply(&cp, now)
	}
	st.apply(&cp, now)
	return cp, true
}

// Delete removes an image; it reports whether there was one.
func (s *Store) Delete(region, imageID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{region, imageID}
	e, ok := s.images[k]
	if ok {
		s.count(region, e, -1)
	}
	delete(s.images, k)
	return ok && !e.state.gone(s.now())
}

// Transition puts an existing image in status pending with progress 0 and moves it
// to final (api.ImageStatusReady or api.ImageStatusError) over d, its progress rising
// linearly, on the fake's clock.
func (s *Store) Transition(region, imageID string, final api.ImageStatus, d time.Duration) error {
	if final != api.ImageStatusReady && final != api.ImageStatusError {
		return fmt.Errorf("fake: a transition ends in ready or error, not %q", final)
	}
	if d <= 0 {
		return errors.New("fake: transition duration must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.images[key{region, imageID}]
	if !ok {
		return fmt.Errorf("fake: no image %s in %s", imageID, region)
	}
	e.transition = &transition{start: s.now(), d: d, final: final}
	return nil
}

// Entry is one stored image.
type Entry struct {
	Region string
	Image  api.Image
}

// List returns every image as described now, sorted by region then id.
func (s *Store) List() []Entry { return s.list("") }

// InRegion returns the images of one region as described now, sorted by id.
func (s *Store) InRegion(region string) []api.Image {
	entries := s.list(region)
	out := make([]api.Image, len(entries))
	for i, e := range entries {
		out[i] = e.Image
	}
	return out
}

// list returns the images of one region ("" for all), sorted by region then id.
func (s *Store) list(region string) []Entry {
	s.mu.RLock()
	keys := make([]key, 0, len(s.images))
	for k := range s.images {
		if region == "" || k.region == region {
			keys = append(keys, k)
		}
	}
	s.mu.RUnlock()
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].region != keys[j].region {
			return keys[i].region < keys[j].region
		}
		return keys[i].id < keys[j].id
	})
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		if img, ok := s.Get(k.region, k.id); ok {
			out = append(out, Entry{Region: k.region, Image: img})
		}
	}
	return out
}

func (t *transition) apply(img *api.Image, now time.Time) {
	elapsed := now.Sub(t.start)
	status := api.ImageStatusPending
	pct := 0
	switch {
	case elapsed >= t.d:
		status, pct = t.final, 100
		if t.final == api.ImageStatusError {
			pct = 99
		}
	case elapsed > 0:
		pct = int(int64(elapsed) * 100 / int64(t.d))
	}
	progress := strconv.Itoa(pct)
	img.Status = &status
	img.Progress = &progress
}

// clone deep-copies an image through its JSON form, the form the service speaks.
func clone(img api.Image) (api.Image, error) {
	b, err := json.Marshal(img)
	if err != nil {
		return api.Image{}, fmt.Errorf("fake: copy image: %w", err)
	}
	var out api.Image
	if err := json.Unmarshal(b, &out); err != nil {
		return api.Image{}, fmt.Errorf("fake: copy image: %w", err)
	}
	return out, nil
}
