package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestDemoGenerate runs kolokol demo generate on a new data directory and
// again on the same one, then serves the result: the reader site answers
// for the generated stories, photos and lists, in every script.
func TestDemoGenerate(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	env := func(string) string { return "" }
	generate := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, append([]string{"demo", "generate", "--data", data}, args...), &out, &errb, env)
		return out.String(), err
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "--stories: say how many"},
		{[]string{"--stories", "0"}, "--stories: say how many"},
		{[]string{"--stories", "-5"}, "--stories: say how many"},
		{[]string{"--stories", "5000001"}, "more than 5000000"},
		{[]string{"--stories", "10", "--now", "yesterday"}, "--now"},
		{[]string{"--stories", "10", "extra"}, "unexpected argument"},
	} {
		if _, err := generate(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("demo generate %v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if err := run(ctx, []string{"demo", "unknown"}, io.Discard, io.Discard, env); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("demo unknown: %v", err)
	}

	out, err := generate("--stories", "300", "--seed", "3", "--now", "2025-06-01T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "generated 300 stories in 27 services") {
		t.Errorf("output: %s", out)
	}
	out, err = generate("--stories", "200")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "generated 200 stories in 27 services") || !strings.Contains(out, "ids 301 to 500") {
		t.Errorf("second run's output: %s", out)
	}

	srv := httptest.NewUnstartedServer(nil)
	app, err := NewAppWith(ctx, Config{Data: data, BaseURL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv.Config = newHTTPServer(app.Handler, nil)
	srv.Start()
	defer srv.Close()
	if services, err := app.Store.FindServices(ctx); err != nil || len(services) != 27 {
		t.Fatalf("%d services after two runs (%v), want the 27 built-in ones once", len(services), err)
	}
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return string(body)
	}
	for _, p := range []string{"/", "/ka/", "/fa/s/world/", "/ru/archive/", "/hy/s/society/", "/sr-cyrl/"} {
		get(p)
	}
	var photo, group bool
	for _, svc := range []string{"en", "ru", "ka", "hy", "fa", "ps", "az"} {
		list, err := app.Store.FindArticles(ctx, kolokol.ArticleFilter{Service: svc, Status: kolokol.StatusPublished, Limit: 50})
		if err != nil || len(list) == 0 {
			t.Fatalf("published stories of %s: %d, %v", svc, len(list), err)
		}
		for i, a := range list {
			if i > 0 && (a.LeadImage == nil || photo) && (a.TranslationGroup == "" || group) {
				continue
			}
			page := get(a.Path())
			if !strings.Contains(page, html.EscapeString(a.Headline)) {
				t.Errorf("%s does not show its headline %q", a.Path(), a.Headline)
			}
			if a.LeadImage != nil && !photo {
				photo = true
				src := regexp.MustCompile(`<img[^>]* src="([^"]+)"`).FindStringSubmatch(page)
				if src == nil || !strings.Contains(page, html.EscapeString(a.LeadImage.Alt)) {
					t.Errorf("%s shows no lead image with its alt text", a.Path())
				} else {
					// Links are relative, so that one rendering serves every
					// base path.
					ref, err := url.Parse(html.UnescapeString(src[1]))
					if err != nil {
						t.Fatal(err)
					}
					get((&url.URL{Path: a.Path()}).ResolveReference(ref).Path)
				}
			}
			if a.TranslationGroup != "" && !group {
				others, err := app.Store.FindArticles(ctx, kolokol.ArticleFilter{TranslationGroup: a.TranslationGroup, Status: kolokol.StatusPublished})
				if err != nil {
					t.Fatal(err)
				}
				if len(others) > 1 {
					group = true
					if !strings.Contains(page, `hreflang=`) {
						t.Errorf("%s, in group %s with %d versions, links none", a.Path(), a.TranslationGroup, len(others))
					}
				}
			}
		}
	}
	if !photo || !group {
		t.Errorf("no published story with a photo (%v) or in a translation group (%v) was served", photo, group)
	}
}
