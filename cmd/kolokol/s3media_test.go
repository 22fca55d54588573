package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/minio/minio-go/v7"
)

// TestMediaOnS3: with --media-s3 a picture uploaded goes into the bucket,
// not DATA/media; the site serves it from there, and kolokol export
// copies it from there into the static tree.
func TestMediaOnS3(t *testing.T) {
	srv := realpart.Versity(t, "newsroom-media")
	cfg := filepath.Join(t.TempDir(), "media-s3.json")
	js, _ := json.Marshal(map[string]any{"endpoint": srv.Endpoint, "bucket": srv.Bucket, "prefix": "media",
		"region": srv.Region, "access_key": srv.AccessKey, "secret_key": srv.SecretKey})
	if err := os.WriteFile(cfg, js, 0o600); err != nil {
		t.Fatal(err)
	}
	ta := newTestAppWith(t, Config{MediaS3: cfg})
	m := ta.uploadFor(t, ta.tokens["editor-fa"], "fa", pngFile(t, 1200, 800))
	key := m.URL[strings.LastIndex(m.URL, "/")+1:]

	if _, err := srv.Client(t).StatObject(context.Background(), srv.Bucket, "media/"+key[:2]+"/"+key, minio.StatObjectOptions{}); err != nil {
		t.Fatalf("the master is not in the bucket: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(ta.data, "media")); len(entries) != 0 {
		t.Fatalf("DATA/media holds %d entries: media went to disk, not to the bucket", len(entries))
	}
	r := ta.get(t, "/media/"+key)
	if r.status != http.StatusOK || !strings.HasPrefix(http.DetectContentType(r.body), "image/") {
		t.Fatalf("/media/%s: %d, %d bytes", key, r.status, len(r.body))
	}
	if len(m.Renditions) == 0 {
		t.Fatal("no renditions made")
	}
	rkey := m.Renditions[0].URL[strings.LastIndex(m.Renditions[0].URL, "/")+1:]
	if r := ta.get(t, "/media/"+rkey); r.status != http.StatusOK {
		t.Fatalf("rendition /media/%s: %d", rkey, r.status)
	}
	a := ta.create(t, ta.tokens["editor-fa"], map[string]any{"service": "fa", "headline": "عکس", "body": "متن.",
		"lead_image": map[string]any{"media_id": m.MediaID, "alt": "یک عکس", "credit": "عکاس"}})
	ta.publish(t, ta.tokens["editor-fa"], a.ID)

	out := t.TempDir()
	if _, _, err := runCLI(t, noEnv, "export", "--data", ta.data, "--out", out, "--base-url", "https://news.example.org", "--service", "fa", "--media-s3", cfg); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "media", rkey))
	if err != nil {
		t.Fatalf("the export lacks the story's picture: %v", err)
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if want := ta.get(t, "/media/"+rkey).body; !bytes.Equal(got, want) {
		t.Fatalf("exported %d bytes, the site serves %d", len(got), len(want))
	}
	if _, _, err := runCLI(t, noEnv, "export", "--data", ta.data, "--out", t.TempDir(), "--base-url", "https://news.example.org", "--media-s3", filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Fatal("export with a --media-s3 file that is not there ran")
	}
}
