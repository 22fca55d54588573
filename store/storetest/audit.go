package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func testAuditRoundTrips(t *testing.T, open Opener) {
	s := open(t)
	tehran := time.FixedZone("Tehran", 12600)
	entries := []*kolokol.AuditEntry{
		{Time: at(3, 9, 0), Actor: "мария@пример.рф", Action: "article.publish", Service: "ru", ArticleID: 12,
			Detail: "«Выборы» — опубликовано"},
		{Time: at(3, 9, 1).In(tehran), Actor: "maryam@example.org", Action: "article.update", Service: "fa", ArticleID: 13,
			Detail: "تیتر تغییر کرد:\n«انتخابات»"},
		{Time: at(3, 9, 2), Actor: "admin@example.org", Action: "user.add", Target: "ნინო@მაგალითი.გე",
			Detail: "role reporter, services ka"},
		{Time: at(3, 9, 3), Actor: "wire importer", Action: "article.create.denied", Service: "ka", ArticleID: 14,
			Detail: "this token may not touch ka"},
	}
	var want []*kolokol.AuditEntry
	for _, e := range entries {
		w := *e
		ok(t, s.AddAudit(t.Context(), e), "add %s", e.Action)
		if e.ID <= 0 {
			t.Fatalf("entry %s got id %d", e.Action, e.ID)
		}
		if e.Service != "" && !slices.Contains(e.Services, e.Service) {
			t.Errorf("entry %s: services %v lack its service %s", e.Action, e.Services, e.Service)
		}
		w.ID, w.Services = e.ID, e.Services
		want = append(want, &w)
	}
	slices.Reverse(want)
	got, err := s.FindAudit(t.Context(), kolokol.AuditFilter{})
	ok(t, err, "find audit")
	same(t, "audit log", got, want)

	// The store stamps entries given no time.
	e := &kolokol.AuditEntry{Actor: "anna@example.org", Action: "login.ok"}
	ok(t, s.AddAudit(t.Context(), e), "add without a time")
	stamped(t, "Time", e.Time)
	got, err = s.FindAudit(t.Context(), kolokol.AuditFilter{Limit: 1})
	ok(t, err, "find audit")
	same(t, "stamped entry", got, []*kolokol.AuditEntry{e})

	// Refused entries change nothing, stored or in hand.
	for _, tt := range []struct {
		field string
		e     kolokol.AuditEntry
	}{
		{"actor", kolokol.AuditEntry{Action: "login.fail"}},
		{"action", kolokol.AuditEntry{Actor: "x", Action: "Login Fail"}},
		{"service", kolokol.AuditEntry{Actor: "x", Action: "article.publish", Service: "xx-"}},
		{"detail", kolokol.AuditEntry{Actor: "x", Action: "login.fail", Detail: "a\x00b"}},
		{"time", kolokol.AuditEntry{Actor: "x", Action: "login.fail", Time: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		e := tt.e
		wantCode(t, s.AddAudit(t.Context(), &e), kolokol.EINVALID, tt.field)
		same(t, tt.field+": caller's entry", &e, &tt.e)
	}
	if got, _ := s.FindAudit(t.Context(), kolokol.AuditFilter{}); len(got) != len(entries)+1 {
		t.Errorf("refused entries were stored: %d entries", len(got))
	}
}

func testAuditPaging(t *testing.T, open Opener) {
	s := open(t)
	if got, err := s.FindAudit(t.Context(), kolokol.AuditFilter{}); err != nil || got != nil {
		t.Fatalf("empty audit log: %v, %v; want nil", got, err)
	}
	actors := []string{"anna@example.org", "tomas@example.org", "wire importer"}
	actions := []string{"article.publish", "article.update"}
	services := []string{"ru", "fa", "ka", ""}
	var all []*kolokol.AuditEntry // newest first
	for i := range 12 {
		e := &kolokol.AuditEntry{Actor: actors[i%3], Action: actions[i%2], Service: services[i%4], ArticleID: int64(i%4 + 1),
			Detail: fmt.Sprintf("правка %d", i)}
		ok(t, s.AddAudit(t.Context(), e), "add entry %d", i)
		all = append([]*kolokol.AuditEntry{e}, all...)
	}
	selectWhere := func(keep func(e *kolokol.AuditEntry) bool) []int64 {
		var ids []int64
		for _, e := range all {
			if keep(e) {
				ids = append(ids, e.ID)
			}
		}
		return ids
	}
	for _, tt := range []struct {
		name string
		f    kolokol.AuditFilter
		keep func(e *kolokol.AuditEntry) bool
	}{
		{"actor", kolokol.AuditFilter{Actor: "anna@example.org"}, func(e *kolokol.AuditEntry) bool { return e.Actor == "anna@example.org" }},
		{"action", kolokol.AuditFilter{Action: "article.update"}, func(e *kolokol.AuditEntry) bool { return e.Action == "article.update" }},
		{"service", kolokol.AuditFilter{Service: "fa"}, func(e *kolokol.AuditEntry) bool { return e.Service == "fa" }},
		{"article", kolokol.AuditFilter{ArticleID: 3}, func(e *kolokol.AuditEntry) bool { return e.ArticleID == 3 }},
		{"actor and action", kolokol.AuditFilter{Actor: "wire importer", Action: "article.publish"},
			func(e *kolokol.AuditEntry) bool { return e.Actor == "wire importer" && e.Action == "article.publish" }},
		{"service before", kolokol.AuditFilter{Service: "ru", Before: all[4].ID},
			func(e *kolokol.AuditEntry) bool { return e.Service == "ru" && e.ID < all[4].ID }},
		{"nothing", kolokol.AuditFilter{Actor: "reader"}, func(e *kolokol.AuditEntry) bool { return false }},
	} {
		got, err := s.FindAudit(t.Context(), tt.f)
		ok(t, err, "find audit %s", tt.name)
		var ids []int64
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if want := selectWhere(tt.keep); !slices.Equal(ids, want) {
			t.Errorf("%s: ids %v, want %v", tt.name, ids, want)
		}
	}

	// Paging with the cursor visits every entry once, newest first.
	var paged []*kolokol.AuditEntry
	f := kolokol.AuditFilter{Limit: 5}
	for range 10 {
		page, err := s.FindAudit(t.Context(), f)
		ok(t, err, "find a page")
		paged = append(paged, page...)
		if len(page) < f.Limit {
			break
		}
		f.Before = page[len(page)-1].ID
	}
	same(t, "paged audit log", paged, all)

	// Page sizes: a default, and a ceiling however large the ask.
	for i := range kolokol.MaxAuditLimit + 1 - len(all) {
		ok(t, s.AddAudit(t.Context(), &kolokol.AuditEntry{Actor: "bulk", Action: "login.fail", Detail: fmt.Sprint(i)}), "add")
	}
	for _, tt := range []struct{ limit, want int }{
		{0, kolokol.DefaultAuditLimit}, {-1, kolokol.DefaultAuditLimit}, {7, 7},
		{kolokol.MaxAuditLimit, kolokol.MaxAuditLimit}, {kolokol.MaxAuditLimit * 4, kolokol.MaxAuditLimit},
	} {
		if got, err := s.FindAudit(t.Context(), kolokol.AuditFilter{Limit: tt.limit}); err != nil || len(got) != tt.want {
			t.Errorf("limit %d: %d entries, want %d (%v)", tt.limit, len(got), tt.want, err)
		}
	}
}
