package sign

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signRaw writes a manifest's bytes and a signature of them as the signer
// would, without Sign's checks: what a newsroom's key would have to sign
// for a hostile manifest to reach verify's own checks.
func signRaw(t *testing.T, s *Signer, dir, prefix string, manifest []byte, comment string) {
	t.Helper()
	sig, err := signMessage(s.key, s.id, manifest, "test", comment)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, prefix+ManifestFile), string(manifest))
	mustWrite(t, filepath.Join(dir, prefix+ManifestFile+SigSuffix), string(sig.Marshal()))
}

func rawManifest(id KeyID, edition int64, files string) []byte {
	return []byte(`{"origin":"https://news.example.org","edition":` + itoa(edition) + `,"time":"2026-11-30T09:00:00Z","key_id":"` + id.String() + `","files":[` + files + `]}`)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const hashOfEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestVerifyRefusals(t *testing.T) {
	s, data := newSigner(t)
	otherSigner, _ := newSigner(t)
	// The same id with another key: a fake mirror claiming the newsroom's
	// key id, which anyone can.
	forger := &Signer{id: s.id, key: otherSigner.key, ring: s.ring}

	tests := []struct {
		name   string
		keys   func() Keyring
		opt    Options
		tamper func(t *testing.T, dir string)
		reason error
		msg    string
	}{
		{"no manifest", nil, Options{}, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ManifestFile))
		}, ErrNoManifest, "no manifest.json"},
		{"no signature", nil, Options{}, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ManifestFile+SigSuffix))
		}, ErrMalformed, "manifest.json.minisig is missing"},
		{"unknown key id", func() Keyring { return otherSigner.Keyring() }, Options{}, nil,
			ErrUnknownKey, "signed by key " + s.id.String() + ", which is not the given public key " + otherSigner.id.String()},
		{"the key id forged", nil, Options{}, func(t *testing.T, dir string) {
			e, err := forger.Sign(Manifest{Origin: testOrigin, Edition: 9, Time: t0, Files: []File{FileFor("index.html", []byte(site()["index.html"]))}})
			if err != nil {
				t.Fatal(err)
			}
			e.Write(dir, false)
		}, ErrBadSignature, "manifest.json does not match its signature by key " + s.id.String()},
		{"manifest edited after signing", nil, Options{}, func(t *testing.T, dir string) {
			name := filepath.Join(dir, ManifestFile)
			b, _ := os.ReadFile(name)
			mustWrite(t, name, strings.Replace(string(b), `"edition":5`, `"edition":6`, 1))
		}, ErrBadSignature, "manifest.json does not match its signature"},
		{"trusted comment edited", nil, Options{}, func(t *testing.T, dir string) {
			name := filepath.Join(dir, ManifestFile+SigSuffix)
			b, _ := os.ReadFile(name)
			mustWrite(t, name, strings.Replace(string(b), "edition=5", "edition=50", 1))
		}, ErrBadSignature, "the trusted comment was altered"},
		{"older edition", nil, Options{MinEdition: 6}, nil,
			ErrOldEdition, "manifest.json is edition 5, older than edition 6"},
		{"other origin", nil, Options{Origin: "https://other.example.net"}, nil,
			ErrWrongOrigin, "signed for https://news.example.org, not for https://other.example.net"},
		{"HTML instead of the manifest", nil, Options{}, func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, ManifestFile), "\n  <!DOCTYPE html><html><body>Blocked by order of</body></html>")
		}, ErrNotManifest, "manifest.json: the mirror answered an HTML page"},
		{"HTML instead of the signature", nil, Options{}, func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, ManifestFile+SigSuffix), "<html>404</html>")
		}, ErrNotManifest, "manifest.json.minisig: the mirror answered an HTML page"},
		{"huge manifest", nil, Options{MaxManifestBytes: 100}, nil,
			ErrTooLarge, "manifest.json is larger than 100 bytes"},
		{"huge signature", nil, Options{}, func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, ManifestFile+SigSuffix), strings.Repeat("A", 1<<20))
		}, ErrTooLarge, "manifest.json.minisig is larger than"},
		{"manifest not JSON", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", []byte("edition 5, trust me"), "kolokol origin=https://news.example.org edition=5 time=2026-11-30T09:00:00Z")
		}, ErrMalformed, "manifest.json is signed but refused: not a manifest"},
		{"comment not Kolokol's", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 5, ""), "timestamp:1764493200\tfile:manifest.json\thashed")
		}, ErrMalformed, "is not Kolokol's"},
		{"comment without an edition", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 5, ""), "kolokol origin=https://news.example.org time=2026-11-30T09:00:00Z")
		}, ErrMalformed, "has no edition"},
		{"manifest and comment disagree on the edition", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 4, ""), "kolokol origin=https://news.example.org edition=5 time=2026-11-30T09:00:00Z")
		}, ErrMalformed, "its edition is 4 but its signature says 5"},
		{"manifest and comment disagree on the origin", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 5, ""), "kolokol origin=https://other.example.net edition=5 time=2026-11-30T09:00:00Z")
		}, ErrMalformed, "its origin is https://news.example.org but its signature says https://other.example.net"},
		{"manifest names another key", nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(otherSigner.id, 5, ""), "kolokol origin=https://news.example.org edition=5 time=2026-11-30T09:00:00Z")
		}, ErrMalformed, "it names key " + otherSigner.id.String()},
	}
	// Each path trick a hostile (or broken) manifest could hold, signed, so
	// that only verify's own checks stand in the way.
	for _, p := range []struct{ path, msg string }{
		{"../etc/passwd", `has a ".." segment`},
		{"ru/../../x", `has a ".." segment`},
		{"/etc/passwd", "absolute path"},
		{`ru\index.html`, "has a backslash"},
		{`..\..\x`, "has a backslash"},
		{"./index.html", `has a "." segment`},
		{"ru//index.html", "empty segment"},
		{"ru/", "empty segment"},
		{"a\nb", "control character"},
		{"e3b0  x\x00", "control character"},
		{"manifest.json", "one of the export's own signed files"},
		{"kolokol.pub", "one of the export's own signed files"},
		{strings.Repeat("a", 256), "a segment of 256 bytes"},
		{"\xff.html", "not UTF-8"},
	} {
		files := `{"path":"` + strings.ReplaceAll(strings.ReplaceAll(p.path, `\`, `\\`), "\n", `\n`) + `","sha256":"` + hashOfEmpty + `","size":0}`
		files = strings.ReplaceAll(files, "\x00", `\u0000`)
		tests = append(tests, struct {
			name   string
			keys   func() Keyring
			opt    Options
			tamper func(t *testing.T, dir string)
			reason error
			msg    string
		}{"path " + p.path, nil, Options{}, func(t *testing.T, dir string) {
			signRaw(t, s, dir, "", rawManifest(s.id, 5, files), "kolokol origin=https://news.example.org edition=5 time=2026-11-30T09:00:00Z")
		}, ErrMalformed, p.msg})
	}
	for _, bad := range []struct{ name, sig, msg string }{
		{"empty", "", "line 1 is empty"},
		{"three lines", "untrusted comment: x\nRUQ=\ntrusted comment: y\n", "has 3 lines"},
		{"no untrusted comment", "x\nRUQ=\ntrusted comment: y\nAAAA\n", `does not start with "untrusted comment: "`},
		{"signature not base64", "untrusted comment: x\n!!!!\ntrusted comment: y\nAAAA\n", "not a signature (base64 of 74 bytes)"},
		{"short signature", "untrusted comment: x\nRUQ=\ntrusted comment: y\nAAAA\n", "not a signature (base64 of 74 bytes)"},
		{"unknown algorithm", "untrusted comment: x\n" + base64.StdEncoding.EncodeToString(append([]byte("Ex"), make([]byte, 72)...)) + "\ntrusted comment: y\nAAAA\n", "unsupported algorithm"},
		{"NUL in the comment", "untrusted comment: x\nRUQ=\ntrusted comment: y\x00z\nAAAA\n", "NUL byte"},
		{"blank line", "untrusted comment: x\n\nRUQ=\ntrusted comment: y\nAAAA\n", "line 2 is empty"},
	} {
		tests = append(tests, struct {
			name   string
			keys   func() Keyring
			opt    Options
			tamper func(t *testing.T, dir string)
			reason error
			msg    string
		}{"signature file " + bad.name, nil, Options{}, func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, ManifestFile+SigSuffix), bad.sig)
		}, ErrMalformed, bad.msg})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := export(t, s, 5, site())
			if tt.tamper != nil {
				tt.tamper(t, dir)
			}
			opt := tt.opt
			opt.Keys = s.Keyring()
			if tt.keys != nil {
				opt.Keys = tt.keys()
			}
			r, err := Verify(context.Background(), Dir(dir), opt)
			var refusal *Refusal
			if !errors.Is(err, tt.reason) || !errors.As(err, &refusal) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err %v\nwant a refusal for %v saying %q", err, tt.reason, tt.msg)
			}
			if r != nil {
				t.Errorf("a refused manifest gave a report: %+v", r)
			}
		})
	}

	t.Run("retired key", func(t *testing.T) {
		dir, _ := export(t, s, 5, site())
		rotated, err := RotateSigner(data, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Verify(context.Background(), Dir(dir), Options{Keys: rotated.Keyring()})
		if !errors.Is(err, ErrRetiredKey) || !strings.Contains(err.Error(), "signed by key "+s.id.String()+", which was retired on 2026-11-30T10:00:00Z") {
			t.Fatalf("err %v", err)
		}
		// The same tree re-signed by the new key verifies.
		e, err := rotated.Sign(Manifest{Origin: testOrigin, Edition: 6, Time: t0, Files: writeFiles(t, dir, site())})
		if err != nil {
			t.Fatal(err)
		}
		e.Write(dir, false)
		if r, err := Verify(context.Background(), Dir(dir), Options{Keys: rotated.Keyring()}); err != nil {
			t.Fatalf("after re-signing: %v\n%s", err, findings(r))
		}
		// Someone who still has the old key as current does not know the new.
		if _, err := Verify(context.Background(), Dir(dir), Options{Keys: s.Keyring()}); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("old keyring: %v", err)
		}
	})
}
