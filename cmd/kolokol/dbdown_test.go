package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
)

// TestPostgresRestart restarts PostgreSQL under a serving newsroom: the
// pages already rendered keep coming; a page that must be rendered and
// every newsroom write answer 503 saying the database is not answering,
// with nothing saved; once the database is back, writes work again
// without restarting the server.
func TestPostgresRestart(t *testing.T) {
	pg := pgtest.NewCluster(t)
	ta := newTestAppWith(t, Config{DB: pg.DSN()})
	session := ta.account(t, "desk@example.org", kolokol.RoleEditor, "en")
	warm := map[string][]byte{}
	for _, p := range []string{"/", "/en/", "/ru/", "/en/feed.xml"} {
		r := ta.get(t, p)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", p, r.status)
		}
		warm[p] = r.body
	}
	before, err := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}

	pg.Stop(t)
	for p, body := range warm {
		if r := ta.get(t, p); r.status != http.StatusOK || string(r.body) != string(body) {
			t.Errorf("%s with the database down: %d, the same page %v", p, r.status, string(r.body) == string(body))
		}
	}
	if r := ta.get(t, "/fa/lite/"); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("a page not rendered yet, with the database down: %d, Retry-After %q; want 503 and when to come back", r.status, r.header.Get("Retry-After"))
	}
	r := ta.api(t, "POST", "/articles", ta.tokens["editor-ru"], map[string]any{"service": "ru", "headline": "Пока база спит", "body": "Текст."})
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "database is not answering") || r.header.Get("Retry-After") == "" {
		t.Errorf("an API write with the database down: %d %s (Retry-After %q), want 503 saying so\n%s", r.status, r.body, r.header.Get("Retry-After"), ta.logs.String())
	}
	if r := ta.page(t, session, "/newsroom/"); r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "database is not answering") {
		t.Errorf("the newsroom with the database down: %d (%.200s), want a 503 page, not a sign-in", r.status, r.body)
	}

	pg.Start(t)
	var a apiArticle
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		r := ta.api(t, "POST", "/articles", ta.tokens["editor-ru"], map[string]any{"service": "ru", "headline": "База проснулась", "body": "Текст."})
		if r.status == http.StatusCreated {
			r.json(t, &a)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after the database came back, writes still fail: %d %s", r.status, r.body)
		}
	}
	a = ta.publish(t, ta.tokens["editor-ru"], a.ID)
	if r := ta.get(t, ta.path(a)); r.status != http.StatusOK || !strings.Contains(string(r.body), "База проснулась") {
		t.Fatalf("the story published after the restart: %d", r.status)
	}
	after, err := ta.Store.CountArticles(t.Context(), kolokol.ArticleFilter{})
	if err != nil || after != before+1 {
		t.Fatalf("%d stories after, %d before (%v): the write refused while the database was down must not be there", after, before, err)
	}
	if r := ta.page(t, session, "/newsroom/"); r.status != http.StatusOK {
		t.Fatalf("the newsroom after the restart: %d (the session must have lived through it)", r.status)
	}
}
