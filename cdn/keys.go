// Package cdn speaks to the cache in front of the reader site: the keys
// that name what each page shows (sent as Surrogate-Key and Cache-Tag), and
// the purge calls that drop exactly the pages a change touched.
//
// A key is a page dependency (render.Deps: "art:12", "list:fa",
// "tagged:fa/…") spelt so that every CDN takes it: printable ASCII with no
// space or comma (Fastly splits Surrogate-Key on spaces, Cloudflare
// Cache-Tag on commas and refuses non-ASCII), at most MaxKeyBytes long. Every
// page also carries SiteKey, so that one purge can drop the whole site.
package cdn

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SiteKey is on every page: purging it drops the whole site from the CDN.
const SiteKey = "site"

// MaxKeyBytes bounds a key. Fastly and Cloudflare take 1,024 bytes; the
// keys Kolokol makes are far shorter, and a tag key longer than this is
// hashed instead (see Key).
const MaxKeyBytes = 128

// Key spells a page dependency as a CDN key: bytes outside [A-Za-z0-9:/._~-]
// are percent-encoded (so a tag in Persian becomes %D8%A7…, and "%" itself
// %25, so two dependencies never share a key); a result over MaxKeyBytes
// becomes its prefix up to the first ":" and a hash of the whole.
func Key(dep string) string {
	var b strings.Builder
	for i := 0; i < len(dep); i++ {
		c := dep[i]
		if plain(c) {
			b.WriteByte(c)
			continue
		}
		const hexDigits = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	k := b.String()
	if len(k) <= MaxKeyBytes {
		return k
	}
	kind, _, _ := strings.Cut(k, ":")
	if len(kind) > 16 {
		kind = "key"
	}
	sum := sha256.Sum256([]byte(dep))
	return kind + ":#" + hex.EncodeToString(sum[:16])
}

func plain(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == ':' || c == '/' || c == '.' || c == '_' || c == '~' || c == '-'
}

// Keys returns the keys of a page with deps: SiteKey first, then each
// dependency's key once, in the order given.
func Keys(deps []string) []string {
	keys := make([]string, 0, len(deps)+1)
	keys = append(keys, SiteKey)
	seen := map[string]bool{SiteKey: true}
	for _, d := range deps {
		k := Key(d)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}
