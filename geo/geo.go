// Package geo finds the country a reader's request comes from, for one use
// only: choosing which safety notice their page carries. The answer is never
// logged, stored or counted; it lives for one request.
//
// The country comes from a header set by a trusted CDN or proxy (honoured
// only when the request arrives from one of the configured proxy addresses),
// or from a local MaxMind-format database. Tor exits, anonymous proxies and
// the pseudo-codes CDNs send for them (T1, XX, A1, ...) are "unknown": the
// service's default applies, never a guess.
package geo

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Options configures a Resolver. All fields are optional; with none, every
// reader is "unknown".
type Options struct {
	// Header is the request header a trusted CDN or proxy puts the
	// country in, e.g. "CF-IPCountry" or "CloudFront-Viewer-Country".
	Header string
	// Proxies are the addresses whose Header (and X-Forwarded-For, for
	// the database lookup) is believed. Anyone else's is ignored.
	Proxies []netip.Prefix
	// MMDB is the path of a MaxMind-format country (or city) database.
	MMDB string
}

// Resolver answers Country for requests. It is safe for concurrent use.
type Resolver struct {
	header  string
	proxies []netip.Prefix
	db      *maxminddb.Reader
}

// New opens the database, if any, and checks the options.
func New(o Options) (*Resolver, error) {
	r := &Resolver{header: http.CanonicalHeaderKey(strings.TrimSpace(o.Header)), proxies: o.Proxies}
	if o.MMDB != "" {
		db, err := maxminddb.Open(o.MMDB)
		if err != nil {
			return nil, fmt.Errorf("geo: open %s: %w", o.MMDB, err)
		}
		if err := db.Verify(); err != nil {
			db.Close()
			return nil, fmt.Errorf("geo: %s is not a sound MaxMind database: %w", o.MMDB, err)
		}
		r.db = db
	}
	return r, nil
}

// ParseProxies reads a comma-separated list of addresses and prefixes
// ("10.0.0.0/8, 127.0.0.1").
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Header is the configured country header, "" when none; pages that vary
// by it say so in Vary, for CDN caches.
func (r *Resolver) Header() string { return r.header }

// Close closes the database.
func (r *Resolver) Close() error {
	if r.db != nil {
		return r.db.Close()
	}
	return nil
}

// Country returns the reader's ISO 3166-1 alpha-2 code in upper case, or ""
// when it is not known.
func (r *Resolver) Country(req *http.Request) string {
	peer, _ := remoteAddr(req.RemoteAddr)
	return r.CountryOf(peer, req.Header)
}

// Header is what CountryOf reads of a request: the values of a header
// field. http.Header is one; a server other than net/http gives its own.
type Header interface {
	Values(key string) []string
}

// CountryOf is Country for a request that came over the connection from
// peer (the zero Addr when unknown) with header h.
func (r *Resolver) CountryOf(peer netip.Addr, h Header) string {
	peer = peer.Unmap()
	trusted := peer.IsValid() && r.trusted(peer)
	if r.header != "" && trusted {
		if v := h.Values(r.header); len(v) > 0 {
			return code(v[0])
		}
	}
	if r.db == nil || !peer.IsValid() {
		return ""
	}
	client := peer
	if trusted {
		// Behind our own proxies the client is the last address they did
		// not add themselves.
		if c, ok := r.forwardedClient(h.Values("X-Forwarded-For")); ok {
			client = c
		} else {
			return ""
		}
	}
	return r.lookup(client)
}

// ClientAddr is the address a request comes from: the connection's, or
// behind the trusted proxies the last address they did not add themselves
// (X-Forwarded-For). It is for the newsroom's sign-in throttle, which
// counts failures per network; it is never logged or stored. Behind an
// onion service every request comes from the local tor, so all of Tor is
// one network to it. The zero Addr means unknown.
func (r *Resolver) ClientAddr(req *http.Request) netip.Addr {
	peer, ok := remoteAddr(req.RemoteAddr)
	if !ok {
		return netip.Addr{}
	}
	if r.trusted(peer) {
		if c, ok := r.forwardedClient(req.Header.Values("X-Forwarded-For")); ok {
			return c
		}
	}
	return peer
}

func (r *Resolver) trusted(a netip.Addr) bool {
	for _, p := range r.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient walks X-Forwarded-For from the right, past our proxies.
func (r *Resolver) forwardedClient(values []string) (netip.Addr, bool) {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		a = a.Unmap()
		if !r.trusted(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// record is what is read from the database: a country, and the flags of
// the anonymous-IP databases, which mark Tor exits and proxies.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Traits struct {
		IsAnonymousProxy bool `maxminddb:"is_anonymous_proxy"`
		IsTorExitNode    bool `maxminddb:"is_tor_exit_node"`
	} `maxminddb:"traits"`
	IsTorExitNode bool `maxminddb:"is_tor_exit_node"`
	IsAnonymous   bool `maxminddb:"is_anonymous"`
}

func (r *Resolver) lookup(a netip.Addr) string {
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() {
		return "" // an onion service's requests come from the local tor
	}
	var rec record
	if err := r.db.Lookup(a).Decode(&rec); err != nil {
		return ""
	}
	if rec.IsTorExitNode || rec.IsAnonymous || rec.Traits.IsTorExitNode || rec.Traits.IsAnonymousProxy {
		return ""
	}
	return code(rec.Country.ISOCode)
}

// code normalizes a country code; the pseudo-codes for Tor (T1), unknown
// (XX, ZZ), anonymous proxies (A1), satellite (A2), other (O1) and regions
// (EU, AP) are unknown.
func code(v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		return ""
	}
	switch v {
	case "T1", "XX", "ZZ", "A1", "A2", "O1", "EU", "AP":
		return ""
	}
	return v
}

func remoteAddr(s string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ValidCountry reports whether s is an ISO 3166-1 alpha-2 code a notice can
// target (upper case, not a pseudo-code).
func ValidCountry(s string) bool { return s != "" && code(s) == s }
