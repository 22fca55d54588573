package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/secretfile"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config is a bucket on an S3-compatible service that holds the media
// of several servers (AWS, Backblaze, Wasabi, a MinIO or versitygw of
// one's own), read from a JSON file (LoadS3Config).
type S3Config struct {
	Endpoint  string `json:"endpoint"` // host[:port]
	Bucket    string `json:"bucket"`
	Prefix    string `json:"prefix"` // a folder in the bucket; "" for its root
	Region    string `json:"region"`
	TLS       bool   `json:"tls"`
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
}

// LoadS3Config reads a bucket's settings. The file holds the secret key:
// one others can read is refused.
func LoadS3Config(path string) (S3Config, error) {
	var c S3Config
	b, err := secretfile.Read(path, 64<<10)
	if err != nil {
		return c, fmt.Errorf("media bucket: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("media bucket %s: %w", path, err)
	}
	switch {
	case c.Endpoint == "" || strings.Contains(c.Endpoint, "/"):
		return c, fmt.Errorf("media bucket %s: endpoint %q: give host[:port], e.g. s3.eu-central-1.amazonaws.com", path, c.Endpoint)
	case c.Bucket == "":
		return c, fmt.Errorf("media bucket %s: no bucket", path)
	case c.AccessKey == "" || c.SecretKey == "":
		return c, fmt.Errorf("media bucket %s: access_key and secret_key are needed", path)
	}
	return c, nil
}

// S3 keeps blobs in a bucket. A PUT is atomic by itself: a reader gets
// the whole object or none. Keys are content hashes, so an object is
// never written twice with other bytes, and several servers can share the
// bucket without coordination.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ kolokol.BlobStore = (*S3)(nil)

// NewS3 makes a client for the bucket; it does not connect until used.
func NewS3(c S3Config) (*S3, error) {
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.TLS,
		Region: c.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("media bucket %s at %s: %w", c.Bucket, c.Endpoint, err)
	}
	prefix := strings.Trim(c.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: c.Bucket, prefix: prefix}, nil
}

// Check makes sure the bucket is there and the keys may use it, so that
// a server with a wrong setting stops at start, not at the first upload.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("media bucket %s does not exist", s.bucket)
	}
	return nil
}

func (s *S3) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", kolokol.Errorf(kolokol.EINVALID, "invalid media key %q", key)
	}
	return s.prefix + key[:2] + "/" + key, nil
}

// Put stores the blob. Media are read into memory first (the pipeline
// bounds them), so the object goes up in one PUT with its length.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if _, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: ContentTypeOfKey(key)}); err != nil {
		return fmt.Errorf("put %s in bucket %s: %w", key, s.bucket, err)
	}
	return nil
}

// Open returns the blob; ENOTFOUND when absent. The object is fetched as
// it is read, and seeking (for ranges) asks for the part wanted.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s in bucket %s: %w", key, s.bucket, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if notFound(err) {
			return nil, kolokol.Errorf(kolokol.ENOTFOUND, "media %s not found", key)
		}
		return nil, fmt.Errorf("open %s in bucket %s: %w", key, s.bucket, err)
	}
	return obj, nil
}

// Exists reports whether the blob is stored.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	name, err := s.object(key)
	if err != nil {
		return false, err
	}
	_, err = s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	switch {
	case err == nil:
		return true, nil
	case notFound(err):
		return false, nil
	}
	return false, fmt.Errorf("look for %s in bucket %s: %w", key, s.bucket, err)
}

func notFound(err error) bool {
	var e minio.ErrorResponse
	if errors.As(err, &e) {
		return e.Code == minio.NoSuchKey || e.StatusCode == 404
	}
	return minio.ToErrorResponse(err).Code == minio.NoSuchKey
}

// Delete removes a blob; one already gone is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("delete %s in bucket %s: %w", key, s.bucket, err)
	}
	return nil
}
