package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
)

// Sources turns a client address into the key a Limiter counts sign-in
// failures of that network under. IPv6 addresses count by their /64, the
// block one household or server is given, so that rotating through its
// addresses does not buy more guesses; IPv4 addresses count alone. The key
// is an HMAC under a key made at start, so the limiter's memory holds no
// address, and nothing that could be matched to one after a restart.
type Sources struct{ key []byte }

// NewSources makes a new key.
func NewSources() *Sources {
	k := make([]byte, 32)
	rand.Read(k)
	return &Sources{key: k}
}

// Key is the limiter key of a; an invalid address (none known) has its own.
func (s *Sources) Key(a netip.Addr) string {
	if !a.IsValid() {
		return "src:unknown"
	}
	a = a.Unmap()
	if a.Is6() {
		a = netip.PrefixFrom(a, 64).Masked().Addr()
	}
	m := hmac.New(sha256.New, s.key)
	b, _ := a.MarshalBinary()
	m.Write(b)
	return "src:" + hex.EncodeToString(m.Sum(nil)[:16])
}
