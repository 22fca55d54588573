package oembed

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"syscall"
)

// refusedError is a connection or redirect refused before it was made.
type refusedError struct{ why string }

func (r *refusedError) Error() string { return r.why }

// cgnat is the carrier-grade NAT range (RFC 6598): not public either.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// checkDial refuses to connect to any address that is not a public one:
// an answer or a redirect pointing into the server's own networks (the
// cloud's metadata service at 169.254.169.254, a database on loopback)
// must not make the newsroom ask them. It runs on the address resolved, so
// a name that resolves to one is refused too.
func (c *Client) checkDial(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedError{fmt.Sprintf("the address %q could not be checked", address)}
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if slices.Contains(c.opts.Allow, ap) {
		return nil
	}
	if !Public(ap.Addr()) {
		return &refusedError{fmt.Sprintf("the answer points to %s, an address inside private networks, which the newsroom never asks", ap.Addr())}
	}
	return nil
}

// Public reports whether a is an address on the public internet.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() &&
		!a.IsLinkLocalUnicast() && !a.IsUnspecified() && !cgnat.Contains(a)
}

// checkRedirect follows at most MaxRedirects redirects, each to https.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return &refusedError{fmt.Sprintf("the answer was redirected more than %d times", MaxRedirects)}
	}
	if req.URL.Scheme != "https" {
		return &refusedError{fmt.Sprintf("the answer was redirected to a %s address, not https", req.URL.Scheme)}
	}
	return nil
}
