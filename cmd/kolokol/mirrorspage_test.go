package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/i18n"
)

// TestMirrorsPagesServed: serve shows the signing key's fingerprint (of
// the key it made on first run) on the mirrors pages and in mirrors.json;
// a mirror added through the Admin API appears there within moments, with
// nothing of it but its name and address, and goes when it is retired.
func TestMirrorsPagesServed(t *testing.T) {
	ta := newTestApp(t)
	pub, err := os.ReadFile(filepath.Join(ta.data, "signing", "kolokol.pub"))
	if err != nil {
		t.Fatalf("serve made no signing key: %v", err)
	}
	sum := sha256.Sum256(pub)
	fp := hex.EncodeToString(sum[:])
	for _, p := range []string{"/en/mirrors/", "/fa/mirrors/", "/mirrors.json"} {
		r := ta.get(t, p)
		if r.status != 200 || !strings.Contains(string(r.body), fp) {
			t.Errorf("%s: %d, fingerprint %s shown: %v", p, r.status, fp, strings.Contains(string(r.body), fp))
		}
	}
	if r := ta.get(t, "/mirrors.json"); r.header.Get("Content-Type") != "application/json" {
		t.Errorf("mirrors.json is served as %q", r.header.Get("Content-Type"))
	}
	for p, tag := range map[string]string{"/en/mirrors/": "en", "/fa/mirrors/": "fa-IR"} {
		if none := i18n.For(tag).T(i18n.MirrorsNone); !strings.Contains(string(ta.get(t, p).body), none) {
			t.Errorf("%s does not say %q", p, none)
		}
	}

	secrets := []string{"s3.private.example.net", "kolokol-private-bucket", "AKIAPRIVATE42", "supersecretvalue42"}
	r := ta.api(t, "POST", "/mirrors", ta.admin, map[string]any{"name": "Zurich", "kind": "s3", "public_url": "https://zurich.example.net/news/",
		"endpoint": "s3.private.example.net:9000", "bucket": "kolokol-private-bucket", "access_key": "AKIAPRIVATE42", "secret_key": "supersecretvalue42"})
	if r.status != 201 {
		t.Fatalf("create a mirror: %d %s", r.status, r.body)
	}
	var m struct{ ID int64 }
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	shows := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for _, p := range []string{"/en/mirrors/", "/fa/mirrors/", "/sr-cyrl/mirrors/", "/mirrors.json"} {
			for {
				body := string(ta.get(t, p).body)
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("%s shows %q", p, s)
					}
				}
				if strings.Contains(body, "https://zurich.example.net/news/") == want {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s lists the mirror: %v, want %v", p, !want, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	shows(true)
	if r := ta.api(t, "DELETE", fmt.Sprintf("/mirrors/%d", m.ID), ta.admin, nil); r.status/100 != 2 {
		t.Fatalf("retire: %d %s", r.status, r.body)
	}
	shows(false)
}
