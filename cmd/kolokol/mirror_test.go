package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/sign"
)

// writeSignedTree writes a tree as the exporter does (the signatures are
// opaque bytes here: pushing never reads them).
func writeSignedTree(t *testing.T, dir string, edition int64, files map[string]string) {
	t.Helper()
	m := sign.Manifest{Origin: "https://news.example.org", Edition: edition, Time: time.Now().UTC(), KeyID: "0123456789ABCDEF"}
	var sums strings.Builder
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(files[p]), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(files[p]))
		m.Files = append(m.Files, sign.File{Path: p, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(files[p]))})
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), p)
	}
	// In the former format, which lists the files itself: a push reads
	// it as well as one split in parts.
	b, _ := json.Marshal(map[string]any{"origin": m.Origin, "edition": m.Edition, "time": m.Time, "key_id": m.KeyID, "files": m.Files})
	for name, content := range map[string]string{sign.ManifestFile: string(b), sign.SumsFile: sums.String(),
		sign.ManifestFile + sign.SigSuffix: "untrusted comment: sig\n", sign.SumsFile + sign.SigSuffix: "untrusted comment: sig\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPIMirrors: admins add, list, edit and retire mirrors over the API;
// keys go to DATA/mirrors/<id>.key (0600) and never come back; others are
// refused; bad input gets 400 or 422.
func TestAPIMirrors(t *testing.T) {
	ta := newTestApp(t)
	r := ta.api(t, "POST", "/mirrors", ta.admin, map[string]any{"name": "Frankfurt", "kind": "s3", "public_url": "https://b.example.net/",
		"endpoint": "s3.example.net", "bucket": "news", "prefix": "site", "tls": true, "access_key": "AKIA1", "secret_key": "s3cr3t-key-value"})
	if r.status != http.StatusCreated || bytes.Contains(r.body, []byte("s3cr3t")) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var m struct {
		ID     int64 `json:"id"`
		Health struct {
			Edition int64 `json:"edition"`
		} `json:"health"`
		RetiredAt *time.Time `json:"retired_at"`
	}
	r.json(t, &m)
	key := filepath.Join(ta.data, "mirrors", fmt.Sprintf("%d.key", m.ID))
	fi, err := os.Stat(key)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(key); string(b) != "s3cr3t-key-value" {
		t.Errorf("key file holds %q", b)
	}
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"editor", "GET", "/mirrors", ta.tokens["editor-ru"], nil, 403},
		{"editor adds", "POST", "/mirrors", ta.tokens["editor-ru"], map[string]any{"name": "x"}, 403},
		{"unknown field", "POST", "/mirrors", ta.admin, map[string]any{"name": "x", "password": "y"}, 400},
		{"unknown kind", "POST", "/mirrors", ta.admin, map[string]any{"name": "x", "kind": "ftp", "public_url": "https://x.example/"}, 422},
		{"path trick", "POST", "/mirrors", ta.admin, map[string]any{"name": "x", "kind": "s3", "public_url": "https://x.example/",
			"endpoint": "s3.example.net", "bucket": "news", "prefix": "../other", "access_key": "a", "secret_key": "b"}, 422},
		{"taken name", "POST", "/mirrors", ta.admin, map[string]any{"name": "Frankfurt", "kind": "dir", "public_url": "https://x.example/", "dir": "/srv"}, 409},
		{"kind change", "PATCH", fmt.Sprintf("/mirrors/%d", m.ID), ta.admin, map[string]any{"kind": "dir"}, 422},
		{"unknown id", "PATCH", "/mirrors/999", ta.admin, map[string]any{"name": "y"}, 404},
		{"rename", "PATCH", fmt.Sprintf("/mirrors/%d", m.ID), ta.admin, map[string]any{"name": "Frankfurt 2", "secret_key": "new-key"}, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := ta.api(t, c.method, c.path, c.token, c.body); r.status != c.status {
				t.Errorf("%d %s, want %d", r.status, r.body, c.status)
			}
		})
	}
	if b, _ := os.ReadFile(key); string(b) != "new-key" {
		t.Errorf("the key was not replaced: %q", b)
	}
	r = ta.api(t, "GET", "/mirrors", ta.admin, nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"Frankfurt 2"`)) || !bytes.Contains(r.body, []byte(`"health"`)) || bytes.Contains(r.body, []byte("new-key")) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	r = ta.api(t, "DELETE", fmt.Sprintf("/mirrors/%d", m.ID), ta.admin, nil)
	r.json(t, &m)
	if r.status != 200 || m.RetiredAt == nil {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	if _, err := os.Stat(key); !os.IsNotExist(err) {
		t.Errorf("a retired mirror's key is still there: %v", err)
	}
	if es, err := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Action: "mirror.retire"}); err != nil || len(es) != 1 {
		t.Errorf("audit: %v %v", es, err)
	}
}

// TestMirrorCommand: kolokol mirror push pushes a tree to every live
// mirror (a directory here), reports each, records their health, pushes
// only what changed the second time, and fails when one mirror fails
// while still pushing the others.
func TestMirrorCommand(t *testing.T) {
	ta := newTestApp(t)
	work := t.TempDir()
	good, gone := filepath.Join(work, "good"), filepath.Join(work, "gone")
	os.Mkdir(good, 0o755)
	for _, d := range []struct{ name, dir string }{{"Good", good}, {"Gone", gone}} {
		r := ta.api(t, "POST", "/mirrors", ta.admin, map[string]any{"name": d.name, "kind": "dir", "public_url": "https://m.example/", "dir": d.dir})
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	tree := filepath.Join(work, "tree")
	writeSignedTree(t, tree, 1, map[string]string{"index.html": "<p>1</p>", "ru/index.html": "<p>ru</p>"})

	var out, errOut bytes.Buffer
	cli := func(args ...string) error {
		out.Reset()
		errOut.Reset()
		return run(context.Background(), args, &out, &errOut, func(string) string { return "" })
	}
	err := cli("mirror", "push", "--data", ta.data, "--from", tree)
	if err == nil || !strings.Contains(out.String(), "Good: edition 1 (was 0), 2 written") || !strings.Contains(out.String(), "Gone: FAILED") {
		t.Fatalf("push: %v\n%s%s", err, out.String(), errOut.String())
	}
	if b, err := os.ReadFile(filepath.Join(good, "ru/index.html")); err != nil || string(b) != "<p>ru</p>" {
		t.Errorf("the good mirror: %q %v", b, err)
	}
	if err := cli("mirror", "push", "--data", ta.data, "--from", tree, "--mirror", "Good"); err != nil || !strings.Contains(out.String(), "0 written") {
		t.Errorf("the same tree again: %v\n%s", err, out.String())
	}
	writeSignedTree(t, tree, 2, map[string]string{"index.html": "<p>2</p>", "ru/index.html": "<p>ru</p>"})
	if err := cli("mirror", "push", "--data", ta.data, "--from", tree, "--mirror", "1"); err != nil || !strings.Contains(out.String(), "edition 2 (was 1), 1 written, 0 deleted, 1 unchanged, verified") {
		t.Errorf("a changed tree: %v\n%s", err, out.String())
	}
	if err := cli("mirror", "push", "--data", ta.data, "--from", tree, "--mirror", "Nowhere"); err == nil {
		t.Error("pushed to a mirror that does not exist")
	}
	if err := cli("mirror", "list", "--data", ta.data); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "Good") || !strings.Contains(lines[1], " 2 ") || !strings.Contains(lines[2], "open mirror directory") {
		t.Errorf("list:\n%s", out.String())
	}
}

// TestNewsroomMirrors: a global admin finds the Mirrors page in the
// navigation, adds a bucket (a mistake comes back with what was typed,
// never the key), edits it and retires it; a service admin is refused.
func TestNewsroomMirrors(t *testing.T) {
	ta := newTestApp(t)
	root := ta.account(t, "root@example.org", kolokol.RoleAdmin)
	if page := ta.page(t, root, "/newsroom/"); !strings.Contains(string(page.body), `<a href="/newsroom/mirrors">Mirrors</a>`) {
		t.Error("the navigation does not link the mirrors page")
	}
	form := url.Values{"kind": {"s3"}, "name": {"Frankfurt"}, "public_url": {"https://b.example.net/"}, "endpoint": {"s3.example.net"},
		"bucket": {"News"}, "tls": {"1"}, "access_key": {"AKIA1"}, "secret_key": {"very-secret-value"}}
	r := ta.post(t, root, "/newsroom/mirrors", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "is not a bucket name") ||
		!strings.Contains(string(r.body), `value="s3.example.net"`) || strings.Contains(string(r.body), "very-secret-value") {
		t.Fatalf("a bad bucket: %d %s", r.status, r.body)
	}
	form.Set("bucket", "news")
	if r := ta.post(t, root, "/newsroom/mirrors", form); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	list, err := ta.Store.FindMirrors(t.Context())
	if err != nil || len(list) != 1 || list[0].Bucket != "news" || !list[0].TLS {
		t.Fatalf("stored %+v %v", list, err)
	}
	id := list[0].ID
	page := ta.page(t, root, "/newsroom/mirrors")
	if !strings.Contains(string(page.body), "bucket news at s3.example.net") || strings.Contains(string(page.body), "very-secret-value") {
		t.Errorf("the list: %s", page.body)
	}
	edit := ta.page(t, root, fmt.Sprintf("/newsroom/mirrors/%d", id))
	if edit.status != 200 || strings.Contains(string(edit.body), "very-secret-value") || !strings.Contains(string(edit.body), `value="AKIA1"`) {
		t.Errorf("the edit page: %d %s", edit.status, edit.body)
	}
	form.Set("name", "Frankfurt 2")
	form.Set("secret_key", "")
	if r := ta.post(t, root, fmt.Sprintf("/newsroom/mirrors/%d", id), form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if b, _ := os.ReadFile(filepath.Join(ta.data, "mirrors", fmt.Sprintf("%d.key", id))); string(b) != "very-secret-value" {
		t.Errorf("an edit without a key changed it: %q", b)
	}
	if r := ta.post(t, root, fmt.Sprintf("/newsroom/mirrors/%d/retire", id), url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	if m, _ := ta.Store.FindMirrorByID(t.Context(), id); m.Name != "Frankfurt 2" || m.Live() {
		t.Errorf("after edit and retire: %+v", m)
	}

	ruAdmin := ta.account(t, "ru-admin@example.org", kolokol.RoleAdmin, "ru")
	if r := ta.page(t, ruAdmin, "/newsroom/mirrors"); r.status != http.StatusForbidden {
		t.Errorf("a service admin's mirrors page: %d", r.status)
	}
	if page := ta.page(t, ruAdmin, "/newsroom/"); strings.Contains(string(page.body), `/newsroom/mirrors"`) {
		t.Error("a service admin is shown the mirrors link")
	}
}
