// Package sign makes exports of the reader site provable: an Ed25519 key
// of the newsroom signs each export's manifest in minisign's format, so
// that anyone can check a mirror with Debian's minisign and sha256sum,
// without Kolokol, and Kolokol's own verify can tell a mirror being
// updated from a tampered one. The manifest lists the edition's parts
// (see PartsDir), each with its SHA-256 and size, and the parts list every
// file with its SHA-256 and size: an edition that changes one service
// rewrites that service's part and a small manifest.
//
// The export builds a Manifest, a Signer (LoadSigner) signs it into an
// Edition, and Edition.Write puts the signed files beside the tree; a
// mirror push uploads the same files (Edition.Files) and checks the
// target with Verify.
package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

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
	// Parts are the files that list the edition's files (see PartsDir),
	// sorted by Path: what manifest.json lists.
	Parts []File `json:"parts"`
	// Files are every file of the site, sorted by Path; paths are relative
	// ("ru/index.html"), slash-separated, never absolute, never with "."
	// or ".." segments. The manifest, the sums, their signatures and the
	// parts are not listed. Sign splits them into parts; ParseManifest
	// leaves them to AssembleFiles, which reads them from the parts
	// (a manifest of the former format, which lists every file itself,
	// has them at once).
	Files []File `json:"-"`

	legacy bool // read from a manifest of the former format
}

// File is one file of an edition.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"` // hex, lower case
	Size   int64  `json:"size"`
}

// FileFor is the manifest entry of a file with these contents.
func FileFor(path string, content []byte) File {
	sum := sha256.Sum256(content)
	return File{Path: path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))}
}

// Limits on what a manifest may hold. A path's segment is a file name on
// the mirror's file system (255 bytes on every common one); the whole path
// bound keeps a hostile manifest from making verify build huge strings.
const (
	maxPathBytes    = 1024
	maxSegmentBytes = 255
)

// ReservedNames are the files at an export's root that the manifest never
// lists: the signed files themselves and the public key (trusted by its
// fingerprint, not by the mirror that carries it). Verify does not count
// them as unlisted, and a manifest that lists one is refused.
var reservedNames = map[string]bool{
	ManifestFile: true, ManifestFile + SigSuffix: true,
	SumsFile: true, SumsFile + SigSuffix: true,
	NextPrefix + ManifestFile: true, NextPrefix + ManifestFile + SigSuffix: true,
	NextPrefix + SumsFile: true, NextPrefix + SumsFile + SigSuffix: true,
	PublicKeyFile: true,
}

// IsReserved reports whether a tree path is one of the files this package
// writes at the root (manifests, sums, signatures, the public key).
func IsReserved(path string) bool { return reservedNames[path] }

// CheckPath refuses a path that could leave the tree or be read two ways:
// absolute, with "", "." or ".." segments, a backslash (a separator on
// Windows, and sha256sum's escape character), control characters (a line
// break would forge a line of SHA256SUMS), bytes that are not UTF-8, or
// one of the reserved root names.
func CheckPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case len(p) > maxPathBytes:
		return fmt.Errorf("path of %d bytes (at most %d)", len(p), maxPathBytes)
	case !utf8.ValidString(p):
		return fmt.Errorf("path %q is not UTF-8", p)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("absolute path %q", p)
	case strings.Contains(p, `\`):
		return fmt.Errorf("path %q has a backslash", p)
	case reservedNames[p]:
		return fmt.Errorf("path %q is one of the export's own signed files", p)
	case IsPart(p) || p == PartsDir:
		return fmt.Errorf("path %q is in %s/, where the edition's lists of files are", p, PartsDir)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("path %q has a control character", p)
		}
	}
	for rest := p; ; {
		seg, after, more := strings.Cut(rest, "/")
		switch {
		case seg == "":
			return fmt.Errorf("path %q has an empty segment", p)
		case seg == "." || seg == "..":
			return fmt.Errorf("path %q has a %q segment", p, seg)
		case len(seg) > maxSegmentBytes:
			return fmt.Errorf("path %q has a segment of %d bytes (at most %d)", p, len(seg), maxSegmentBytes)
		}
		if !more {
			return nil
		}
		rest = after
	}
}

// CanonicalOrigin returns an origin in the one form that is signed
// ("https://news.example.org", lower case, no path, no trailing slash), so
// that comparing two origins is comparing two strings.
func CanonicalOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("origin %q: %w", s, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("origin %q: not http or https", s)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port] alone", s)
	}
	if u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("origin %q: an origin has no path", s)
	}
	host := strings.ToLower(u.Host)
	for _, r := range host {
		// Host names go into the trusted comment, whose fields are split
		// at spaces; keep them to what a DNS name, IP or port is made of.
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]_", r)) {
			return "", fmt.Errorf("origin %q: host has %q (use the ASCII, punycode form)", s, r)
		}
	}
	return u.Scheme + "://" + host, nil
}

// Validate checks everything verify relies on: the origin is canonical,
// the edition positive, the time set, and the paths safe, unique and
// sorted (byte order), with no path both a file and another's directory.
func (m *Manifest) Validate() error {
	if o, err := CanonicalOrigin(m.Origin); err != nil {
		return err
	} else if o != m.Origin {
		return fmt.Errorf("origin %q is not canonical (%q)", m.Origin, o)
	}
	if m.Edition < 1 {
		return fmt.Errorf("edition %d: editions start at 1", m.Edition)
	}
	if m.Time.IsZero() {
		return errors.New("no time")
	}
	if _, err := ParseKeyID(m.KeyID); err != nil {
		return err
	}
	if err := validateParts(m.Parts); err != nil {
		return err
	}
	return m.validateFiles()
}

// validateFiles checks the files: paths safe, unique and sorted, no path
// both a file and another's directory.
func (m *Manifest) validateFiles() error {
	files := make(map[string]bool, len(m.Files))
	for i, f := range m.Files {
		if err := CheckPath(f.Path); err != nil {
			return fmt.Errorf("file %d: %w", i, err)
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			if m.Files[i-1].Path == f.Path {
				return fmt.Errorf("file %q is listed twice", f.Path)
			}
			return fmt.Errorf("files are not sorted: %q before %q", m.Files[i-1].Path, f.Path)
		}
		if !lowerHex64(f.SHA256) { // the usual case is checked without allocating
			if len(f.SHA256) != 64 || strings.ToLower(f.SHA256) != f.SHA256 {
				return fmt.Errorf("file %q: sha256 %q is not 64 lower-case hex digits", f.Path, f.SHA256)
			}
			if _, err := hex.DecodeString(f.SHA256); err != nil {
				return fmt.Errorf("file %q: sha256 %q is not hex", f.Path, f.SHA256)
			}
		}
		if f.Size < 0 {
			return fmt.Errorf("file %q: size %d", f.Path, f.Size)
		}
		files[f.Path] = true
	}
	for _, f := range m.Files {
		for i := strings.LastIndexByte(f.Path, '/'); i > 0; i = strings.LastIndexByte(f.Path[:i], '/') {
			if files[f.Path[:i]] {
				return fmt.Errorf("%q is listed as a file and as the directory of %q", f.Path[:i], f.Path)
			}
		}
	}
	return nil
}

// lowerHex64 reports whether s is 64 lower-case hex digits.
func lowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// plainJSON reports whether encoding/json (not escaping HTML) writes s as
// it is, between quotes: UTF-8 without control characters, a quote, a
// backslash, U+2028 or U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	return true
}

// MarshalManifest writes a manifest as verify and people read it: one
// object, each part on a line of its own. The bytes are what is signed.
func MarshalManifest(m *Manifest) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.legacy {
		return nil, errors.New("manifest: the former format is read, never written")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	head := struct {
		Origin  string    `json:"origin"`
		Edition int64     `json:"edition"`
		Time    time.Time `json:"time"`
		KeyID   string    `json:"key_id"`
	}{m.Origin, m.Edition, m.Time, m.KeyID}
	if err := enc.Encode(head); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	// The encoder ends each value with "}\n": reopen the head object to
	// add the parts array.
	b.Truncate(b.Len() - 2)
	b.WriteString(`,"parts":[`)
	for i, f := range m.Parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// ParseManifest reads a manifest and validates it. It does not check a
// signature: Verify does, before it believes anything here. The files
// are in the parts, which AssembleFiles reads; a manifest of the former
// format, which lists every file itself (`"files"` instead of
// `"parts"`), is read with its files.
func ParseManifest(data []byte) (*Manifest, error) {
	if looksLikeHTML(data) {
		return nil, errors.New("this is HTML, not a manifest")
	}
	// encoding/json would read bytes that are not UTF-8 as U+FFFD: a path
	// would then mean one thing to verify and another to sha256sum.
	if !utf8.Valid(data) {
		return nil, errors.New("not a manifest: not UTF-8")
	}
	var raw struct {
		Origin  string    `json:"origin"`
		Edition int64     `json:"edition"`
		Time    time.Time `json:"time"`
		KeyID   string    `json:"key_id"`
		Parts   *[]File   `json:"parts"`
		Files   *[]File   `json:"files"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a manifest: %w", err)
	}
	m := &Manifest{Origin: raw.Origin, Edition: raw.Edition, Time: raw.Time, KeyID: raw.KeyID}
	switch {
	case raw.Parts != nil && raw.Files != nil:
		return nil, errors.New("not a manifest: it lists both parts and files")
	case raw.Parts != nil:
		m.Parts = *raw.Parts
	case raw.Files != nil:
		m.Files, m.legacy = *raw.Files, true
	default:
		return nil, errors.New("not a manifest: it lists no parts")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Legacy reports whether the manifest is of the former format, which
// lists every file itself rather than in parts.
func (m *Manifest) Legacy() bool { return m.legacy }

// MarshalSums writes what SHA256SUMS holds for the manifest, in the exact
// format that `sha256sum -c` reads: "<hex>  <path>" (two spaces: text
// mode, which is binary on every system sha256sum runs on), one a line:
// the parts (whose .sums files list the site's files in the same format);
// for a manifest of the former format, every file. CheckPath has refused
// every path that sha256sum would have to escape.
func MarshalSums(m *Manifest) []byte {
	if m.legacy {
		return marshalSumsOf(m.Files)
	}
	return marshalSumsOf(m.Parts)
}

// looksLikeHTML tells a block page, a captive portal or a host's "not
// found" page from a JSON or minisign file, for a message that says what
// the mirror answered.
func looksLikeHTML(data []byte) bool {
	s := bytes.TrimLeft(data, " \t\r\n\ufeff") // a byte-order mark too
	return bytes.HasPrefix(s, []byte("<"))
}
