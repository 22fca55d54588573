package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

var secretRE = regexp.MustCompile(`<output id="token-secret">(kk_[A-Za-z0-9_-]+)</output>`)

// makeToken makes a token on the newsroom's tokens page and returns its
// secret and stored row.
func (ta *testApp) makeToken(t *testing.T, session string, form url.Values) (string, *kolokol.Token) {
	t.Helper()
	r := ta.post(t, session, "/newsroom/tokens", form)
	m := secretRE.FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("make token %v: %d %s", form, r.status, r.body)
	}
	tok, err := ta.Store.FindTokenByHash(t.Context(), kolokol.HashToken(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	return string(m[1]), tok
}

// TestAPITokenLifecycle: an admin makes a token in the newsroom, a script
// uses it, the admin revokes it, and the script's next request is refused.
func TestAPITokenLifecycle(t *testing.T) {
	ta := newTestApp(t)
	root := ta.account(t, "root@example.org", kolokol.RoleAdmin)

	page := ta.page(t, root, "/newsroom/")
	if !strings.Contains(string(page.body), `<a href="/newsroom/tokens">API tokens</a>`) {
		t.Error("the navigation does not link the tokens page")
	}
	r := ta.post(t, root, "/newsroom/tokens", url.Values{"name": {"Wire importer"}, "role": {"editor"}, "services": {"ru"}, "days": {"30"}})
	if r.header.Get("Cache-Control") != "no-store" || !strings.Contains(string(r.body), "shown only this once") {
		t.Errorf("the secret's page: %q %s", r.header.Get("Cache-Control"), r.body)
	}
	secret, tok := ta.makeToken(t, root, url.Values{"name": {"Wire importer 2"}, "role": {"editor"}, "services": {"ru"}, "days": {"30"}})
	if tok.CreatedBy != "root@example.org" || tok.Role != kolokol.RoleEditor || len(tok.Services) != 1 ||
		tok.ExpiresAt.Sub(tok.CreatedAt).Round(time.Hour) != 30*24*time.Hour || !tok.LastUsed.IsZero() {
		t.Fatalf("stored token %+v", tok)
	}

	before := time.Now()
	r = ta.api(t, "GET", "/services", secret, nil)
	after := time.Now()
	if r.status != 200 || !strings.Contains(string(r.body), `"code": "ru"`) || strings.Contains(string(r.body), `"code": "fa"`) {
		t.Fatalf("use the token: %d %s", r.status, r.body)
	}
	used, err := ta.Store.FindTokenByID(t.Context(), tok.ID)
	if err != nil || !used.LastUsed.Equal(kolokol.Day(before)) && !used.LastUsed.Equal(kolokol.Day(after)) {
		t.Fatalf("last used %v, want the day of the request (%v)", used.LastUsed, err)
	}

	list := ta.page(t, root, "/newsroom/tokens")
	for _, want := range []string{"Wire importer 2", used.LastUsed.UTC().Format("2 Jan 2006") + " (UTC)", "root@example.org", tok.ExpiresAt.UTC().Format("2 Jan 2006, 15:04") + " UTC",
		fmt.Sprintf(`action="/newsroom/tokens/%d/revoke"`, tok.ID)} {
		if !strings.Contains(string(list.body), want) {
			t.Errorf("the tokens page lacks %q", want)
		}
	}
	if strings.Contains(string(list.body), secret) || strings.Contains(string(list.body), tok.Hash) {
		t.Error("the tokens page shows a secret or a hash after the fact")
	}

	r = ta.post(t, root, fmt.Sprintf("/newsroom/tokens/%d/revoke", tok.ID), nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != fmt.Sprintf("/newsroom/tokens?revoked=%d", tok.ID) {
		t.Fatalf("revoke: %d %q %s", r.status, loc, r.body)
	}
	done := ta.page(t, root, r.header.Get("Location"))
	if !strings.Contains(string(done.body), "is revoked") || strings.Contains(string(done.body), fmt.Sprintf(`action="/newsroom/tokens/%d/revoke"`, tok.ID)) {
		t.Errorf("after revoking: %s", done.body)
	}

	r = ta.api(t, "GET", "/services", secret, nil)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "revoked on") || r.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("the next request with the revoked token: %d %s", r.status, r.body)
	}
	for _, action := range []string{"token.create", "token.revoke"} {
		entries, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: action})
		if len(entries) == 0 || entries[0].Actor != "root@example.org" || !strings.HasPrefix(entries[0].Target, "Wire importer") {
			t.Errorf("%s audited as %+v", action, entries)
		}
	}

	// A token past its expiry, and one nobody made.
	old, hash := kolokol.NewToken()
	if err := ta.Store.CreateToken(t.Context(), &kolokol.Token{Name: "old", Hash: hash, Role: kolokol.RoleAdmin,
		ExpiresAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ secret, want string }{{old, "has expired"}, {"kk_made_up", "not valid"}} {
		if r := ta.api(t, "GET", "/services", c.secret, nil); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s", c.want, r.status, r.body)
		}
	}
	if list := ta.page(t, root, "/newsroom/tokens"); !strings.Contains(string(list.body), "(expired)") {
		t.Error("the tokens page does not say the old token has expired")
	}
}

// TestNewsroomTokenRights: only admins reach the tokens page, and a service
// admin sees, makes and revokes only tokens of their services.
func TestNewsroomTokenRights(t *testing.T) {
	ta := newTestApp(t)
	root := ta.account(t, "root@example.org", kolokol.RoleAdmin)
	ruAdmin := ta.account(t, "ru-admin@example.org", kolokol.RoleAdmin, "ru")
	editor := ta.account(t, "editor@example.org", kolokol.RoleEditor, "ru")

	faSecret, faTok := ta.makeToken(t, root, url.Values{"name": {"Persian wire"}, "role": {"reporter"}, "services": {"fa"}})
	_, ruTok := ta.makeToken(t, ruAdmin, url.Values{"name": {"Russian wire"}, "role": {"reporter"}, "services": {"ru"}})

	if r := ta.page(t, editor, "/newsroom/tokens"); r.status != 403 {
		t.Errorf("an editor opens the tokens page: %d", r.status)
	}
	if r := ta.page(t, editor, "/newsroom/"); strings.Contains(string(r.body), "/newsroom/tokens") {
		t.Error("an editor is offered the tokens page")
	}
	if r := ta.post(t, editor, "/newsroom/tokens", url.Values{"name": {"x"}, "role": {"reporter"}, "services": {"ru"}}); r.status != 403 {
		t.Errorf("an editor makes a token: %d", r.status)
	}
	list := string(ta.page(t, ruAdmin, "/newsroom/tokens").body)
	if !strings.Contains(list, "Russian wire") || strings.Contains(list, "Persian wire") || strings.Contains(list, "demo admin") {
		t.Errorf("the ru admin's list shows tokens beyond ru:\n%s", list)
	}
	for _, c := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"name": {"x"}, "role": {"reporter"}, "services": {"fa"}}, 403, "service"},
		{url.Values{"name": {"x"}, "role": {"admin"}}, 403, "every service"},
		{url.Values{"name": {"Keep this name"}, "role": {"reporter"}, "services": {"ru"}, "days": {"0"}}, 422, "1 to 1826 days"},
		{url.Values{"name": {"Keep this name"}, "role": {"reporter"}, "services": {"ru"}, "days": {"soon"}}, 422, "Keep this name"},
		{url.Values{"name": {"Keep this name"}, "role": {"reporter"}, "services": {"ru"}, "days": {"1827"}}, 422, "1 to 1826 days"},
		{url.Values{"name": {" "}, "role": {"reporter"}, "services": {"ru"}}, 422, "name"},
	} {
		if r := ta.post(t, ruAdmin, "/newsroom/tokens", c.form); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("ru admin makes %v: %d, want %d saying %q\n%s", c.form, r.status, c.status, c.want, r.body)
		}
	}
	for _, c := range []struct {
		path   string
		status int
	}{
		{fmt.Sprintf("/newsroom/tokens/%d/revoke", faTok.ID), 403},
		{"/newsroom/tokens/99999/revoke", 404},
		{"/newsroom/tokens/abc/revoke", 404},
	} {
		if r := ta.post(t, ruAdmin, c.path, nil); r.status != c.status {
			t.Errorf("ru admin posts %s: %d, want %d", c.path, r.status, c.status)
		}
	}
	if r := ta.api(t, "GET", "/services", faSecret, nil); r.status != 200 {
		t.Errorf("a refused revocation stopped the token: %d %s", r.status, r.body)
	}
	if r := ta.post(t, ruAdmin, fmt.Sprintf("/newsroom/tokens/%d/revoke", ruTok.ID), nil); r.status != http.StatusSeeOther {
		t.Errorf("ru admin revokes a ru token: %d %s", r.status, r.body)
	}
	denied, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: "token.revoke.denied"})
	if len(denied) != 1 || denied[0].Actor != "ru-admin@example.org" || denied[0].Target != "Persian wire" {
		t.Errorf("the refused revocation is audited as %+v", denied)
	}
}
