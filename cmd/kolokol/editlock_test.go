package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestEditLockHandlers: who is in a story, through the newsroom's pages.
// Aziz opens a story; Maryam is told he is editing it, her form is
// read-only, and her save is kept as her working copy, not applied; she
// takes over (audited); Aziz's heartbeat says she took over, his save is
// kept too; once he takes it back and saves from the old version over her
// change, the conflict page names her and her time.
func TestEditLockHandlers(t *testing.T) {
	ta := newTestApp(t)
	ctx := t.Context()
	aziz := ta.account(t, "aziz@example.org", kolokol.RoleEditor, "ru")
	maryam := ta.account(t, "maryam@example.org", kolokol.RoleEditor, "ru")
	m, err := ta.Store.FindUserByEmail(ctx, "maryam@example.org")
	if err != nil {
		t.Fatal(err)
	}
	m.Name = "Maryam"
	if err := ta.Store.UpdateUser(ctx, m); err != nil {
		t.Fatal(err)
	}
	base := url.Values{"service": {"ru"}, "headline": {"Заголовок"}, "summary": {"Кратко."}, "body": {"Текст."}}
	id := newStory(t, ta, aziz, base)
	path := fmt.Sprintf("/newsroom/stories/%d", id)
	body := func(r response) string { return string(r.body) }

	if r := ta.page(t, aziz, path); r.status != 200 || strings.Contains(body(r), `id="held"`) || field(r.body, "version") != "1" {
		t.Fatalf("aziz opens his story: %d, told someone holds it: %v", r.status, strings.Contains(body(r), `id="held"`))
	}
	if r := ta.page(t, aziz, path); strings.Contains(body(r), `id="held"`) {
		t.Error("aziz in a second tab is locked out by himself")
	}
	r := ta.page(t, maryam, path)
	if r.status != 200 || !strings.Contains(body(r), "aziz@example.org</bdi> is editing this story since") ||
		!strings.Contains(body(r), `disabled aria-describedby="held"`) || !strings.Contains(body(r), path+`/takeover"`) {
		t.Fatalf("maryam opens aziz's story: %d %s", r.status, r.body)
	}

	// Her save is neither applied nor lost.
	hers := url.Values{"service": {"ru"}, "version": {"1"}, "headline": {"Заголовок"}, "summary": {"Кратко."}, "body": {"Текст Марьям."}}
	r = ta.post(t, maryam, path, hers)
	if r.status != http.StatusConflict || !strings.Contains(body(r), "Текст Марьям.") || !strings.Contains(body(r), "Your save was not applied") {
		t.Fatalf("maryam's save while aziz edits: %d %s", r.status, r.body)
	}
	if a, _ := ta.Store.FindArticleByID(ctx, id); a.Body != "Текст." {
		t.Fatalf("maryam's save was applied over aziz: %q", a.Body)
	}
	if c, err := ta.Store.FindAutosave(ctx, m.ID, id, "ru"); err != nil || c.Fields["body"] != "Текст Марьям." || c.Version != 1 {
		t.Fatalf("maryam's refused save is not her working copy: %+v %v", c, err)
	}

	// She takes over: audited, and her working copy is offered.
	if r := ta.post(t, maryam, path+"/takeover", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("take over: %d %s", r.status, r.body)
	}
	entries, err := ta.Store.FindAudit(ctx, kolokol.AuditFilter{Action: "article.takeover", ArticleID: id})
	if err != nil || len(entries) != 1 || entries[0].Actor != "maryam@example.org" || entries[0].Detail != "from aziz@example.org" {
		t.Fatalf("takeover audit: %+v %v", entries, err)
	}
	if r := ta.page(t, maryam, path); strings.Contains(body(r), `id="held"`) || !strings.Contains(body(r), "Show my kept changes") {
		t.Fatalf("maryam after taking over: %s", r.body)
	}

	// Aziz's script hears it; his page without script finds out on save.
	var beat struct {
		Mine bool
		Lock string
	}
	hb := ta.post(t, aziz, path+"/heartbeat", url.Values{"holding": {"1"}})
	hb.json(t, &beat)
	if hb.status != 200 || beat.Mine || !strings.HasPrefix(beat.Lock, "Maryam took over this story at ") {
		t.Fatalf("aziz's heartbeat: %d %+v", hb.status, beat)
	}
	his := url.Values{"service": {"ru"}, "version": {"1"}, "headline": {"Заголовок Азиза"}, "summary": {"Кратко."}, "body": {"Текст."}}
	r = ta.post(t, aziz, path, his)
	if r.status != http.StatusConflict || !strings.Contains(body(r), "Maryam</bdi> took over this story at") || !strings.Contains(body(r), "Заголовок Азиза") {
		t.Fatalf("aziz's save after the takeover: %d %s", r.status, r.body)
	}

	// Maryam saves; Aziz takes it back and saves his headline from
	// version 1 with her body: no conflict there. Then both change the
	// body: the conflict page names her and her time.
	hers.Set("headline", "Заголовок Марьям")
	if r := ta.post(t, maryam, path, hers); r.status != http.StatusSeeOther {
		t.Fatalf("maryam's save: %d %s", r.status, r.body)
	}
	if r := ta.post(t, aziz, path+"/takeover", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("aziz takes it back: %d", r.status)
	}
	his.Set("body", "Текст Азиза.")
	r = ta.post(t, aziz, path, his)
	if r.status != http.StatusConflict || !strings.Contains(body(r), "Maryam</bdi> saved this at ") || !strings.Contains(body(r), "Текст Азиза.") {
		t.Fatalf("conflict page: %d %s", r.status, r.body)
	}
	if a, _ := ta.Store.FindArticleByID(ctx, id); a.Body != "Текст Марьям." {
		t.Fatalf("the conflicting save overwrote: %q", a.Body)
	}

	// Heartbeats: who else has it open; another desk is not told the
	// story is there.
	ta.post(t, maryam, path+"/heartbeat", url.Values{})
	var others struct {
		Mine   bool
		Others string
	}
	hb = ta.post(t, aziz, path+"/heartbeat", url.Values{"holding": {"1"}})
	hb.json(t, &others)
	if !others.Mine || others.Others != "Also open by: Maryam." {
		t.Errorf("aziz's heartbeat with maryam watching: %+v", others)
	}
	fa := ta.account(t, "leila@example.org", kolokol.RoleEditor, "fa")
	if r := ta.post(t, fa, path+"/heartbeat", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("heartbeat from another desk: %d", r.status)
	}
}
