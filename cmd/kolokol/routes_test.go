package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/auth"
)

// TestEveryRouteRefusesStrangers walks every registered /api/ and
// /newsroom/ route: a request with no credentials is refused, and so is a
// state-changing request a browser sends from another site, even with
// valid credentials.
func TestEveryRouteRefusesStrangers(t *testing.T) {
	ta := newTestApp(t)
	code, _ := auth.TOTPCode(ta.demo.EditorTOTP, time.Now())
	r := ta.signIn(t, ta.demo.EditorEmail, ta.demo.EditorPassword, code)
	session := strings.SplitN(strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0], "=", 2)[1]
	if len(ta.Routes) < 20 {
		t.Fatalf("only %d routes listed", len(ta.Routes))
	}
	fill := strings.NewReplacer("{id}", "1", "{rev}", "1", "{code}", "ru", "{$}", "", "{path...}", "ru/a/1-x/")
	for _, pattern := range ta.Routes {
		method, path, _ := strings.Cut(pattern, " ")
		path = fill.Replace(path)
		t.Run(pattern, func(t *testing.T) {
			// The sign-in form itself, and the stylesheet and script it needs.
			public := pattern == "GET /newsroom/login" || pattern == "GET /newsroom/newsroom.css" ||
				pattern == "GET /newsroom/passkeys.js" || pattern == "GET /newsroom/editor.js" ||
				pattern == "GET /newsroom/prose.js"
			if r := ta.do(t, method, path, "", strings.NewReader("{}")); !public && r.status < 300 {
				t.Errorf("no credentials: %d", r.status)
			}
			if method == "GET" {
				return
			}
			hdr := []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}
			token := ""
			if strings.HasPrefix(path, "/api/") {
				token = ta.admin
			} else {
				hdr = append(hdr, "Cookie", "kk_session="+session)
			}
			if r := ta.do(t, method, path, token, strings.NewReader("{}"), hdr...); r.status != 403 {
				t.Errorf("cross-site %s with credentials: %d %s", method, r.status, r.body)
			}
		})
	}
}
