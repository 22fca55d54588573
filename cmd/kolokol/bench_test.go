package main

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkPublishLatency measures what an editor waits for: the publish API
// call returning, and then the first reader request for the new page (which
// renders it into the cache). Reported as ns/op for the pair.
func BenchmarkPublishLatency(b *testing.B) {
	ta := newTestApp(b)
	ids := make([]apiArticle, b.N)
	for i := range ids {
		ids[i] = ta.create(b, ta.admin, map[string]any{"service": "en", "section": "world",
			"headline": fmt.Sprintf("Benchmark story %d", i), "summary": "A summary.", "body": "Body text.\n\nMore text."})
	}
	b.ResetTimer()
	for i := range ids {
		a := ta.publish(b, ta.admin, ids[i].ID)
		if r := ta.get(b, ta.path(a)); r.status != http.StatusOK {
			b.Fatalf("page %d", r.status)
		}
	}
}

// BenchmarkServeCachedArticle is the reader hot path over real HTTP on
// loopback: a cached article page, gzip.
func BenchmarkServeCachedArticle(b *testing.B) {
	ta := newTestApp(b)
	a := ta.create(b, ta.admin, map[string]any{"service": "en", "headline": "Cached", "body": "Text."})
	a = ta.publish(b, ta.admin, a.ID)
	path := ta.path(a)
	ta.get(b, path)
	b.ResetTimer()
	for range b.N {
		if r := ta.get(b, path, "Accept-Encoding", "gzip"); r.status != http.StatusOK {
			b.Fatal(r.status)
		}
	}
}
