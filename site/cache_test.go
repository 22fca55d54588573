package site

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
)

// versionedPages renders each path with the current value of a counter, so
// a test can tell a fresh page from a stale one.
type versionedPages struct {
	version atomic.Int64
	renders atomic.Int64
	gate    chan struct{} // when non-nil, renders wait on it
}

func (v *versionedPages) build(_ context.Context, path string) (*render.Page, string, error) {
	ver := v.version.Load()
	v.renders.Add(1)
	if v.gate != nil {
		<-v.gate
	}
	status, canonical := 200, path
	if path == "/missing/" {
		status, canonical = 404, ""
	}
	return &render.Page{Status: status, Body: []byte(fmt.Sprintf("%s v%d", path, ver)), ContentType: "text/html",
		Deps: []string{"svc:" + path[1:3], "art:" + path}}, canonical, nil
}

func TestCacheInvalidatesByDependency(t *testing.T) {
	v := &versionedPages{}
	c := NewCache(v.build, nil)
	ctx := context.Background()
	for _, p := range []string{"/ru/a/", "/ru/b/", "/fa/a/"} {
		if _, err := c.Get(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 3 {
		t.Fatalf("cached %d pages", c.Len())
	}
	v.version.Store(1)
	c.Invalidate("art:/ru/a/")
	if c.Has("/ru/a/") || !c.Has("/ru/b/") || !c.Has("/fa/a/") {
		t.Fatal("art tag dropped the wrong pages")
	}
	c.Invalidate("svc:ru")
	if c.Has("/ru/b/") || !c.Has("/fa/a/") {
		t.Fatal("svc tag dropped the wrong pages")
	}
	e, _ := c.Get(ctx, "/ru/b/")
	if string(e.page.Body) != "/ru/b/ v1" {
		t.Fatalf("after invalidation got %q", e.page.Body)
	}
	if _, err := c.Get(ctx, "/missing/"); err != nil || c.Has("/missing/") {
		t.Fatal("a 404 was cached")
	}
}

// A render that began before an invalidation must not be stored after it:
// otherwise a reader could see the old story after the editor's call returned.
func TestCacheDropsRendersStartedBeforeInvalidation(t *testing.T) {
	v := &versionedPages{gate: make(chan struct{})}
	c := NewCache(v.build, nil)
	ctx := context.Background()
	done := make(chan *entry)
	go func() {
		e, _ := c.Get(ctx, "/ru/a/")
		done <- e
	}()
	for v.renders.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	v.version.Store(1)
	c.Invalidate("art:/ru/a/") // the editor's change lands mid-render
	close(v.gate)
	if e := <-done; string(e.page.Body) != "/ru/a/ v0" {
		t.Fatalf("in-flight render returned %q", e.page.Body)
	}
	e, _ := c.Get(ctx, "/ru/a/")
	if string(e.page.Body) != "/ru/a/ v1" {
		t.Fatalf("after the change a reader got %q", e.page.Body)
	}
}

func TestCacheSharesConcurrentRenders(t *testing.T) {
	v := &versionedPages{gate: make(chan struct{})}
	c := NewCache(v.build, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Get(context.Background(), "/ru/a/")
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(v.gate)
	wg.Wait()
	if n := v.renders.Load(); n != 1 {
		t.Fatalf("%d renders for 50 concurrent readers of one page", n)
	}
}

func TestCacheExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := &versionedPages{}
	c := NewCache(func(ctx context.Context, p string) (*render.Page, string, error) {
		pg, canonical, err := v.build(ctx, p)
		pg.ExpiresAt = now.Add(time.Minute)
		return pg, canonical, err
	}, func() time.Time { return now })
	c.Get(context.Background(), "/ru/a/")
	c.Get(context.Background(), "/ru/a/")
	if v.renders.Load() != 1 {
		t.Fatal("an unexpired page was rendered again")
	}
	now = now.Add(2 * time.Minute)
	c.Get(context.Background(), "/ru/a/")
	if v.renders.Load() != 2 {
		t.Fatal("an expired page was served from the cache")
	}
}

func TestNoticeSetStaysBounded(t *testing.T) {
	loads := 0
	n := newNoticeSet(func(ctx context.Context, service string) ([]*kolokol.Notice, error) {
		loads++
		return nil, nil
	})
	for i := range maxNoticeServices + 500 {
		n.of(context.Background(), fmt.Sprintf("ru-x%d", i)) // well-formed codes no service has
	}
	if len(n.m) != maxNoticeServices || loads != maxNoticeServices+500 {
		t.Errorf("%d services kept after %d loads, want %d", len(n.m), loads, maxNoticeServices)
	}
	before := loads
	n.of(context.Background(), "ru-x0")
	if loads != before {
		t.Error("a kept service was loaded again")
	}
	if got, err := n.of(context.Background(), "../etc"); got != nil || err != nil {
		t.Errorf("an invalid code was looked up: %v %v", got, err)
	}
}

// TestCacheKeepsCanonicalKeys: a page asked for by another name is kept
// under its own name alone, and every path that is no page of a service is
// answered by the service's one 404 page, rendered once.
func TestCacheKeepsCanonicalKeys(t *testing.T) {
	var renders, notFoundRenders atomic.Int64
	c := NewCache(func(_ context.Context, key string) (*render.Page, string, error) {
		renders.Add(1)
		switch {
		case key == notFoundKey+"ru":
			notFoundRenders.Add(1)
			return &render.Page{Status: 404, Body: []byte("ru 404"), Deps: []string{"svc:ru"}}, key, nil
		case strings.HasPrefix(key, "/ru/a/"): // "/ru/a/" and its other spellings
			return &render.Page{Status: 200, Body: []byte("story"), Deps: []string{"art:1"}}, "/ru/a/", nil
		case strings.HasPrefix(key, "/ru/old/"):
			return &render.Page{Status: 301, Location: "/ru/a/"}, "", nil
		}
		return &render.Page{Status: 404, Service: "ru"}, notFoundKey + "ru", nil
	}, nil)
	ctx := context.Background()
	for i := range 100 {
		for _, key := range []string{fmt.Sprintf("/ru/a/%d", i), fmt.Sprintf("/ru/old/%d/", i), fmt.Sprintf("/ru/nope%d/", i)} {
			e, err := c.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[byte]int{'a': 200, 'o': 301, 'n': 404}[key[4]]; e.page.Status != want {
				t.Fatalf("%s: %d, want %d", key, e.page.Status, want)
			}
			if e.page.Status == 404 && string(e.page.Body) != "ru 404" {
				t.Fatalf("%s: %q, want the ru 404 page", key, e.page.Body)
			}
		}
	}
	if c.Len() != 2 || !c.Has("/ru/a/") || !c.Has(notFoundKey+"ru") {
		t.Errorf("%d pages cached, want the story and the 404 page under their own keys", c.Len())
	}
	if n := notFoundRenders.Load(); n != 1 {
		t.Errorf("the 404 page was rendered %d times", n)
	}
	c.Invalidate("svc:ru")
	c.Get(ctx, "/ru/nope/")
	if n := notFoundRenders.Load(); n != 2 || c.Has("/ru/nope/") {
		t.Errorf("after the service changed: %d renders of the 404 page, /ru/nope/ cached: %t", n, c.Has("/ru/nope/"))
	}
}
