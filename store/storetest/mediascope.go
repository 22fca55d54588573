package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
)

// testMediaServices: a media remembers every service that uploaded it,
// and a second service uploading the same picture joins the first.
func testMediaServices(t *testing.T, open Opener) {
	services := func(t *testing.T, s kolokol.Store) {
		for _, code := range []string{"ru", "fa", "ka", "en"} {
			createService(t, s, code)
		}
	}
	t.Run("Uploader", func(t *testing.T) {
		s := open(t)
		services(t, s)
		m := newMedia("master", 0.5, 0.5, renditions("a", 1))
		m.Services = []string{"ru"}
		want := *m
		ok(t, s.CreateMedia(t.Context(), m), "create media of ru")
		want.ID, want.CreatedAt = m.ID, m.CreatedAt
		same(t, "created media", m, &want)
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, &want)
	})
	t.Run("SecondServiceJoins", func(t *testing.T) {
		s := open(t)
		services(t, s)
		first := newMedia("master", 0.3, 0.7, renditions("first", 2))
		first.Services = []string{"ru"}
		ok(t, s.CreateMedia(t.Context(), first), "create media of ru")

		again := newMedia("master", 0.5, 0.5, renditions("second", 1))
		again.Services = []string{"fa"}
		ok(t, s.CreateMedia(t.Context(), again), "upload the same master for fa")
		want := *first
		want.Services = []string{"fa", "ru"}
		same(t, "media of a known hash", again, &want)
		got, err := s.FindMediaByID(t.Context(), first.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, &want)

		// Uploading again for a service it has changes nothing.
		twice := newMedia("master", 0.5, 0.5, nil)
		twice.Services = []string{"ru", "ru"}
		ok(t, s.CreateMedia(t.Context(), twice), "upload the same master for ru again")
		same(t, "media uploaded twice by ru", twice, &want)

		// Nor does an upload that names no service.
		none := newMedia("master", 0.5, 0.5, nil)
		ok(t, s.CreateMedia(t.Context(), none), "upload the same master for no service")
		same(t, "media uploaded for no service", none, &want)
	})
	t.Run("Refused", func(t *testing.T) {
		s := open(t)
		services(t, s)
		kept := newMedia("kept", 0.5, 0.5, renditions("kept", 1))
		kept.Services = []string{"ru"}
		ok(t, s.CreateMedia(t.Context(), kept), "create media")
		for _, c := range []struct {
			name     string
			content  string
			services []string
		}{
			{"unknown service", "new", []string{"zz"}},
			{"not a code", "new", []string{"Русский"}},
			// The known service is not added either: all or nothing.
			{"known media, one unknown service", "kept", []string{"fa", "zz"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				m := newMedia(c.content, 0.5, 0.5, renditions(c.content, 1))
				m.Services = c.services
				wantCode(t, s.CreateMedia(t.Context(), m), kolokol.EINVALID, "services")
				if m.ID != 0 {
					t.Errorf("a refused create set ID %d", m.ID)
				}
				got, err := s.FindMediaByID(t.Context(), kept.ID)
				ok(t, err, "find media")
				same(t, "media after a refused upload", got, kept)
			})
		}
		m := newMedia("new", 0.5, 0.5, renditions("new", 1))
		ok(t, s.CreateMedia(t.Context(), m), "create after refusals")
		if m.ID == kept.ID || m.Services != nil {
			t.Errorf("the refused uploads left something behind: %+v", m)
		}
	})
	// Services uploading the same picture at once: each joins, none is
	// lost, and they share one media.
	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		codes := []string{"ru", "fa", "ka", "en"}
		services(t, s)
		var wg sync.WaitGroup
		ids := make([]int64, len(codes))
		errs := make([]error, len(codes))
		for i, code := range codes {
			wg.Go(func() {
				m := newMedia("shared", 0.5, 0.5, renditions("shared", 1))
				m.Services = []string{code}
				errs[i] = s.CreateMedia(t.Context(), m)
				ids[i] = m.ID
			})
		}
		wg.Wait()
		for i := range codes {
			ok(t, errs[i], "upload for %s", codes[i])
			if ids[i] != ids[0] {
				t.Fatalf("one picture got ids %v", ids)
			}
		}
		got, err := s.FindMediaByID(t.Context(), ids[0])
		ok(t, err, "find media")
		want := slices.Clone(codes)
		slices.Sort(want)
		if !slices.Equal(got.Services, want) {
			t.Errorf("services %v, want %v", got.Services, want)
		}
	})
}
