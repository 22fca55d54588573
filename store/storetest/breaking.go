package storetest

import (
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// soon is an expiry the store accepts: in the future, to the microsecond.
func soon() time.Time { return time.Now().UTC().Add(2 * time.Hour).Truncate(time.Microsecond) }

func setBreaking(t *testing.T, s kolokol.Store, b *kolokol.Breaking) *kolokol.Breaking {
	t.Helper()
	ok(t, s.SetBreaking(t.Context(), b), "set breaking news of %s", b.Service)
	stamped(t, "breaking CreatedAt", b.CreatedAt)
	return b
}

func findBreaking(t *testing.T, s kolokol.Store, service string) *kolokol.Breaking {
	t.Helper()
	b, err := s.FindBreaking(t.Context(), service)
	ok(t, err, "find breaking news of %s", service)
	return b
}

func testBreaking(t *testing.T, open Opener) {
	t.Run("SetReplaceClear", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		_, err := s.FindBreaking(t.Context(), "ru")
		wantCode(t, err, kolokol.ENOTFOUND, "")

		b := setBreaking(t, s, &kolokol.Breaking{Service: "ru", Text: "Срочно: землетрясение в Тбилиси",
			URL: "/ru/a/12-землетрясение/", ExpiresAt: soon()})
		same(t, "banner", findBreaking(t, s, "ru"), b)

		b2 := setBreaking(t, s, &kolokol.Breaking{Service: "ru", Text: "Обновление: толчки прекратились",
			URL: "https://example.org/live?id=1"})
		same(t, "replaced banner", findBreaking(t, s, "ru"), b2)

		ok(t, s.ClearBreaking(t.Context(), "ru"), "clear breaking news")
		_, err = s.FindBreaking(t.Context(), "ru")
		wantCode(t, err, kolokol.ENOTFOUND, "")
		ok(t, s.ClearBreaking(t.Context(), "ru"), "clear breaking news again")
	})
	t.Run("PerService", func(t *testing.T) {
		s := open(t)
		for _, code := range []string{"ru", "fa", "ka"} {
			createService(t, s, code)
		}
		fa := setBreaking(t, s, &kolokol.Breaking{Service: "fa", Text: "فوری: زلزله در تهران"})
		ka := setBreaking(t, s, &kolokol.Breaking{Service: "ka", Text: "სასწრაფო: მიწისძვრა", ExpiresAt: soon()})
		setBreaking(t, s, &kolokol.Breaking{Service: "ru", Text: "Срочно"})
		ok(t, s.ClearBreaking(t.Context(), "ru"), "clear ru")
		same(t, "fa banner", findBreaking(t, s, "fa"), fa)
		same(t, "ka banner", findBreaking(t, s, "ka"), ka)
	})
	t.Run("UnknownService", func(t *testing.T) {
		s := open(t)
		err := s.SetBreaking(t.Context(), &kolokol.Breaking{Service: "de", Text: "Eilmeldung"})
		wantCode(t, err, kolokol.EINVALID, "service")
		_, err = s.FindBreaking(t.Context(), "de")
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
	t.Run("InvalidKeepsBanner", func(t *testing.T) {
		s := open(t)
		createService(t, s, "ru")
		b := setBreaking(t, s, &kolokol.Breaking{Service: "ru", Text: "Срочно"})
		for _, c := range []struct {
			b     kolokol.Breaking
			field string
		}{
			{kolokol.Breaking{Service: "ru", Text: "   "}, "text"},
			{kolokol.Breaking{Service: "ru", Text: "две\nстроки"}, "text"},
			{kolokol.Breaking{Service: "ru", Text: "Ссылка", URL: "javascript:alert(1)"}, "url"},
			{kolokol.Breaking{Service: "ru", Text: "Ссылка", URL: "//evil.example/"}, "url"},
			{kolokol.Breaking{Service: "ru", Text: "Прошлое", ExpiresAt: time.Now().Add(-time.Minute)}, "expires_at"},
			{kolokol.Breaking{Service: "RU", Text: "Срочно"}, "service"},
		} {
			wantCode(t, s.SetBreaking(t.Context(), &c.b), kolokol.EINVALID, c.field)
		}
		same(t, "banner after refused sets", findBreaking(t, s, "ru"), b)
	})
}
