package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config is an S3-compatible bucket (AWS, Backblaze, Wasabi, a MinIO or
// versitygw of one's own).
type S3Config struct {
	Endpoint  string // host[:port]
	Bucket    string
	Prefix    string // a folder in the bucket; "" for its root
	Region    string
	TLS       bool
	AccessKey string
	SecretKey string
}

// S3 is a target in a bucket. An object store has no rename, but a PUT is
// atomic by itself: a reader gets the old object or the new one.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
	name   string
}

// OpenS3 makes a client for the bucket; it does not connect until used.
func OpenS3(c S3Config) (*S3, error) {
	name := "bucket " + c.Bucket + " at " + c.Endpoint
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.TLS,
		Region: c.Region,
		// The push retries each file with its own backoff; the client's
		// ten quick retries inside each try would only hide a dead server.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	prefix := strings.Trim(c.Prefix, "/")
	if prefix != "" {
		if err := CheckPath(prefix); err != nil {
			return nil, fmt.Errorf("open %s: prefix: %w", name, err)
		}
		prefix += "/"
	}
	return &S3{client: client, bucket: c.Bucket, prefix: prefix, name: name}, nil
}

func (s *S3) String() string { return s.name }

// Close has nothing to release: requests are independent.
func (s *S3) Close() error { return nil }

func (s *S3) key(p string) (string, error) {
	if err := checkOwnPath(p); err != nil {
		return "", Permanent(err)
	}
	return s.prefix + p, nil
}

// s3Error adds what was being done, and makes the errors no retry can
// cure (no bucket, refused credentials) permanent.
func (s *S3) s3Error(doing, p string, err error) error {
	err = fmt.Errorf("%s %s in %s: %w", doing, p, s.name, err)
	switch minio.ToErrorResponse(errors.Unwrap(err)).Code {
	case minio.NoSuchBucket, "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return Permanent(err)
	}
	return err
}

// Get reads an object.
func (s *S3) Get(ctx context.Context, p string, limit int64) ([]byte, error) {
	key, err := s.key(p)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		defer obj.Close()
		var info minio.ObjectInfo
		if info, err = obj.Stat(); err == nil {
			if info.Size > limit {
				return nil, Permanent(fmt.Errorf("read %s in %s: %d bytes, more than %d", p, s.name, info.Size, limit))
			}
			var b []byte
			if b, err = readLimited(obj, p, limit); err == nil {
				return b, nil
			}
		}
	}
	if r := minio.ToErrorResponse(err); r.Code == minio.NoSuchKey || r.StatusCode == http.StatusNotFound && r.Code != minio.NoSuchBucket {
		return nil, fmt.Errorf("read %s in %s: %w", p, s.name, fs.ErrNotExist)
	}
	return nil, s.s3Error("read", p, err)
}

// Put uploads an object with the type it is to be served with.
func (s *S3) Put(ctx context.Context, p string, data []byte) error {
	key, err := s.key(p)
	if err != nil {
		return err
	}
	cache := "public, max-age=60"
	if reserved(path.Base(p)) || reserved(p) {
		cache = "no-cache" // the signed files: a verifier must see the newest
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType: ContentType(p), CacheControl: cache,
		// One request per file: a multipart upload that is cut off leaves
		// parts that are billed but never seen.
		DisableMultipart: true,
	})
	if err != nil {
		return s.s3Error("write", p, err)
	}
	return nil
}

// Delete removes an object; S3 answers a missing one with success too.
func (s *S3) Delete(ctx context.Context, p string) error {
	key, err := s.key(p)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil
		}
		return s.s3Error("delete", p, err)
	}
	return nil
}

// Clean has nothing to do: objects appear whole or not at all.
func (s *S3) Clean(context.Context) error { return nil }
