package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	cryptotls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/kolokol/kolokol/internal/realpart"
)

// testDKIM makes a new key in a temporary folder and loads it.
func testDKIM(t testing.TB) *DKIM {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dkim.pem")
	rec, err := GenerateDKIM(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := LoadDKIM(file, "news.example.org", "k2026")
	if err != nil {
		t.Fatal(err)
	}
	if d.Record() != rec {
		t.Fatalf("the loaded key's record differs from the generated one")
	}
	return d
}

// verifyDKIM checks the mail's one DKIM signature against d's record.
func verifyDKIM(t testing.TB, d *DKIM, raw []byte) error {
	t.Helper()
	lookup := func(name string) ([]string, error) {
		if name != d.Selector()+"._domainkey."+d.Domain() {
			t.Errorf("verifier looked up %q", name)
		}
		return []string{d.Record()}, nil
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil {
		return err
	}
	if len(vs) != 1 {
		t.Fatalf("%d DKIM signatures, want 1", len(vs))
	}
	if vs[0].Domain != d.Domain() {
		t.Errorf("signature of %q, want %q", vs[0].Domain, d.Domain())
	}
	return vs[0].Err
}

func TestSendMailpit(t *testing.T) {
	mp := realpart.StartMailpit(t)
	relay, err := ParseRelay("smtp://" + mp.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	d := testDKIM(t)
	s := &Sender{Relay: relay, DKIM: d, Retries: 2, Backoff: 10 * time.Millisecond}
	ctx := context.Background()
	sent := map[string]*Message{}
	for _, m := range []*Message{english(), persian()} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatalf("send %s: %v", m.Lang, err)
		}
		sent[m.MessageID] = m
	}
	got := mp.Messages(t)
	if len(got) != len(sent) {
		t.Fatalf("mailpit holds %d mails, want %d", len(got), len(sent))
	}
	for _, g := range got {
		raw := mp.Raw(t, g.ID)
		p := parse(t, raw)
		m := sent[p.header.Get("Message-Id")]
		if m == nil {
			t.Fatalf("mailpit holds a mail we did not send: %s", raw)
		}
		if g.Subject != m.Subject || g.From != m.From.Address || len(g.To) != 1 || g.To[0] != m.To.Address {
			t.Errorf("mailpit lists %+v for %s", g, m.MessageID)
		}
		checkBuilt(t, m, raw)
		if err := verifyDKIM(t, d, raw); err != nil {
			t.Errorf("%s: DKIM signature as received does not verify: %v", m.Lang, err)
		}
		if !strings.HasPrefix(string(raw), "DKIM-Signature:") && !strings.Contains(string(raw), "\r\nDKIM-Signature:") {
			t.Errorf("%s: no DKIM-Signature as received", m.Lang)
		}
	}
}

// TestSendMailpitAuth: a relay that requires AUTH takes mail with the
// right password, given in the URL or in a file, and refuses for good
// the wrong one or none.
func TestSendMailpitAuth(t *testing.T) {
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth")
	if err := os.WriteFile(authFile, []byte("news:right-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(dir, "password")
	if err := os.WriteFile(passFile, []byte("right-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mp := realpart.StartMailpit(t, "--smtp-auth-file", authFile, "--smtp-auth-allow-insecure")
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"right password", "smtp://news:right-pass@" + mp.SMTP, true},
		{"password file", "smtp://news@" + mp.SMTP + "?password-file=" + passFile, true},
		{"wrong password", "smtp://news:wrong-pass@" + mp.SMTP, false},
		{"wrong user", "smtp://editor:right-pass@" + mp.SMTP, false},
		{"no user", "smtp://" + mp.SMTP, false},
	}
	want := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			relay, err := ParseRelay(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer relay.Close()
			s := &Sender{Relay: relay, Retries: 2, Backoff: time.Millisecond}
			err = s.Send(context.Background(), english())
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				want++
				return
			}
			if err == nil {
				t.Fatal("the relay took the mail")
			}
			if !IsPermanent(err) {
				t.Errorf("refused credentials are retried: %v", err)
			}
			if !strings.Contains(err.Error(), "attempt 1 of 3") {
				t.Errorf("error %q: want the first attempt to be the last", err)
			}
			if strings.Contains(err.Error(), "pass") && strings.Contains(err.Error(), "wrong-pass") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	if got := len(mp.Messages(t)); got != want {
		t.Errorf("mailpit holds %d mails, want %d", got, want)
	}
}

// testCert makes a CA-less self-signed certificate for 127.0.0.1 and
// writes it and its key as PEM files.
func testCert(t testing.TB) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// TestSendMailpitTLS: STARTTLS is used when offered (and the relay's
// certificate checked), and smtps speaks TLS from the first byte; AUTH
// goes over TLS only.
func TestSendMailpitTLS(t *testing.T) {
	certFile, keyFile, roots := testCert(t)
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth")
	if err := os.WriteFile(authFile, []byte("news:right-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tls := []string{"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-auth-file", authFile}
	tests := []struct {
		name    string
		scheme  string
		flag    string
		trusted bool
	}{
		{"starttls", "smtp", "--smtp-require-starttls", true},
		{"smtps", "smtps", "--smtp-require-tls", true},
		{"starttls untrusted certificate", "smtp", "--smtp-require-starttls", false},
		{"smtps untrusted certificate", "smtps", "--smtp-require-tls", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp := realpart.StartMailpit(t, append(tls, tt.flag)...)
			relay, err := ParseRelay(tt.scheme + "://news:right-pass@" + mp.SMTP)
			if err != nil {
				t.Fatal(err)
			}
			defer relay.Close()
			if tt.trusted {
				relay.tlsConfig = &cryptotls.Config{RootCAs: roots, MinVersion: cryptotls.VersionTLS12}
			}
			s := &Sender{Relay: relay}
			err = s.Send(context.Background(), persian())
			if !tt.trusted {
				var ce *cryptotls.CertificateVerificationError
				if !errors.As(err, &ce) {
					t.Fatalf("Send to an untrusted certificate: %v, want a certificate error", err)
				}
				if n := len(mp.Messages(t)); n != 0 {
					t.Errorf("mailpit holds %d mails", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := mp.Messages(t)
			if len(got) != 1 {
				t.Fatalf("mailpit holds %d mails, want 1", len(got))
			}
			checkBuilt(t, persian(), mp.Raw(t, got[0].ID))
		})
	}
}
