package storetest

import (
	"testing"

	"github.com/kolokol/kolokol"
)

func testServices(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		for _, code := range []string{"ru", "fa", "ka"} {
			svc := createService(t, s, code)
			stamped(t, code+" CreatedAt", svc.CreatedAt)
			if !svc.UpdatedAt.Equal(svc.CreatedAt) {
				t.Errorf("%s: UpdatedAt %v, want CreatedAt %v", code, svc.UpdatedAt, svc.CreatedAt)
			}
			got, err := s.FindServiceByCode(t.Context(), code)
			ok(t, err, "find service %s", code)
			same(t, "service "+code, got, svc)
		}
	})
	t.Run("FindServicesOrderedByCode", func(t *testing.T) {
		s := open(t)
		got, err := s.FindServices(t.Context())
		ok(t, err, "find services in an empty store")
		if got != nil {
			t.Errorf("FindServices of an empty store = %v, want nil", got)
		}
		var want []*kolokol.Service
		for _, code := range []string{"ru", "ka", "fa", "en-gb"} {
			want = append(want, createService(t, s, code))
		}
		want = []*kolokol.Service{want[3], want[2], want[1], want[0]}
		got, err = s.FindServices(t.Context())
		ok(t, err, "find services")
		same(t, "services", got, want)
	})
	t.Run("DuplicateCode", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		dup := newService("ru")
		dup.Name = "Другая служба"
		wantCode(t, s.CreateService(t.Context(), dup), kolokol.ECONFLICT, "")
		got, err := s.FindServiceByCode(t.Context(), "ru")
		ok(t, err, "find service ru")
		if got.Name != newService("ru").Name {
			t.Errorf("a refused duplicate changed the stored name to %q", got.Name)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			name, field string
			change      func(*kolokol.Service)
		}{
			{"bad code", "code", func(s *kolokol.Service) { s.Code = "Russian" }},
			{"bad tag", "tag", func(s *kolokol.Service) { s.Tag = "ru_RU" }},
			{"bad script", "script", func(s *kolokol.Service) { s.Script = "cyrillic" }},
			{"bad direction", "direction", func(s *kolokol.Service) { s.Direction = "up" }},
			{"no name", "name", func(s *kolokol.Service) { s.Name = " " }},
			{"unknown zone", "time_zone", func(s *kolokol.Service) { s.TimeZone = "Mars/Olympus" }},
		} {
			t.Run(c.name, func(t *testing.T) {
				s := open(t)
				svc := newService("ru")
				c.change(svc)
				wantCode(t, s.CreateService(t.Context(), svc), kolokol.EINVALID, c.field)
				if !svc.CreatedAt.IsZero() {
					t.Error("a refused create set CreatedAt")
				}
				if got, err := s.FindServices(t.Context()); err != nil || got != nil {
					t.Errorf("after a refused create FindServices = %v, %v; want nothing", got, err)
				}
			})
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindServiceByCode(t.Context(), "ru")
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
	t.Run("Update", func(t *testing.T) {
		s := open(t)
		orig := createService(t, s, "ru")
		svc := newService("ru")
		svc.Tag, svc.Name, svc.About, svc.LegalStatus = "ru-Cyrl-MD", "Русская редакция", "", "Иноагент"
		svc.TimeZone, svc.EnglishName = "Europe/Chisinau", "Russian (Moldova)"
		svc.ShowGregorian, svc.LatinSlugs = true, true
		ok(t, s.UpdateService(t.Context(), svc), "update service")
		got, err := s.FindServiceByCode(t.Context(), "ru")
		ok(t, err, "find service")
		if !got.CreatedAt.Equal(orig.CreatedAt) {
			t.Errorf("CreatedAt = %v after update, want %v", got.CreatedAt, orig.CreatedAt)
		}
		if got.UpdatedAt.Before(orig.UpdatedAt) {
			t.Errorf("UpdatedAt = %v went back from %v", got.UpdatedAt, orig.UpdatedAt)
		}
		svc.CreatedAt, svc.UpdatedAt = got.CreatedAt, got.UpdatedAt
		same(t, "updated service", got, svc)
		// and back: fa is created with ShowGregorian on.
		createService(t, s, "fa")
		fa := newService("fa")
		fa.ShowGregorian = false
		ok(t, s.UpdateService(t.Context(), fa), "update service fa")
		if got, err := s.FindServiceByCode(t.Context(), "fa"); err != nil || got.ShowGregorian {
			t.Errorf("ShowGregorian did not turn off: %+v, %v", got, err)
		}
	})
	t.Run("UpdateUnknown", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.UpdateService(t.Context(), newService("ru")), kolokol.ENOTFOUND, "")
		if _, err := s.FindServiceByCode(t.Context(), "ru"); !kolokol.IsNotFound(err) {
			t.Errorf("updating an unknown service created it (err %v)", err)
		}
	})
	t.Run("UpdateInvalid", func(t *testing.T) {
		s := open(t)
		orig := createService(t, s, "fa")
		svc := newService("fa")
		svc.Direction = "sideways"
		wantCode(t, s.UpdateService(t.Context(), svc), kolokol.EINVALID, "direction")
		got, err := s.FindServiceByCode(t.Context(), "fa")
		ok(t, err, "find service")
		same(t, "service after a refused update", got, orig)
	})
}

func testSections(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ka")
		sec := &kolokol.Section{Service: "ka", Slug: "world", Name: "მსოფლიო", Position: 3}
		ok(t, s.CreateSection(t.Context(), sec), "create section")
		if sec.ID <= 0 {
			t.Fatalf("section ID = %d, want it set", sec.ID)
		}
		got, err := s.FindSection(t.Context(), "ka", "world")
		ok(t, err, "find section")
		same(t, "section", got, sec)
		other := createSection(t, s, "ka", "politics", 1)
		if other.ID == sec.ID {
			t.Errorf("two sections share id %d", sec.ID)
		}
	})
	t.Run("FindSectionsOrder", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		createService(t, s, "fa")
		if got, err := s.FindSections(t.Context(), "ru"); err != nil || got != nil {
			t.Fatalf("FindSections with none = %v, %v; want nil, nil", got, err)
		}
		b := createSection(t, s, "ru", "b-section", 2)
		z := createSection(t, s, "ru", "z-section", 1)
		a := createSection(t, s, "ru", "a-section", 1)
		createSection(t, s, "fa", "a-section", 0)
		got, err := s.FindSections(t.Context(), "ru")
		ok(t, err, "find sections")
		same(t, "sections", got, []*kolokol.Section{a, z, b})
		if got, err := s.FindSections(t.Context(), "de"); err != nil || got != nil {
			t.Errorf("FindSections of an unknown service = %v, %v; want nil, nil", got, err)
		}
	})
	t.Run("DuplicateSlug", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		createService(t, s, "fa")
		createSection(t, s, "ru", "world", 0)
		dup := &kolokol.Section{Service: "ru", Slug: "world", Name: "Другой мир"}
		wantCode(t, s.CreateSection(t.Context(), dup), kolokol.ECONFLICT, "")
		if dup.ID != 0 {
			t.Errorf("a refused create set ID %d", dup.ID)
		}
		// The same slug in another service is another section.
		createSection(t, s, "fa", "world", 0)
	})
	t.Run("UnknownService", func(t *testing.T) {
		s := open(t)
		sec := &kolokol.Section{Service: "de", Slug: "welt", Name: "Welt"}
		wantCode(t, s.CreateSection(t.Context(), sec), kolokol.EINVALID, "service")
	})
	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		for _, c := range []struct {
			sec   kolokol.Section
			field string
		}{
			{kolokol.Section{Service: "ru", Slug: "Мир", Name: "Мир"}, "slug"},
			{kolokol.Section{Service: "ru", Slug: "world/../x", Name: "Мир"}, "slug"},
			{kolokol.Section{Service: "ru", Slug: "world", Name: "  "}, "name"},
			{kolokol.Section{Service: "RU", Slug: "world", Name: "Мир"}, "service"},
		} {
			wantCode(t, s.CreateSection(t.Context(), &c.sec), kolokol.EINVALID, c.field)
		}
		if got, err := s.FindSections(t.Context(), "ru"); err != nil || got != nil {
			t.Errorf("refused creates left sections %v, %v", got, err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		createSection(t, s, "ru", "world", 0)
		for _, c := range [][2]string{{"ru", "sport"}, {"fa", "world"}} {
			_, err := s.FindSection(t.Context(), c[0], c[1])
			wantCode(t, err, kolokol.ENOTFOUND, "")
		}
	})
}
