package main

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/kolokol/kolokol/sign"
	"github.com/minio/minio-go/v7"
)

// TestPublishWhileObjectStoreDown: with the mirror's S3 server down, a
// publish still succeeds at once; the push fails, says so in the mirror's
// health, and is retried until the server is back and the story is on
// the mirror.
func TestPublishWhileObjectStoreDown(t *testing.T) {
	srv := realpart.Versity(t, "mirror")
	client := srv.Client(t)
	ta := newTestApp(t)
	ta.Mirrors.Retry, ta.Mirrors.MaxRetry = 100*time.Millisecond, 500*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ta.Mirrors.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	r := ta.api(t, "POST", "/mirrors", ta.admin, map[string]any{"name": "Bucket", "kind": "s3", "public_url": "https://m.example/",
		"endpoint": srv.Endpoint, "bucket": srv.Bucket, "prefix": "site", "region": srv.Region, "access_key": srv.AccessKey, "secret_key": srv.SecretKey})
	if r.status != http.StatusCreated {
		t.Fatalf("add mirror: %d %s", r.status, r.body)
	}
	edition := func() int64 {
		obj, err := client.GetObject(context.Background(), srv.Bucket, "site/"+sign.ManifestFile, minio.GetObjectOptions{})
		if err != nil {
			return 0
		}
		defer obj.Close()
		b, err := io.ReadAll(obj)
		if err != nil {
			return 0
		}
		m, err := sign.ParseManifest(b)
		if err != nil {
			return 0
		}
		return m.Edition
	}
	waitFor(t, time.Minute, "the first edition on the bucket", func() bool { return edition() >= 1 })
	first := edition()

	srv.Stop()
	a := ta.create(t, ta.tokens["editor-fa"], map[string]any{"service": "fa", "headline": "انتشار در غیاب مخزن", "body": "متن."})
	a = ta.publish(t, ta.tokens["editor-fa"], a.ID) // fails the test unless 200
	if r := ta.get(t, ta.path(a)); r.status != http.StatusOK {
		t.Fatalf("the story's page on the site: %d", r.status)
	}
	waitFor(t, time.Minute, "the mirror's health to show the failed push", func() bool {
		ms, err := ta.Store.FindMirrors(t.Context())
		return err == nil && len(ms) == 1 && ms[0].Health.Error != ""
	})

	srv.Start(t)
	page := "site/" + treePath(t, ta.path(a))
	waitFor(t, time.Minute, "the story on the mirror once the server is back", func() bool {
		_, err := client.StatObject(context.Background(), srv.Bucket, page, minio.StatObjectOptions{})
		return err == nil && edition() > first
	})
	waitFor(t, 30*time.Second, "the mirror's health to clear", func() bool {
		ms, err := ta.Store.FindMirrors(t.Context())
		return err == nil && len(ms) == 1 && ms[0].Health.Error == "" && ms[0].Health.Edition > first
	})
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
	}
}
