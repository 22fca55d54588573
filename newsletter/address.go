package newsletter

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxAddress is the longest address taken, in octets (RFC 5321's path
// limit less its angle brackets).
const MaxAddress = 254

// AddressError says why an address was refused. Its text never holds the
// address: errors end up in logs.
type AddressError struct{ Reason string }

func (e *AddressError) Error() string { return "refused email address: " + e.Reason }

func refuse(reason string) error { return &AddressError{Reason: reason} }

// IsAddressError reports whether err is an address refused by
// NormalizeAddress.
func IsAddressError(err error) bool {
	var e *AddressError
	return errors.As(err, &e)
}

// idnaProfile maps the domain as browsers and mail clients do (lower case,
// width folding) and checks its labels' lengths.
var idnaProfile = idna.New(idna.MapForLookup(), idna.VerifyDNSLength(true), idna.Transitional(false), idna.BidiRule())

// NormalizeAddress returns the one spelling of a reader's address that
// its lookup hash is made from: a bare addr-spec ("name@example.org": no
// display name, no angle brackets, no comments or quoted local part),
// trimmed, with the domain lower-cased and in its ASCII (IDNA) form. The
// local part keeps its case: RFC 5321 leaves its meaning to the mailbox's
// host. Control characters, CR and LF (header injection) are refused, and
// so are local parts that are not ASCII, which a relay without SMTPUTF8
// could not deliver.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", refuse("the address is empty")
	case len(s) > 4*MaxAddress:
		return "", refuse("the address is too long")
	case !utf8.ValidString(s):
		return "", refuse("the address is not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		return "", refuse("the address holds a line break or another control character")
	case strings.ContainsAny(s, "<>()\",;:\\[] \t"):
		return "", refuse("the address must be a bare address such as name@example.org, without a name, brackets, quotes or spaces")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", refuse("the address needs a name, an @ and a domain")
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return "", refuse("the part before the @ is longer than 64 octets")
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= utf8.RuneSelf {
			return "", refuse("the part before the @ must be ASCII")
		}
	}
	ascii, err := idnaProfile.ToASCII(domain)
	if err != nil || ascii == "" {
		return "", refuse("the domain is not a valid domain name")
	}
	ascii = strings.TrimSuffix(ascii, ".")
	if !strings.Contains(ascii, ".") || strings.HasPrefix(ascii, ".") || strings.Contains(ascii, "..") {
		return "", refuse("the domain must be a full domain name such as example.org")
	}
	for _, r := range ascii {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return "", refuse("the domain is not a valid domain name")
		}
	}
	out := local + "@" + ascii
	if len(out) > MaxAddress {
		return "", refuse("the address is longer than 254 octets")
	}
	// The standard library's parser is the final word on the syntax: what
	// it reads back must be exactly what we keep.
	a, err := mail.ParseAddress(out)
	if err != nil || a.Name != "" || a.Address != out {
		return "", refuse("the address is not a valid email address")
	}
	return out, nil
}
