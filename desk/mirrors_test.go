package desk

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/mirror"
)

// mirrorFixture is a desk whose mirror keys live in a real folder.
func mirrorFixture(t *testing.T) (*fixture, string) {
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "mirrors")
	f.d.SetMirrorSecrets(mirror.Keys{Dir: dir})
	return f, dir
}

func privateKey(t *testing.T, passphrase string) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

const testHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

func s3Mirror(name string) kolokol.Mirror {
	return kolokol.Mirror{Name: name, Kind: kolokol.MirrorS3, PublicURL: "https://b.example.net/", Endpoint: "s3.example.net",
		Bucket: "news", TLS: true, AccessKey: "AKIA1"}
}

func sftpMirror(name string) kolokol.Mirror {
	return kolokol.Mirror{Name: name, Kind: kolokol.MirrorSFTP, PublicURL: "https://m.example.org/", Host: "m.example.org",
		User: "kolokol", RemotePath: "/srv/www", HostKey: testHostKey}
}

func TestCreateMirror(t *testing.T) {
	key := privateKey(t, "")
	tests := []struct {
		name   string
		actor  kolokol.Actor
		m      kolokol.Mirror
		secret []byte
		code   string // "" for success
		field  string
	}{
		{"s3", admin, s3Mirror("Frankfurt"), []byte(" wJalrXUtnFEMI/K7MDENG \n"), "", ""},
		{"sftp", admin, sftpMirror("Rented server"), key, "", ""},
		{"sftp key pasted with CRLF", admin, sftpMirror("Pasted"), []byte(strings.ReplaceAll(string(key), "\n", "\r\n")), "", ""},
		{"dir", admin, kolokol.Mirror{Name: "USB", Kind: kolokol.MirrorDir, PublicURL: "http://usb.example/", Dir: "/media/usb"}, nil, "", ""},
		{"service admin", adminRU, s3Mirror("x"), []byte("secret"), kolokol.EFORBIDDEN, ""},
		{"editor", editorRU, s3Mirror("x"), []byte("secret"), kolokol.EFORBIDDEN, ""},
		{"s3 without its secret", admin, s3Mirror("x"), nil, kolokol.EINVALID, "secret_key"},
		{"s3 secret with a space", admin, s3Mirror("x"), []byte("two words"), kolokol.EINVALID, "secret_key"},
		{"sftp without a key", admin, sftpMirror("x"), nil, kolokol.EINVALID, "private_key"},
		{"sftp key with a passphrase", admin, sftpMirror("x"), privateKey(t, "pass"), kolokol.EINVALID, "private_key"},
		{"sftp key that is no key", admin, sftpMirror("x"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), kolokol.EINVALID, "private_key"},
		{"dir with a key", admin, kolokol.Mirror{Name: "x", Kind: kolokol.MirrorDir, PublicURL: "http://x.example/", Dir: "/x"}, []byte("k"), kolokol.EINVALID, "secret_key"},
		{"bad host key", admin, func() kolokol.Mirror { m := sftpMirror("x"); m.HostKey = "ssh-ed25519 notbase64"; return m }(), key, kolokol.EINVALID, "host_key"},
		{"no public address", admin, func() kolokol.Mirror { m := s3Mirror("x"); m.PublicURL = ""; return m }(), []byte("s"), kolokol.EINVALID, "public_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, dir := mirrorFixture(t)
			m, err := f.d.CreateMirror(t.Context(), tt.actor, tt.m, tt.secret)
			stored, lerr := f.store.FindMirrors(t.Context())
			if lerr != nil {
				t.Fatal(lerr)
			}
			keys, _ := os.ReadDir(dir)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if m != nil || len(stored) != 0 || len(keys) != 0 {
					t.Fatalf("a refused mirror was stored: %+v, %d stored, %d keys", m, len(stored), len(keys))
				}
				denied := f.audit(t, kolokol.AuditFilter{Action: "mirror.create.denied"})
				if (tt.code == kolokol.EFORBIDDEN) != (len(denied) == 1) {
					t.Errorf("refused with %s; denied entries %+v", tt.code, denied)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0].ID != m.ID {
				t.Fatalf("stored %+v", stored)
			}
			entries := f.audit(t, kolokol.AuditFilter{Action: "mirror.create"})
			if len(entries) != 1 || entries[0].Actor != tt.actor.Name || entries[0].Target != m.Name || !strings.Contains(entries[0].Detail, string(m.Kind)) {
				t.Fatalf("audit %+v", entries)
			}
			secret, err := mirror.Keys{Dir: dir}.MirrorSecret(t.Context(), m.ID)
			if tt.secret == nil {
				wantErr(t, err, kolokol.ENOTFOUND, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(secret)) != strings.TrimSpace(strings.ReplaceAll(string(tt.secret), "\r\n", "\n")) {
				t.Errorf("stored key %q", secret)
			}
			if strings.Contains(entries[0].Detail, strings.TrimSpace(string(secret))) {
				t.Errorf("the audit log holds the secret: %q", entries[0].Detail)
			}
			fi, err := os.Stat(filepath.Join(dir, keys[0].Name()))
			di, derr := os.Stat(dir)
			if err != nil || derr != nil || fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
				t.Errorf("key file %v (%v), folder %v (%v)", fi.Mode(), err, di.Mode(), derr)
			}
			if m.Kind == kolokol.MirrorSFTP {
				if _, err := ssh.ParsePrivateKey(secret); err != nil {
					t.Errorf("the stored key does not parse: %v", err)
				}
			}
		})
	}
}

// TestMirrorLifecycle: an edit changes settings and, when one is given,
// the key; a retired mirror loses its key, is not edited again, and each
// step is audited and logged as a change readers see.
func TestMirrorLifecycle(t *testing.T) {
	f, dir := mirrorFixture(t)
	ctx := t.Context()
	keys := mirror.Keys{Dir: dir}
	m, err := f.d.CreateMirror(ctx, admin, s3Mirror("Frankfurt"), []byte("first"))
	if err != nil {
		t.Fatal(err)
	}
	_, before, _ := f.store.ChangeBounds(ctx)

	name, url := "Frankfurt 2", "https://cdn.example.net/news/"
	m, err = f.d.UpdateMirror(ctx, admin, m.ID, MirrorPatch{Name: &name, PublicURL: &url})
	if err != nil || m.Name != name || m.PublicURL != url || m.AccessKey != "AKIA1" {
		t.Fatalf("update: %+v %v", m, err)
	}
	if s, _ := keys.MirrorSecret(ctx, m.ID); string(s) != "first" {
		t.Errorf("an edit without a key changed it: %q", s)
	}
	if _, err := f.d.UpdateMirror(ctx, admin, m.ID, MirrorPatch{Secret: []byte("second")}); err != nil {
		t.Fatal(err)
	}
	if s, _ := keys.MirrorSecret(ctx, m.ID); string(s) != "second" {
		t.Errorf("the key was not replaced: %q", s)
	}
	bad := "HTTP://"
	_, err = f.d.UpdateMirror(ctx, admin, m.ID, MirrorPatch{PublicURL: &bad})
	wantErr(t, err, kolokol.EINVALID, "public_url")
	_, err = f.d.UpdateMirror(ctx, adminRU, m.ID, MirrorPatch{Name: &name})
	wantErr(t, err, kolokol.EFORBIDDEN, "")
	_, err = f.d.UpdateMirror(ctx, admin, 999, MirrorPatch{Name: &name})
	wantErr(t, err, kolokol.ENOTFOUND, "")

	_, err = f.d.RetireMirror(ctx, adminRU, m.ID)
	wantErr(t, err, kolokol.EFORBIDDEN, "")
	retired, err := f.d.RetireMirror(ctx, admin, m.ID)
	if err != nil || retired.Live() {
		t.Fatalf("retire: %+v %v", retired, err)
	}
	_, err = keys.MirrorSecret(ctx, m.ID)
	wantErr(t, err, kolokol.ENOTFOUND, "")
	_, err = f.d.UpdateMirror(ctx, admin, m.ID, MirrorPatch{Name: &name})
	wantErr(t, err, kolokol.ECONFLICT, "")
	if again, err := f.d.RetireMirror(ctx, admin, m.ID); err != nil || !again.RetiredAt.Equal(retired.RetiredAt) {
		t.Errorf("retire again: %+v %v", again, err)
	}

	changes, err := f.store.FindChanges(ctx, before, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 { // two edits, one retirement
		t.Errorf("%d changes logged", len(changes))
	}
	for _, c := range changes {
		if c.Kind != kolokol.ChangeMirrors {
			t.Errorf("change %+v", c)
		}
	}
	for _, action := range []string{"mirror.update", "mirror.retire", "mirror.update.denied", "mirror.retire.denied"} {
		if es := f.audit(t, kolokol.AuditFilter{Action: action}); len(es) == 0 {
			t.Errorf("no %s in the audit log", action)
		}
	}
	for _, e := range f.audit(t, kolokol.AuditFilter{}) {
		if strings.Contains(e.Detail, "second") || strings.Contains(e.Detail, "first") {
			t.Errorf("a key in the audit log: %+v", e)
		}
	}

	if _, err := f.d.Mirrors(ctx, adminRU); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Errorf("a service admin listed mirrors: %v", err)
	}
	list, err := f.d.Mirrors(ctx, admin)
	if err != nil || len(list) != 1 {
		t.Errorf("list: %v %v", list, err)
	}
}

// TestCreateMirrorWithoutKeys: a desk with nowhere to keep keys refuses
// mirrors that need one, and stores nothing.
func TestCreateMirrorWithoutKeys(t *testing.T) {
	f := newFixture(t)
	if _, err := f.d.CreateMirror(t.Context(), admin, s3Mirror("x"), []byte("k")); err == nil {
		t.Fatal("created a mirror whose key has nowhere to go")
	}
	if l, _ := f.store.FindMirrors(t.Context()); len(l) != 0 {
		t.Errorf("stored %d", len(l))
	}
}
