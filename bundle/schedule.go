package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

// Store is what scheduled editions read and write.
type Store interface {
	kolokol.Bundles
	FindServices(ctx context.Context) ([]*kolokol.Service, error)
}

// Schedule publishes each service's editions once a day: built, signed,
// put in the media store and listed on the service's mirrors page, from
// where exports and every mirror carry them (the change it records is
// what the mirror publisher follows).
type Schedule struct {
	Maker *Maker
	Store Store
	Kinds []kolokol.BundleKind
	// Days is the period an edition holds, up to its time.
	Days int
	// Hour is the UTC hour of the day's editions.
	Hour int
	// Keep is how many editions of each kind a service keeps listed; older
	// ones are withdrawn and their files removed from the media store.
	Keep int
	// Dir is where files are built before they go to the media store.
	Dir string
	Log *slog.Logger
	// Notify, if set, is called after each edition listed or withdrawn:
	// the change log's consumers (the page cache, the mirror publisher)
	// need not wait for their next poll.
	Notify func()
}

func (s *Schedule) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

// Due is the time of the newest editions that should exist at now.
func (s *Schedule) Due(now time.Time) time.Time {
	now = now.UTC()
	t := time.Date(now.Year(), now.Month(), now.Day(), s.Hour, 0, 0, 0, time.UTC)
	if now.Before(t) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// Run publishes what is due after wait, then at each day's hour, until
// ctx ends.
func (s *Schedule) Run(ctx context.Context, wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := s.Maker.now()
		n, err := s.PublishDue(ctx, now)
		if n > 0 {
			s.Log.Info("offline editions published", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			s.Log.Error("offline editions", "err", err)
		}
		next := s.Due(now).AddDate(0, 0, 1)
		if retry := now.Add(time.Hour); err != nil && retry.Before(next) {
			// Try again within the hour rather than tomorrow.
			next = retry
		}
		timer.Reset(max(next.Sub(s.Maker.now()), time.Second))
	}
}

// PublishDue publishes each service's editions that are due at now and
// not published yet: each holds the Days up to now (a server that was down
// at the hour makes the day's editions when it is back, with every story
// up to then). A service without a story in the period gets none. It
// returns how many it published, and every failure joined.
func (s *Schedule) PublishDue(ctx context.Context, now time.Time) (int, error) {
	due := s.Due(now)
	to := now.UTC().Truncate(time.Second)
	from := to.AddDate(0, 0, -s.Days)
	services, err := s.Store.FindServices(ctx)
	if err != nil {
		return 0, fmt.Errorf("offline editions: %w", err)
	}
	var n int
	var errs []error
	for _, svc := range services {
		have, err := s.Store.FindBundles(ctx, svc.Code)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, kind := range s.Kinds {
			if slices.ContainsFunc(have, func(b *kolokol.Bundle) bool { return b.Kind == kind && !b.To.Before(due) }) {
				continue
			}
			if _, err := s.Publish(ctx, kind, svc.Code, from, to); errors.Is(err, ErrEmpty) {
				s.Log.Info("no offline edition: no story in the period", "service", svc.Code, "kind", kind)
				continue
			} else if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		if err := s.prune(ctx, svc.Code); err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return n, errors.Join(errs...)
}

// ErrEmpty is a period without a published story: Publish's error then
// wraps it.
var ErrEmpty = render.ErrNoStories

// Publish builds one edition and publishes it.
func (s *Schedule) Publish(ctx context.Context, kind kolokol.BundleKind, code string, from, to time.Time) (*kolokol.Bundle, error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("offline edition of %s: %w", code, err)
	}
	tmp, err := os.MkdirTemp(s.Dir, "bundle-")
	if err != nil {
		return nil, fmt.Errorf("offline edition of %s: %w", code, err)
	}
	defer os.RemoveAll(tmp)
	name := Name(kind, code, to)
	r, err := s.Maker.Write(ctx, kind, code, from, to, filepath.Join(tmp, name))
	if err != nil {
		return nil, err
	}
	key := r.SHA256 + "." + string(kind)
	sig, err := os.ReadFile(r.Path + sign.SigSuffix)
	if err != nil {
		return nil, fmt.Errorf("offline edition %s: %w", name, err)
	}
	sum := sha256.Sum256(sig)
	sigKey := hex.EncodeToString(sum[:]) + sign.SigSuffix
	f, err := os.Open(r.Path)
	if err != nil {
		return nil, fmt.Errorf("offline edition %s: %w", name, err)
	}
	err = s.Maker.Blobs.Put(ctx, key, f)
	f.Close()
	if err == nil {
		err = s.Maker.Blobs.Put(ctx, sigKey, strings.NewReader(string(sig)))
	}
	if err != nil {
		return nil, fmt.Errorf("offline edition %s: store: %w", name, err)
	}
	b := &kolokol.Bundle{Service: code, Kind: kind, Name: name, Key: key, SigKey: sigKey, Size: r.Size, Stories: r.Stories, From: from, To: to}
	if err := s.Store.AddBundle(ctx, b); err != nil {
		return nil, fmt.Errorf("offline edition %s: %w", name, err)
	}
	s.notify()
	s.Log.Info("offline edition published", "service", code, "kind", kind, "name", name, "bytes", r.Size, "stories", r.Stories)
	return b, nil
}

// deleter is a media store that can remove a file.
type deleter interface {
	Delete(ctx context.Context, key string) error
}

// prune withdraws a service's editions beyond Keep of each kind, newest
// kept, and removes their files.
func (s *Schedule) prune(ctx context.Context, code string) error {
	all, err := s.Store.FindBundles(ctx, code)
	if err != nil {
		return err
	}
	seen := map[kolokol.BundleKind]int{}
	var errs []error
	for _, b := range all { // newest first
		seen[b.Kind]++
		if seen[b.Kind] <= s.Keep {
			continue
		}
		if err := s.Store.DeleteBundle(ctx, b.ID); err != nil && !kolokol.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		s.notify()
		if d, ok := s.Maker.Blobs.(deleter); ok && !slices.ContainsFunc(all, func(o *kolokol.Bundle) bool { return o.ID != b.ID && o.Key == b.Key }) {
			errs = append(errs, d.Delete(ctx, b.Key), d.Delete(ctx, b.SigKey))
		}
	}
	return errors.Join(errs...)
}
