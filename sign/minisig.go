package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// Signature is a detached signature in minisign's format, four lines:
//
//	untrusted comment: <anything; not signed>
//	base64(algorithm || key id || Ed25519 signature of the file)
//	trusted comment: <text, signed below>
//	base64(Ed25519 signature of (the signature above || the trusted comment))
//
// The algorithm is "ED" when the file's BLAKE2b-512 was signed (minisign's
// default since 0.10, and the one Kolokol writes) or "Ed" when the file
// itself was (legacy; still verified, as `minisign -V` does without -H).
type Signature struct {
	Algorithm        string
	KeyID            KeyID
	Sig              [ed25519.SignatureSize]byte
	UntrustedComment string
	TrustedComment   string
	GlobalSig        [ed25519.SignatureSize]byte
}

const (
	trustedHead = "trusted comment: "
	sigBlob     = 2 + keyIDSize + ed25519.SignatureSize
	// minisign reads the trusted comment line into 8,192 bytes, prefix,
	// line break and the C string's end included, and refuses to sign a
	// longer one.
	maxTrustedComment = 8192 - len(trustedHead) - 2
	// A signature file is four short lines; this bounds what verify reads.
	maxSignatureBytes = maxCommentLine + maxTrustedComment + 2*sigBlob + 64
)

// Marshal writes the signature file.
func (s *Signature) Marshal() []byte {
	blob := make([]byte, 0, sigBlob)
	blob = append(blob, s.Algorithm...)
	blob = append(blob, s.KeyID[:]...)
	blob = append(blob, s.Sig[:]...)
	var b bytes.Buffer
	b.WriteString(commentHead + s.UntrustedComment + "\n")
	b.WriteString(base64.StdEncoding.EncodeToString(blob) + "\n")
	b.WriteString(trustedHead + s.TrustedComment + "\n")
	b.WriteString(base64.StdEncoding.EncodeToString(s.GlobalSig[:]) + "\n")
	return b.Bytes()
}

// ParseSignature reads a signature file. It checks the form only;
// PublicKey.Verify checks the signatures.
func ParseSignature(data []byte) (*Signature, error) {
	if len(data) > maxSignatureBytes {
		return nil, fmt.Errorf("signature file of %d bytes (at most %d)", len(data), maxSignatureBytes)
	}
	if looksLikeHTML(data) {
		return nil, errors.New("this is HTML, not a signature")
	}
	lines, err := splitLines(data)
	if err != nil {
		return nil, fmt.Errorf("signature file: %w", err)
	}
	if len(lines) != 4 {
		return nil, fmt.Errorf("signature file has %d lines, not 4", len(lines))
	}
	var s Signature
	switch {
	case !strings.HasPrefix(lines[0], commentHead):
		return nil, fmt.Errorf("signature file: the first line does not start with %q", commentHead)
	case len(lines[0]) > maxCommentLine:
		return nil, fmt.Errorf("signature file: untrusted comment longer than %d bytes", maxCommentLine)
	case !strings.HasPrefix(lines[2], trustedHead):
		return nil, fmt.Errorf("signature file: the third line does not start with %q", trustedHead)
	case len(lines[2])-len(trustedHead) > maxTrustedComment:
		return nil, fmt.Errorf("signature file: trusted comment longer than %d bytes", maxTrustedComment)
	}
	s.UntrustedComment = lines[0][len(commentHead):]
	s.TrustedComment = lines[2][len(trustedHead):]
	blob, err := base64.StdEncoding.Strict().DecodeString(lines[1])
	if err != nil || len(blob) != sigBlob {
		return nil, errors.New("signature file: the second line is not a signature (base64 of 74 bytes)")
	}
	s.Algorithm = string(blob[:2])
	if s.Algorithm != algPrehash && s.Algorithm != algEd {
		return nil, fmt.Errorf("signature file: unsupported algorithm %q", s.Algorithm)
	}
	copy(s.KeyID[:], blob[2:2+keyIDSize])
	copy(s.Sig[:], blob[2+keyIDSize:])
	global, err := base64.StdEncoding.Strict().DecodeString(lines[3])
	if err != nil || len(global) != ed25519.SignatureSize {
		return nil, errors.New("signature file: the fourth line is not a signature (base64 of 64 bytes)")
	}
	copy(s.GlobalSig[:], global)
	return &s, nil
}

// ErrBadSignature is a signature that does not verify.
var ErrBadSignature = errors.New("signature verification failed")

// Verify checks both of minisign's signatures: the file's, then the
// trusted comment's. The key ids must agree first, as in minisign.
func (k PublicKey) Verify(message []byte, s *Signature) error {
	if s.KeyID != k.ID {
		return fmt.Errorf("signed by key %s, not by key %s", s.KeyID, k.ID)
	}
	signed := message
	if s.Algorithm == algPrehash {
		h := blake2b.Sum512(message)
		signed = h[:]
	}
	if !ed25519.Verify(k.Key, signed, s.Sig[:]) {
		return ErrBadSignature
	}
	if !ed25519.Verify(k.Key, globalMessage(s), s.GlobalSig[:]) {
		return fmt.Errorf("%w: the trusted comment was altered", ErrBadSignature)
	}
	return nil
}

// globalMessage is what minisign's second signature covers: the file's
// signature followed by the trusted comment, so the comment cannot be
// moved to another signature nor changed.
func globalMessage(s *Signature) []byte {
	m := make([]byte, 0, len(s.Sig)+len(s.TrustedComment))
	m = append(m, s.Sig[:]...)
	return append(m, s.TrustedComment...)
}

// signMessage signs as minisign 0.11 does by default (prehashed, "ED").
func signMessage(priv ed25519.PrivateKey, id KeyID, message []byte, untrusted, trusted string) (*Signature, error) {
	if strings.ContainsAny(untrusted+trusted, "\r\n\x00") || len(commentHead+untrusted) > maxCommentLine || len(trusted) > maxTrustedComment {
		return nil, errors.New("sign: a comment is not one short line")
	}
	h := blake2b.Sum512(message)
	s := &Signature{Algorithm: algPrehash, KeyID: id, UntrustedComment: untrusted, TrustedComment: trusted}
	copy(s.Sig[:], ed25519.Sign(priv, h[:]))
	copy(s.GlobalSig[:], ed25519.Sign(priv, globalMessage(s)))
	return s, nil
}
