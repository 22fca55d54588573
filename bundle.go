package kolokol

import (
	"context"
	"strings"
	"time"
)

// BundleKind is the format of an offline edition.
type BundleKind string

const (
	BundleZIM  BundleKind = "zim"  // for Kiwix
	BundleEPUB BundleKind = "epub" // for any e-book reader
)

// Bundle is an offline edition of one service, published with its
// detached signature in the media store (content-addressed, like
// pictures) and listed on the service's mirrors page, from where every
// mirror serves it too.
type Bundle struct {
	ID      int64
	Service string
	Kind    BundleKind
	// Name is what a reader saves it as: "fa-2026-12-01.zim".
	Name string
	// Key and SigKey are the file's and its .minisig's keys in the
	// media store ("<sha256>.zim", "<sha256>.minisig").
	Key, SigKey string
	Size        int64
	Stories     int
	// From and To are the period its stories were published in.
	From, To  time.Time
	CreatedAt time.Time
}

// Path is the bundle's site path; SigPath its signature's.
func (b *Bundle) Path() string    { return "/media/" + b.Key }
func (b *Bundle) SigPath() string { return "/media/" + b.SigKey }

// Validate checks what a store must never hold.
func (b *Bundle) Validate() error {
	switch {
	case b.Kind != BundleZIM && b.Kind != BundleEPUB:
		return FieldErrorf(EINVALID, "kind", "a bundle is a zim or an epub, not %q", b.Kind)
	case b.Service == "":
		return FieldErrorf(EINVALID, "service", "a bundle belongs to a service")
	case b.Name == "" || len(b.Name) > 200 || strings.ContainsAny(b.Name, "/\\ \x00") || !strings.HasSuffix(b.Name, "."+string(b.Kind)):
		return FieldErrorf(EINVALID, "name", "bundle name %q is not a plain file name ending .%s", b.Name, b.Kind)
	case !strings.HasSuffix(b.Key, "."+string(b.Kind)) || !strings.HasSuffix(b.SigKey, ".minisig"):
		return FieldErrorf(EINVALID, "key", "bundle keys %q, %q are not a .%s and a .minisig", b.Key, b.SigKey, b.Kind)
	case b.Size <= 0 || b.Stories <= 0:
		return FieldErrorf(EINVALID, "size", "a bundle of %d bytes and %d stories is empty", b.Size, b.Stories)
	case !b.From.Before(b.To):
		return FieldErrorf(EINVALID, "from", "a bundle's period must start before it ends")
	}
	return nil
}

// Bundles keeps the offline editions published.
type Bundles interface {
	// AddBundle stores a published bundle (ID and CreatedAt set) and
	// records a change of the service's bundles.
	AddBundle(ctx context.Context, b *Bundle) error
	// FindBundles lists a service's bundles, newest first.
	FindBundles(ctx context.Context, service string) ([]*Bundle, error)
	// DeleteBundle removes one from the list (its files stay in the media
	// store until pruned) and records the change.
	DeleteBundle(ctx context.Context, id int64) error
}
