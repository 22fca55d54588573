package kolokol

import (
	"context"
	"io"
	"time"
)

// Media is an uploaded image. Files are content-addressed: Hash is the
// SHA-256 of the stored bytes, hex encoded.
type Media struct {
	ID          int64
	Hash        string
	ContentType string // sniffed from the content, never taken from the client
	Size        int64
	Width       int
	Height      int
	CreatedAt   time.Time
}

// Ext returns the file extension that matches the media's content type.
func (m *Media) Ext() string {
	switch m.ContentType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ".bin"
}

// Path is where readers fetch the file.
func (m *Media) Path() string { return "/media/" + m.Hash + m.Ext() }

// BlobStore keeps media files by key (the content hash plus extension).
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Exists(ctx context.Context, key string) (bool, error)
}
