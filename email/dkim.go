package email

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/kolokol/kolokol/internal/secretfile"
)

// DKIM signs mails for one domain with one selector's key (RFC 6376;
// Ed25519 keys per RFC 8463).
type DKIM struct {
	domain   string
	selector string
	key      crypto.Signer
	record   string
}

// signedHeaders are the fields a signature covers. Each is named twice
// ("oversigned"): a field named once more than the mail holds signs its
// absence, so no one on the way can add a second Subject, or a
// List-Unsubscribe to a mail that had none, without breaking the
// signature.
var signedHeaders = func() []string {
	h := []string{
		"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
		"Content-Type", "Content-Language", "List-Id", "List-Unsubscribe",
		"List-Unsubscribe-Post",
	}
	return append(h, h...)
}()

// minRSABits: RFC 8301 forbids shorter keys for signing and receivers
// ignore signatures made with them.
const minRSABits = 2048

// LoadDKIM reads a PEM private key (PKCS#1 or PKCS#8 RSA of at least
// 2048 bits, or PKCS#8 Ed25519) from keyFile, which no one but its owner
// may read.
func LoadDKIM(keyFile, domain, selector string) (*DKIM, error) {
	if err := checkDomain(domain); err != nil {
		return nil, fmt.Errorf("load DKIM key: domain %q: %v", domain, err)
	}
	if err := checkSelector(selector); err != nil {
		return nil, fmt.Errorf("load DKIM key: %w", err)
	}
	raw, err := secretfile.Read(keyFile, 64<<10)
	if err != nil {
		return nil, fmt.Errorf("load DKIM key: %w", err)
	}
	key, err := parseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("load DKIM key %s: %w", keyFile, err)
	}
	rec, err := record(key)
	if err != nil {
		return nil, fmt.Errorf("load DKIM key %s: %w", keyFile, err)
	}
	return &DKIM{domain: domain, selector: selector, key: key, record: rec}, nil
}

// checkSelector accepts one or more DNS labels.
func checkSelector(s string) error {
	if s == "" {
		return errors.New("DKIM selector is empty")
	}
	if err := checkDomain(s); err != nil {
		return fmt.Errorf("DKIM selector %q is not DNS labels: %v", s, err)
	}
	return nil
}

func parseKey(raw []byte) (crypto.Signer, error) {
	block, rest := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block in the file")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("more than one PEM block in the file")
	}
	var parsed any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block is %q, not \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	switch k := parsed.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("RSA key has %d bits; DKIM needs at least %d", bits, minRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("key is a %T; DKIM takes RSA or Ed25519", parsed)
	}
}

// GenerateDKIM writes a new RSA-2048 key to keyFile (mode 0600; an
// existing file is never overwritten) and returns the TXT record value to
// publish at <selector>._domainkey.<domain>.
func GenerateDKIM(keyFile string) (dnsRecord string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("generate DKIM key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("generate DKIM key: %w", err)
	}
	if err := writeNewSecret(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return "", fmt.Errorf("generate DKIM key: %w", err)
	}
	return record(key)
}

// writeNewSecret writes b to path only if nothing is there, and never
// leaves a partly written key at path: the bytes go to a temporary file
// (created 0600) that is then linked into place.
func writeNewSecret(path string, b []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s exists; refusing to overwrite a key", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dkim-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("put key in place: %w", err)
	}
	return nil
}

// Record returns the TXT record value that publishes this key's public
// half ("v=DKIM1; k=rsa; p=…").
func (d *DKIM) Record() string { return d.record }

// Domain and Selector say where the record goes:
// Selector()._domainkey.Domain().
func (d *DKIM) Domain() string   { return d.domain }
func (d *DKIM) Selector() string { return d.selector }

func record(key crypto.Signer) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return "", fmt.Errorf("encode DKIM public key: %w", err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PrivateKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey)), nil
	}
	return "", fmt.Errorf("DKIM key is a %T", key)
}

// Sign returns msg with a DKIM-Signature field in front (relaxed/relaxed,
// SHA-256).
func (d *DKIM) Sign(msg []byte) ([]byte, error) {
	if !bytes.Contains(msg, []byte("\r\n\r\n")) {
		return nil, errors.New("DKIM sign: the mail has no header/body separator")
	}
	opts := &dkim.SignOptions{
		Domain:                 d.domain,
		Selector:               d.selector,
		Signer:                 d.key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	}
	var out bytes.Buffer
	out.Grow(len(msg) + 1024)
	if err := dkim.Sign(&out, bytes.NewReader(msg), opts); err != nil {
		return nil, fmt.Errorf("DKIM sign for %s: %w", d.domain, err)
	}
	return out.Bytes(), nil
}

// String names the key without showing it.
func (d *DKIM) String() string {
	kind := "rsa"
	if _, ok := d.key.(ed25519.PrivateKey); ok {
		kind = "ed25519"
	}
	return strings.Join([]string{d.selector, "._domainkey.", d.domain, " (", kind, ")"}, "")
}
