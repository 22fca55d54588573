package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/kolokol/kolokol"
)

// SetMirrorSecrets gives the desk where mirrors' credentials are kept
// (mirror.Keys: files in the data directory). Call it while wiring;
// without it, mirrors that need a credential cannot be added.
func (d *Desk) SetMirrorSecrets(s kolokol.MirrorSecrets) { d.secrets = s }

// canManageMirrors: only global admins. A mirror carries every service's
// pages and speaks for the whole site, and its credentials open a bucket or
// a server: a service admin would be trusted with the other services'.
func canManageMirrors(actor kolokol.Actor) error {
	if !actor.Global() {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "only a global admin manages mirrors")
	}
	return nil
}

// mirrorDetail describes a mirror for the audit log: where it is, never
// its credential.
func mirrorDetail(m *kolokol.Mirror) string {
	return fmt.Sprintf("mirror %d (%s): %s, public at %s", m.ID, m.Kind, m.Where(), m.PublicURL)
}

func (d *Desk) recordMirror(ctx context.Context, actor kolokol.Actor, action string, m *kolokol.Mirror, extra string, err error) {
	detail := mirrorDetail(m)
	if extra != "" {
		detail += "; " + extra
	}
	d.write(ctx, actor, kolokol.AuditEntry{Action: action, Target: m.Name, Detail: detail}, err)
}

// secretField is the name of a kind's credential in forms and the API.
func secretField(k kolokol.MirrorKind) string {
	if k == kolokol.MirrorSFTP {
		return "private_key"
	}
	return "secret_key"
}

// checkSecret checks a mirror's credential before anything is stored: an
// S3 secret key is one line; an SSH private key must parse, without a
// passphrase (a push runs unattended). A directory has none. Messages
// never quote the secret.
func checkSecret(m *kolokol.Mirror, secret []byte) error {
	field := secretField(m.Kind)
	switch m.Kind {
	case kolokol.MirrorDir:
		if len(secret) > 0 {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "a directory mirror takes no key")
		}
	case kolokol.MirrorS3:
		s := string(secret)
		if strings.TrimSpace(s) == "" {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "an S3 mirror needs its secret access key")
		}
		if !utf8.ValidString(s) || len(s) > 256 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "the secret access key is one word of at most 256 characters, without spaces")
		}
	case kolokol.MirrorSFTP:
		if len(secret) == 0 {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "an SFTP mirror needs the private key to sign in with")
		}
		_, err := ssh.ParsePrivateKey(secret)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "the private key is protected by a passphrase; a push runs unattended, so give a key without one (made for this mirror alone)")
		} else if err != nil {
			return kolokol.FieldErrorf(kolokol.EINVALID, field, "the private key is not a key OpenSSH can read (paste the whole file, from -----BEGIN to -----END)")
		}
	}
	return nil
}

// normalizeSecret trims what a form adds around a pasted key: an S3 key
// is one word, an SSH key a PEM file that needs its final newline.
func normalizeSecret(k kolokol.MirrorKind, secret []byte) []byte {
	s := strings.TrimSpace(strings.ReplaceAll(string(secret), "\r\n", "\n"))
	if s == "" {
		return nil
	}
	if k == kolokol.MirrorSFTP {
		s += "\n"
	}
	return []byte(s)
}

// CreateMirror adds a mirror with its credential (none for a directory).
// The mirror and its key are stored together: a key that cannot be written
// leaves no mirror behind.
func (d *Desk) CreateMirror(ctx context.Context, actor kolokol.Actor, in kolokol.Mirror, secret []byte) (_ *kolokol.Mirror, err error) {
	m := &in
	m.ID, m.Health = 0, kolokol.MirrorHealth{}
	m.Normalize()
	defer func() { d.recordMirror(ctx, actor, "mirror.create", m, "", err) }()
	if err := canManageMirrors(actor); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	secret = normalizeSecret(m.Kind, secret)
	if err := checkSecret(m, secret); err != nil {
		return nil, err
	}
	if secret != nil && d.secrets == nil {
		return nil, fmt.Errorf("create mirror %q: this desk has nowhere to keep mirror keys", m.Name)
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		if err := tx.CreateMirror(ctx, m); err != nil {
			return err
		}
		if secret == nil {
			return nil
		}
		return d.secrets.PutMirrorSecret(ctx, m.ID, secret)
	})
	if err != nil {
		if m.ID != 0 && secret != nil {
			// The transaction was rolled back: the key must not outlive it.
			d.secrets.DeleteMirrorSecret(context.WithoutCancel(ctx), m.ID)
		}
		return nil, fmt.Errorf("create mirror %q: %w", m.Name, err)
	}
	d.changed(ctx)
	return m, nil
}

// MirrorPatch changes some settings of a mirror; nil fields stay as they
// are. Its kind cannot change (its key would mean another thing). Secret,
// when not empty, replaces the stored credential.
type MirrorPatch struct {
	Name, PublicURL                             *string
	Dir                                         *string
	Endpoint, Bucket, Prefix, Region, AccessKey *string
	TLS                                         *bool
	Host, User, RemotePath, HostKey             *string
	Port                                        *int
	Secret                                      []byte
}

// Apply sets the fields p gives on m.
func (p MirrorPatch) Apply(m *kolokol.Mirror) {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&m.Name, p.Name}, {&m.PublicURL, p.PublicURL}, {&m.Dir, p.Dir}, {&m.Endpoint, p.Endpoint}, {&m.Bucket, p.Bucket},
		{&m.Prefix, p.Prefix}, {&m.Region, p.Region}, {&m.AccessKey, p.AccessKey}, {&m.Host, p.Host}, {&m.User, p.User},
		{&m.RemotePath, p.RemotePath}, {&m.HostKey, p.HostKey}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if p.TLS != nil {
		m.TLS = *p.TLS
	}
	if p.Port != nil {
		m.Port = *p.Port
	}
}

// UpdateMirror changes a live mirror's settings, and its key when one is
// given.
func (d *Desk) UpdateMirror(ctx context.Context, actor kolokol.Actor, id int64, p MirrorPatch) (_ *kolokol.Mirror, err error) {
	m := &kolokol.Mirror{ID: id}
	extra := ""
	defer func() { d.recordMirror(ctx, actor, "mirror.update", m, extra, err) }()
	if err := canManageMirrors(actor); err != nil {
		return nil, err
	}
	found, err := d.store.FindMirrorByID(ctx, id)
	if err != nil {
		return nil, err
	}
	m = found
	p.Apply(m)
	m.Normalize()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	secret := normalizeSecret(m.Kind, p.Secret)
	if secret != nil {
		if err := checkSecret(m, secret); err != nil {
			return nil, err
		}
		if d.secrets == nil {
			return nil, fmt.Errorf("update mirror %d: this desk has nowhere to keep mirror keys", id)
		}
		extra = "key replaced"
	}
	if err := d.store.UpdateMirror(ctx, m); err != nil {
		return nil, fmt.Errorf("update mirror %d: %w", id, err)
	}
	d.changed(ctx)
	if secret != nil {
		if err := d.secrets.PutMirrorSecret(ctx, id, secret); err != nil {
			extra = "key not replaced"
			return nil, fmt.Errorf("update mirror %d: its settings were saved but its new key was not: %w", id, err)
		}
	}
	return m, nil
}

// RetireMirror stops pushing to a mirror and listing it (it was blocked,
// or its host gave up), and removes its key, which nothing needs any
// more. Retiring twice keeps the first time.
func (d *Desk) RetireMirror(ctx context.Context, actor kolokol.Actor, id int64) (_ *kolokol.Mirror, err error) {
	m := &kolokol.Mirror{ID: id}
	defer func() { d.recordMirror(ctx, actor, "mirror.retire", m, "", err) }()
	if err := canManageMirrors(actor); err != nil {
		return nil, err
	}
	found, err := d.store.FindMirrorByID(ctx, id)
	if err != nil {
		return nil, err
	}
	m = found
	if err := d.store.RetireMirror(ctx, id, d.now().UTC()); err != nil {
		return nil, fmt.Errorf("retire mirror %d: %w", id, err)
	}
	d.changed(ctx)
	if d.secrets != nil {
		if err := d.secrets.DeleteMirrorSecret(ctx, id); err != nil && d.log != nil {
			d.log.Error("remove a retired mirror's key", "mirror", id, "err", err)
		}
	}
	return d.store.FindMirrorByID(ctx, id)
}

// Mirrors lists every mirror, retired ones too, with their health.
func (d *Desk) Mirrors(ctx context.Context, actor kolokol.Actor) ([]*kolokol.Mirror, error) {
	if err := canManageMirrors(actor); err != nil {
		return nil, err
	}
	return d.store.FindMirrors(ctx)
}

// Mirror returns one mirror.
func (d *Desk) Mirror(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.Mirror, error) {
	if err := canManageMirrors(actor); err != nil {
		return nil, err
	}
	return d.store.FindMirrorByID(ctx, id)
}
