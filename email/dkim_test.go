package email

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeKey(t testing.TB, dir, name string, mode os.FileMode, blocks ...*pem.Block) string {
	t.Helper()
	var b []byte
	for _, blk := range blocks {
		b = append(b, pem.EncodeToMemory(blk)...)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func pkcs8(t testing.TB, key any) *pem.Block {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &pem.Block{Type: "PRIVATE KEY", Bytes: der}
}

func TestGenerateDKIM(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dkim.pem")
	rec, err := GenerateDKIM(file)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	p, ok := strings.CutPrefix(rec, "v=DKIM1; k=rsa; p=")
	if !ok {
		t.Fatalf("record %q", rec)
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := pub.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("record holds a %T, want RSA-2048", pub)
	}
	before, _ := os.ReadFile(file)
	if _, err := GenerateDKIM(file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second GenerateDKIM on the same file: %v, want a refusal", err)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Errorf("the existing key was changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("%d files left in the folder, want the key alone", len(entries))
	}
	if _, err := GenerateDKIM(filepath.Join(t.TempDir(), "missing", "dkim.pem")); err == nil {
		t.Errorf("GenerateDKIM into a missing folder succeeded")
	}
}

func TestLoadDKIM(t *testing.T) {
	dir := t.TempDir()
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsa2048)}
	tests := []struct {
		name     string
		file     string
		domain   string
		selector string
		kind     string // k= of the record, "" when refused
		err      string
	}{
		{"pkcs1 rsa", writeKey(t, dir, "pkcs1", 0o600, pkcs1), "news.example.org", "k1", "rsa", ""},
		{"pkcs8 rsa", writeKey(t, dir, "pkcs8", 0o400, pkcs8(t, rsa2048)), "news.example.org", "k1", "rsa", ""},
		{"ed25519", writeKey(t, dir, "ed", 0o600, pkcs8(t, ed)), "news.example.org", "ed.2026", "ed25519", ""},
		{"group readable", writeKey(t, dir, "g", 0o640, pkcs1), "news.example.org", "k1", "", "chmod 600"},
		{"world readable", writeKey(t, dir, "w", 0o644, pkcs1), "news.example.org", "k1", "", "lets others read"},
		{"short rsa", writeKey(t, dir, "short", 0o600, pkcs8(t, rsa1024)), "news.example.org", "k1", "", "at least 2048"},
		{"ecdsa", writeKey(t, dir, "ec", 0o600, pkcs8(t, ec)), "news.example.org", "k1", "", "RSA or Ed25519"},
		{"two blocks", writeKey(t, dir, "two", 0o600, pkcs1, pkcs1), "news.example.org", "k1", "", "more than one"},
		{"certificate", writeKey(t, dir, "cert", 0o600, &pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "news.example.org", "k1", "", "not \"PRIVATE KEY\""},
		{"garbage", writeKey(t, dir, "garbage", 0o600, &pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")}), "news.example.org", "k1", "", "parse private key"},
		{"missing", filepath.Join(dir, "none"), "news.example.org", "k1", "", "no such file"},
		{"bad domain", filepath.Join(dir, "pkcs1"), "news example.org", "k1", "", "domain"},
		{"bad selector", filepath.Join(dir, "pkcs1"), "news.example.org", "k1;x", "", "selector"},
		{"empty selector", filepath.Join(dir, "pkcs1"), "news.example.org", "", "", "selector"},
	}
	if err := os.WriteFile(filepath.Join(dir, "plain"), []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests = append(tests, struct {
		name, file, domain, selector, kind, err string
	}{"not pem", filepath.Join(dir, "plain"), "news.example.org", "k1", "", "no PEM block"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadDKIM(tt.file, tt.domain, tt.selector)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("LoadDKIM: %v, want an error saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(d.Record(), "v=DKIM1; k="+tt.kind+"; p=") {
				t.Errorf("record %q", d.Record())
			}
			raw, err := english().Build()
			if err != nil {
				t.Fatal(err)
			}
			signed, err := d.Sign(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyDKIM(t, d, signed); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
		})
	}
}

// TestDKIMTamper: a signed mail changed on the way fails verification.
func TestDKIMTamper(t *testing.T) {
	d := testDKIM(t)
	build := func(m *Message) []byte {
		raw, err := m.Build()
		if err != nil {
			t.Fatal(err)
		}
		signed, err := d.Sign(raw)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	list := build(persian())
	confirm := persian()
	confirm.ListID, confirm.Unsubscribe = "", ""
	oneOff := build(confirm)
	if err := verifyDKIM(t, d, list); err != nil {
		t.Fatalf("untouched mail does not verify: %v", err)
	}
	if err := verifyDKIM(t, d, oneOff); err != nil {
		t.Fatalf("untouched mail without a list does not verify: %v", err)
	}
	tests := []struct {
		name string
		mail []byte
		edit func(b []byte) []byte
	}{
		{"subject", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nSubject: "), []byte("\r\nSubject: Re: "), 1)
		}},
		{"body", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("=D8=AE=D8=A8=D8=B1 =D8=A7=D9=88=D9=84"), []byte("=D8=AE=D8=A8=D8=B1 =D8=AF=D9=88=D9=85"), 1)
		}},
		{"unsubscribe", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("https://news.example.org/fa/unsubscribe/tok123"), []byte("https://evil.example/fa/unsubscribe/tok123"), 1)
		}},
		{"to", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("<reader@example.net>"), []byte("<other@example.net>"), 1)
		}},
		{"added list-unsubscribe", oneOff, func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nContent-Language:"), []byte("\r\nList-Unsubscribe: <https://evil.example/>\r\nContent-Language:"), 1)
		}},
		{"prepended subject", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nDate:"), []byte("\r\nSubject: Click here\r\nDate:"), 1)
		}},
		{"second subject", list, func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nContent-Language:"), []byte("\r\nSubject: Click here\r\nContent-Language:"), 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := tt.edit(bytes.Clone(tt.mail))
			if bytes.Equal(changed, tt.mail) {
				t.Fatal("the edit changed nothing")
			}
			if err := verifyDKIM(t, d, changed); err == nil {
				t.Errorf("a mail with a changed %s still verifies", tt.name)
			}
		})
	}
	if _, err := d.Sign([]byte("Subject: no body")); err == nil {
		t.Errorf("Sign took a mail with no header/body separator")
	}
}
