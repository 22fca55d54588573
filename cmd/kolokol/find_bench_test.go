package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/search"
)

// BenchmarkDashboardSearch measures the newsroom dashboard's search on a
// generated corpus in $KOLOKOL_SEARCH_BENCH (kolokol demo generate, then
// kolokol reindex; bench/find.sh): whole requests through the app's
// handler with a signed-in editor's session, each a full-text query of
// one word of a corpus headline with two filters, one at a time; p50 and
// p95 of each kind:
//
//   - desk: one service, status published and a section of it;
//   - all: all the editor's desks (every service), status published and
//     changed this month.
//
// It adds an editor account to the corpus (a new one each run): run it on
// a copy.
//
//	KOLOKOL_SEARCH_BENCH=DIR go test -run '^$' -bench DashboardSearch -benchtime 1x ./cmd/kolokol
func BenchmarkDashboardSearch(b *testing.B) {
	data := os.Getenv("KOLOKOL_SEARCH_BENCH")
	if data == "" {
		b.Skip("set KOLOKOL_SEARCH_BENCH to a data directory with an index (bench/find.sh)")
	}
	ctx := context.Background()
	app, err := NewAppWith(ctx, Config{Data: data, BaseURL: "http://127.0.0.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	ss, err := app.Store.FindServices(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var codes []string
	for _, s := range ss {
		codes = append(codes, s.Code)
	}
	session := benchEditor(b, app, codes)

	// Queries: a word of a published headline of each service, with a
	// section of that service.
	rng := rand.New(rand.NewPCG(1, 2))
	var desk, all []string
	for _, s := range ss {
		sections, err := app.Store.FindSections(ctx, s.Code)
		if err != nil || len(sections) == 0 {
			continue
		}
		as, err := app.Store.FindArticles(ctx, kolokol.ArticleFilter{Service: s.Code, Status: kolokol.StatusPublished,
			Offset: rng.IntN(1000), Limit: 20, WithoutBody: true})
		if err != nil {
			b.Fatal(err)
		}
		an := search.NewAnalyzer(search.ServiceLanguage(s))
		for _, a := range as {
			toks := an.Tokens(a.Headline)
			if len(toks) == 0 {
				continue
			}
			k := toks[rng.IntN(len(toks))]
			word := url.QueryEscape(a.Headline[k.Start:k.End])
			sec := sections[rng.IntN(len(sections))].Slug
			desk = append(desk, fmt.Sprintf("/newsroom/?service=%s&q=%s&status=published&section=%s", s.Code, word, sec))
			all = append(all, fmt.Sprintf("/newsroom/?service=all&q=%s&status=published&when=month", word))
		}
	}
	if v, err := strconv.Atoi(os.Getenv("KOLOKOL_BENCH_QUERIES")); err == nil && v > 0 && v < len(desk) {
		desk, all = desk[:v], all[:v] // a shorter run, e.g. for a profile
	}
	n, _ := app.Search.Count()
	b.ReportMetric(float64(n), "stories")
	get := func(path string) {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Cookie", "kk_session="+session)
		w := httptest.NewRecorder()
		app.Handler.ServeHTTP(w, r)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "<h1>Stories</h1>") {
			b.Fatalf("%s: %d %.300s", path, w.Code, w.Body.String())
		}
	}
	// One of each first: templates, caches and the index's files warm.
	get(desk[0])
	get(all[0])
	for b.Loop() {
		for _, c := range []struct {
			name  string
			paths []string
		}{{"desk", desk}, {"all", all}} {
			var ds []time.Duration
			for _, p := range c.paths {
				start := time.Now()
				get(p)
				ds = append(ds, time.Since(start))
			}
			slices.Sort(ds)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(ds[len(ds)/2]), c.name+"-p50-ms")
			b.ReportMetric(ms(ds[len(ds)*95/100]), c.name+"-p95-ms")
			b.ReportMetric(float64(len(ds)), c.name+"-queries")
		}
	}
}

// benchEditor adds an editor of the services and signs it in through the
// newsroom's sign-in form, returning the session cookie's value.
func benchEditor(b *testing.B, app *App, services []string) string {
	b.Helper()
	ctx := context.Background()
	const password = "correct horse battery staple"
	hash, err := auth.HashPassword(password)
	if err != nil {
		b.Fatal(err)
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		b.Fatal(err)
	}
	email := fmt.Sprintf("bench-%d@example.org", time.Now().UnixNano())
	if err := app.Store.CreateUser(ctx, &kolokol.User{Email: email, Role: kolokol.RoleEditor, Services: services,
		PasswordHash: hash, TOTPSecret: secret}); err != nil {
		b.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, time.Now())
	form := url.Values{"email": {email}, "password": {password}, "code": {code}}
	r := httptest.NewRequest("POST", "/newsroom/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	app.Handler.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		b.Fatalf("sign in: %d %s", w.Code, w.Body.String())
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "kk_session" {
			return c.Value
		}
	}
	b.Fatal("sign in set no session cookie")
	return ""
}
