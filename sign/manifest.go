// Package sign makes exports of the reader site provable: an Ed25519 key
// of the newsroom signs each export's manifest (every file with its SHA-256
// and size) in minisign's format, so that anyone can check a mirror with
// Debian's minisign and sha256sum, without Kolokol, and Kolokol's own
// verify can tell a mirror being updated from a tampered one.
package sign

import "time"

// The files an export carries at its root, beside the site's own.
const (
	// ManifestFile lists every file of the edition (Manifest, JSON).
	ManifestFile = "manifest.json"
	// SumsFile lists the same files in sha256sum's format, for
	// `sha256sum -c SHA256SUMS`.
	SumsFile = "SHA256SUMS"
	// SigSuffix names a file's detached minisign signature.
	SigSuffix = ".minisig"
	// NextPrefix names the next edition's manifest and sums while a push
	// is under way ("next-manifest.json"): a mirror's files may match the
	// next edition rather than the current one until the push completes.
	NextPrefix = "next-"
	// PublicKeyFile is the newsroom's public key, in minisign's format;
	// readers trust it by its fingerprint, published out of band.
	PublicKeyFile = "kolokol.pub"
)

// Manifest is one edition of an export: every file with its hash and size.
type Manifest struct {
	// Origin is the site's canonical origin (https://news.example.org):
	// a manifest signed for one site does not pass for another's.
	Origin string `json:"origin"`
	// Edition only grows: a mirror cannot be rolled back to an older one
	// without a reader who has seen a newer one noticing.
	Edition int64     `json:"edition"`
	Time    time.Time `json:"time"`
	// KeyID is the signing key's id, hex, as minisign shows it.
	KeyID string `json:"key_id"`
	// Files are sorted by Path; paths are relative ("ru/index.html"),
	// slash-separated, never absolute, never with "." or ".." segments.
	// The manifest, the sums and their signatures are not listed.
	Files []File `json:"files"`
}

// File is one file of an edition.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"` // hex, lower case
	Size   int64  `json:"size"`
}
