package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/cdn"
	"github.com/kolokol/kolokol/internal/realpart"
)

// readmeVCL is the README's Varnish configuration, word for word.
func readmeVCL(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```vcl\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.Contains(block, "import xkey;") {
			return block
		}
	}
	t.Fatal("README.md has no vcl block importing xkey")
	return ""
}

// varnish is a varnishd on loopback.
type varnish struct{ url string }

// get fetches path through Varnish; hit says whether Varnish answered
// from its cache (X-Varnish then names two requests: this one and the one
// that fetched the copy).
func (v varnish) get(t *testing.T, path string) (status int, body string, hit bool, h http.Header) {
	t.Helper()
	resp, err := http.Get(v.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), len(strings.Fields(resp.Header.Get("X-Varnish"))) == 2, resp.Header
}

// startVarnish runs the README's VCL in front of backend on port.
func startVarnish(t *testing.T, port int, backend string) varnish {
	t.Helper()
	bin := realpart.Need(t, "varnishd", "apt-get install -y varnish varnish-modules")
	_, bport, err := net.SplitHostPort(strings.TrimPrefix(backend, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	vcl := regexp.MustCompile(`\.port = "\d+"`).ReplaceAllString(readmeVCL(t), `.port = "`+bport+`"`)
	dir, err := os.MkdirTemp("", "kolokol-varnish-")
	if err != nil {
		t.Fatal(err)
	}
	// Varnish's worker runs as its own user when started as root: it
	// must reach the folder.
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "kolokol.vcl"), []byte(vcl), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-F", "-n", filepath.Join(dir, "work"), "-a", fmt.Sprintf("127.0.0.1:%d", port),
		"-f", filepath.Join(dir, "kolokol.vcl"), "-s", "malloc,64m", "-p", "default_grace=0"}
	if os.Geteuid() != 0 {
		args = append(args, "-j", "none")
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	v := varnish{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("varnishd exited: %s", out.String())
		default:
		}
		if resp, err := http.Get(v.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("varnishd did not answer in 20s: %s", out.String())
		}
	}
}

// TestVarnish runs the README's Varnish set-up in front of a server: pages
// come from Varnish's cache, a publish purges the pages it changed (and
// only those) through --cdn-purge, and a copy past its time is still
// served while the origin is down.
func TestVarnish(t *testing.T) {
	realpart.Need(t, "varnishd", "apt-get install -y varnish varnish-modules")
	ln := listenLoopback(t)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // Varnish takes it
	cfg, err := cdn.ParseConfig([]byte(fmt.Sprintf(`{"method":"PURGE","url":"http://127.0.0.1:%d/","headers":{"xkey-purge":"{keys}"}}`, port)))
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestAppWith(t, Config{CDNPurge: cfg, CDNTTL: time.Hour})
	v := startVarnish(t, port, ta.srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ta.Purger.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// caughtUp waits for the purger to have purged every change so far: a
	// purge still on its way (the whole site's, when the purger starts
	// without a cursor) would drop a copy made before it lands.
	caughtUp := func(what string) {
		t.Helper()
		_, last, err := ta.Store.ChangeBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ta.Purger.Cursor() < last; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the purges were not made in 10s", what)
			}
		}
	}
	caughtUp("the first purge")

	for _, p := range []string{"/ru/", "/fa/"} {
		v.get(t, p)
		status, _, hit, h := v.get(t, p)
		if status != http.StatusOK || !hit {
			t.Fatalf("%s the second time: %d, from the cache %v", p, status, hit)
		}
		for _, k := range []string{"Surrogate-Key", "Xkey", "Surrogate-Control", "Cache-Tag"} {
			if h.Get(k) != "" {
				t.Errorf("%s: Varnish passes %s on to readers", p, k)
			}
		}
	}

	headline := "Новость, которой не было в кэше"
	a := ta.create(t, ta.tokens["editor-ru"], map[string]any{"service": "ru", "section": "world", "headline": headline, "body": "Текст."})
	ta.publish(t, ta.tokens["editor-ru"], a.ID)
	// The copy of /ru/ is kept an hour: only the purge brings the story.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, body, _, _ := v.get(t, "/ru/")
		if strings.Contains(body, headline) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/ru/ through Varnish still lacks the published story after 10s: not purged")
		}
	}
	if _, _, hit, _ := v.get(t, "/fa/"); !hit {
		t.Error("/fa/ was purged by a publish in ru")
	}

	// A page that ends by itself in a few seconds (its banner) is kept no
	// longer; with the origin down past then, Varnish serves its copy.
	ends := time.Now().Add(5 * time.Second).UTC().Truncate(time.Second)
	if r := ta.api(t, "PUT", "/services/en/breaking", ta.admin, map[string]any{"text": "Breaking: kept while the origin is down", "expires_at": ends.Format(time.RFC3339)}); r.status != http.StatusOK {
		t.Fatalf("set banner: %d %s", r.status, r.body)
	}
	// The banner's purge first: made after the copy below, it would drop it.
	caughtUp("the banner")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, body, _, _ := v.get(t, "/en/"); strings.Contains(body, "kept while the origin is down") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/en/ through Varnish lacks the banner after 10s")
		}
	}
	ta.srv.Close()
	time.Sleep(time.Until(ends.Add(1500 * time.Millisecond))) // past the copy's time
	status, body, _, _ := v.get(t, "/en/")
	if status != http.StatusOK || !strings.Contains(body, "kept while the origin is down") {
		t.Fatalf("/en/ with the origin down: %d, banner shown %v; want the kept copy", status, strings.Contains(body, "kept while the origin is down"))
	}
}
