package storetest

import (
	"fmt"
	"testing"

	"github.com/kolokol/kolokol"
)

func testNotices(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	createService(t, s, "fa")
	n := &kolokol.Notice{Service: "ru", Text: " Читать и распространять материалы в России может быть опасно. ", Link: "/ru/safety/",
		Countries: []string{"ru", "BY", " RU "}, Default: true}
	ok(t, s.CreateNotice(ctx, n), "create notice")
	if n.ID == 0 || n.CreatedAt.IsZero() || len(n.Countries) != 2 || n.Countries[0] != "BY" || n.Text[0] == ' ' {
		t.Fatalf("created %+v", n)
	}
	got, err := s.FindNotice(ctx, n.ID)
	ok(t, err, "find notice")
	same(t, "notice", got, n)
	n.Text, n.Countries, n.Default, n.Mirrors = "Новый текст.", []string{"KZ"}, false, true
	ok(t, s.UpdateNotice(ctx, n), "update notice")
	list, err := s.FindNotices(ctx, "ru")
	ok(t, err, "find notices")
	if len(list) != 1 {
		t.Fatalf("%d notices", len(list))
	}
	same(t, "updated notice", list[0], n)
	if none, err := s.FindNotices(ctx, "fa"); err != nil || none != nil {
		t.Errorf("another service's notices: %v %v", none, err)
	}
	// A notice cannot be moved to another service by an update.
	moved := *n
	moved.Service = "fa"
	wantCode(t, s.UpdateNotice(ctx, &moved), kolokol.ENOTFOUND, "")

	for _, c := range []struct {
		name  string
		n     kolokol.Notice
		code  string
		field string
	}{
		{"no text", kolokol.Notice{Service: "ru", Default: true}, kolokol.EINVALID, "text"},
		{"two lines", kolokol.Notice{Service: "ru", Text: "a\nb", Default: true}, kolokol.EINVALID, "text"},
		{"bad link", kolokol.Notice{Service: "ru", Text: "x", Link: "javascript:alert(1)", Default: true}, kolokol.EINVALID, "link"},
		{"bad country", kolokol.Notice{Service: "ru", Text: "x", Countries: []string{"Russia"}}, kolokol.EINVALID, "countries"},
		{"Tor is no country", kolokol.Notice{Service: "ru", Text: "x", Countries: []string{"T1"}}, kolokol.EINVALID, "countries"},
		{"for no one", kolokol.Notice{Service: "ru", Text: "x"}, kolokol.EINVALID, "countries"},
		{"unknown service", kolokol.Notice{Service: "xx", Text: "x", Default: true}, kolokol.EINVALID, "service"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, s.CreateNotice(ctx, &c.n), c.code, c.field)
		})
	}
	for i := 1; i < kolokol.MaxNotices; i++ {
		ok(t, s.CreateNotice(ctx, &kolokol.Notice{Service: "ru", Text: fmt.Sprint("notice ", i), Countries: []string{"RU"}}), "create notice %d", i)
	}
	wantCode(t, s.CreateNotice(ctx, &kolokol.Notice{Service: "ru", Text: "one too many", Default: true}), kolokol.ECONFLICT, "")
	if list, _ := s.FindNotices(ctx, "ru"); len(list) != kolokol.MaxNotices || list[0].ID != n.ID {
		t.Errorf("%d notices, first %d", len(list), list[0].ID)
	}
	ok(t, s.DeleteNotice(ctx, n.ID), "delete notice")
	wantCode(t, s.DeleteNotice(ctx, n.ID), kolokol.ENOTFOUND, "")
	_, err = s.FindNotice(ctx, n.ID)
	wantCode(t, err, kolokol.ENOTFOUND, "")

	// The service's safety page round-trips.
	svc, err := s.FindServiceByCode(ctx, "ru")
	ok(t, err, "find service")
	svc.Safety = "## Как читать безопасно\n\nИспользуйте Tor Browser."
	ok(t, s.UpdateService(ctx, svc), "update service")
	back, _ := s.FindServiceByCode(ctx, "ru")
	if back.Safety != svc.Safety {
		t.Errorf("safety = %q", back.Safety)
	}
}
