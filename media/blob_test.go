package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/minio/minio-go/v7"
)

func blobKey(b []byte, ext string) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + ext
}

// testBlobStore is what every BlobStore must do.
func testBlobStore(t *testing.T, s kolokol.BlobStore) {
	ctx := context.Background()
	body := bytes.Repeat([]byte("picture bytes "), 5000)
	key := blobKey(body, ".webp")
	if ok, err := s.Exists(ctx, key); err != nil || ok {
		t.Fatalf("Exists before Put: %v %v", ok, err)
	}
	if _, err := s.Open(ctx, key); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Fatalf("Open before Put: %v, want ENOTFOUND", err)
	}
	if err := s.Put(ctx, key, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	// The same master again (another service uploads it): harmless.
	if err := s.Put(ctx, key, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Fatalf("Exists after Put: %v %v", ok, err)
	}
	f, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil || size != int64(len(body)) {
		t.Fatalf("Seek to the end: %d %v, want %d", size, err, len(body))
	}
	if _, err := f.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 14)
	if _, err := io.ReadFull(f, part); err != nil || !bytes.Equal(part, body[100:114]) {
		t.Fatalf("read at 100: %q %v", part, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(body))
	}
	for _, bad := range []string{"", "../" + key, key[:64], key[:64] + ".svg", strings.ToUpper(key[:64]) + ".jpg", key + "/x"} {
		if err := s.Put(ctx, bad, bytes.NewReader(body)); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("Put %q: %v, want EINVALID", bad, err)
		}
		if _, err := s.Open(ctx, bad); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("Open %q: %v, want EINVALID", bad, err)
		}
	}
	// Several servers putting at once.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bytes.Repeat([]byte{byte(i)}, 1000+i)
			if err := s.Put(ctx, blobKey(b, ".png"), bytes.NewReader(b)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := range 8 {
		b := bytes.Repeat([]byte{byte(i)}, 1000+i)
		if ok, err := s.Exists(ctx, blobKey(b, ".png")); !ok || err != nil {
			t.Errorf("blob %d: %v %v", i, ok, err)
		}
	}
}

func TestDirBlobStore(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testBlobStore(t, d)
}

// TestS3BlobStore runs the same against a real S3-compatible server, and
// checks what a server stopped or a bucket missing says.
func TestS3BlobStore(t *testing.T) {
	srv := realpart.Versity(t, "media")
	s, err := NewS3(S3Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Prefix: "/newsroom/", Region: srv.Region, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	testBlobStore(t, s)
	// The objects are where an operator looks for them: under the prefix.
	body := bytes.Repeat([]byte("picture bytes "), 5000)
	key := blobKey(body, ".webp")
	if _, err := srv.Client(t).StatObject(context.Background(), "media", "newsroom/"+key[:2]+"/"+key, minio.StatObjectOptions{}); err != nil {
		t.Fatalf("object not under newsroom/%s/: %v", key[:2], err)
	}
	missing, _ := NewS3(S3Config{Endpoint: srv.Endpoint, Bucket: "nope", Region: srv.Region, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err := missing.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "nope does not exist") {
		t.Fatalf("a missing bucket: %v", err)
	}
	srv.Stop()
	if _, err := s.Exists(context.Background(), key); err == nil || !strings.Contains(err.Error(), "bucket media") {
		t.Fatalf("the server stopped: %v, want an error naming the bucket", err)
	}
}

func TestLoadS3Config(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		mode       os.FileMode
		want       string
	}{
		{"good", `{"endpoint":"s3.example.org","bucket":"m","access_key":"a","secret_key":"s","tls":true}`, 0o600, ""},
		{"readable", `{"endpoint":"s3.example.org","bucket":"m","access_key":"a","secret_key":"s"}`, 0o644, "chmod 600"},
		{"url", `{"endpoint":"https://s3.example.org/","bucket":"m","access_key":"a","secret_key":"s"}`, 0o600, "host[:port]"},
		{"no bucket", `{"endpoint":"s3.example.org","access_key":"a","secret_key":"s"}`, 0o600, "no bucket"},
		{"no keys", `{"endpoint":"s3.example.org","bucket":"m"}`, 0o600, "secret_key"},
		{"typo", `{"endpoint":"s3.example.org","bucket":"m","access_key":"a","secret":"s"}`, 0o600, "unknown field"},
	} {
		p := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(p, []byte(tc.json), tc.mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, tc.mode)
		_, err := LoadS3Config(p)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
