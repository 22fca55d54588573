package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"sync"
)

// Sources turns a client address into the key a Limiter counts sign-in
// failures of that network under. IPv6 addresses count by their /64, the
// block one household or server is given, so that rotating through its
// addresses does not buy more guesses; IPv4 addresses count alone. The key
// is an HMAC under a key made at start, so the limiter's memory holds no
// address, and nothing that could be matched to one after a restart.
//
// Several servers share one key (SetKey), so that a source's failures are
// one count whichever server they reach; they replace it daily.
type Sources struct {
	mu  sync.RWMutex
	key []byte
}

// NewSources makes a new key.
func NewSources() *Sources {
	return &Sources{key: NewSourceKey()}
}

// NewSourceKey is a new random key.
func NewSourceKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// SetKey replaces the key.
func (s *Sources) SetKey(k []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key = slices.Clone(k)
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
	s.mu.RLock()
	m := hmac.New(sha256.New, s.key)
	s.mu.RUnlock()
	b, _ := a.MarshalBinary()
	m.Write(b)
	return "src:" + hex.EncodeToString(m.Sum(nil)[:16])
}
