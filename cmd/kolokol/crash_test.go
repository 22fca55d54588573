package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/sign"
)

// tryAPI calls the API and reports failure as an error, not through t:
// the burst's clients run in goroutines of their own, and a refused or cut
// request is what they expect.
func (p *process) tryAPI(method, path, token string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.url+"/api/v1"+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// adminToken reads the token serve --demo prints. The line may reach the
// pipe's reader a moment after the server answers: it is waited for.
func adminToken(t *testing.T, out *syncBuffer) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if tok, ok := strings.CutPrefix(sc.Text(), "admin token: "); ok {
				return strings.TrimSpace(tok)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve --demo printed no admin token in 30s:\n%s", out.String())
		}
	}
}

// TestKillDuringPublishes kills a server (SIGKILL) in the middle of a
// burst of 1,000 publishes through the API, on SQLite and on PostgreSQL,
// and starts it again: every publish that was answered 2xx is there,
// whole, once; its page renders; and the mirror gets it.
func TestKillDuringPublishes(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dsn := "" // DATA/kolokol.db
			if db == "postgres" {
				dsn = pgtest.DSN(t)
			}
			data := filepath.Join(t.TempDir(), "data")
			// The site's origin stays as the server moves to another port:
			// the mirror holds the site of one origin.
			const base = "https://news.example.org"
			bin := buildKolokol(t)
			srv := startServe(t, bin, dsn, "--demo", "--data", data, "--base-url", base)
			token := adminToken(t, srv.out)
			mirror := t.TempDir()
			if status, body, err := srv.tryAPI("POST", "/mirrors", token, map[string]any{"name": "Local", "kind": "dir", "public_url": "https://m.example/", "dir": mirror}); err != nil || status != http.StatusCreated {
				t.Fatalf("add a mirror: %d %s %v", status, body, err)
			}

			type published struct {
				id             int64
				headline, body string
			}
			var (
				mu   sync.Mutex
				done []published
				sent atomic.Int64
				wg   sync.WaitGroup
			)
			const total, workers, killAfter = 1000, 8, 300
			killed := make(chan struct{})
			var once sync.Once
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := sent.Add(1)
						if n > total {
							return
						}
						headline := fmt.Sprintf("Burst %d from worker %d", n, w)
						text := fmt.Sprintf("Body of story %d.\n\nSecond paragraph, %d.", n, n)
						status, b, err := srv.tryAPI("POST", "/articles", token, map[string]any{"service": "en", "headline": headline, "body": text})
						if err != nil || status != http.StatusCreated {
							continue // refused or cut off: it may or may not be there, but never twice
						}
						var a apiArticle
						if json.Unmarshal(b, &a) != nil {
							continue
						}
						status, _, err = srv.tryAPI("POST", fmt.Sprintf("/articles/%d/publish", a.ID), token, nil)
						if err != nil || status != http.StatusOK {
							continue
						}
						mu.Lock()
						done = append(done, published{a.ID, headline, text})
						if len(done) == killAfter {
							once.Do(func() { srv.kill(); close(killed) })
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			select {
			case <-killed:
			default:
				t.Fatalf("only %d publishes went through before the burst ended", len(done))
			}
			t.Logf("%d publishes answered 2xx before and around the kill", len(done))

			srv = startServe(t, bin, dsn, "--data", data, "--base-url", base)
			for _, p := range done {
				status, b, err := srv.tryAPI("GET", fmt.Sprintf("/articles/%d", p.id), token, nil)
				if err != nil || status != http.StatusOK {
					t.Fatalf("story %d, published with a 2xx, after the restart: %d %v", p.id, status, err)
				}
				var a struct {
					apiArticle
					Body string `json:"body"`
				}
				if err := json.Unmarshal(b, &a); err != nil {
					t.Fatal(err)
				}
				if a.Status != "published" || a.Headline != p.headline || a.Body != p.body {
					t.Fatalf("story %d after the restart: %s %q %q, want published %q %q", p.id, a.Status, a.Headline, a.Body, p.headline, p.body)
				}
			}
			// None twice: each headline of the burst is one story.
			seen := map[string]int{}
			for cursor := ""; ; {
				status, b, err := srv.tryAPI("GET", "/articles?service=en&limit=200"+cursor, token, nil)
				if err != nil || status != http.StatusOK {
					t.Fatalf("list: %d %v %s", status, err, b)
				}
				var page struct {
					Articles   []apiArticle `json:"articles"`
					NextCursor string       `json:"next_cursor"`
				}
				if err := json.Unmarshal(b, &page); err != nil {
					t.Fatal(err)
				}
				for _, a := range page.Articles {
					seen[a.Headline]++
				}
				if page.NextCursor == "" {
					break
				}
				cursor = "&cursor=" + page.NextCursor
			}
			if burst := len(seen); burst < len(done) {
				t.Fatalf("the list holds %d headlines, fewer than the %d stories published", burst, len(done))
			}
			for h, n := range seen {
				if n > 1 && strings.HasPrefix(h, "Burst ") {
					t.Errorf("%q is there %d times", h, n)
				}
			}
			// Their pages render, and the mirror gets them.
			paths := map[string]bool{}
			for i, p := range done {
				status, b, err := srv.tryAPI("GET", fmt.Sprintf("/articles/%d", p.id), token, nil)
				if err != nil || status != http.StatusOK {
					t.Fatal(err)
				}
				var a apiArticle
				json.Unmarshal(b, &a)
				path := strings.TrimPrefix(a.URL, base)
				paths[strings.TrimPrefix(path, "/")+"index.html"] = true
				if i%25 == 0 {
					resp, err := http.Get(srv.url + path)
					if err != nil {
						t.Fatal(err)
					}
					page, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(p.headline)) {
						t.Fatalf("%s: %d, headline shown %v", path, resp.StatusCode, bytes.Contains(page, []byte(p.headline)))
					}
				}
			}
			for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
				missing := 0
				if b, err := os.ReadFile(filepath.Join(mirror, sign.ManifestFile)); err == nil {
					if _, err := sign.ParseManifest(b); err == nil {
						for p := range paths {
							if _, err := os.Stat(filepath.Join(mirror, filepath.FromSlash(p))); err != nil {
								missing++
							}
						}
					} else {
						missing = len(paths)
					}
				} else {
					missing = len(paths)
				}
				if missing == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of the %d published stories are not on the mirror after 3 minutes\n%s", missing, len(paths), srv.out.String())
				}
			}
		})
	}
}
