package kolokol

import (
	"strings"
	"time"
)

// Passkey is a WebAuthn credential an account signs in with instead of a
// TOTP code. Credential is the WebAuthn library's record of it (public key,
// sign count, flags), opaque to the store; only the public half of the key
// ever reaches the server.
type Passkey struct {
	ID         string // the credential id, base64url
	UserID     int64
	Name       string // what the person called it ("work laptop")
	Credential []byte // JSON
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// MaxPasskeys is how many passkeys one account may have.
const MaxPasskeys = 10

// Validate checks a passkey before it is stored.
func (p *Passkey) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.ID == "" || len(p.ID) > 1400 {
		return FieldErrorf(EINVALID, "id", "a passkey's credential id is 1 to 1400 characters")
	}
	if p.UserID <= 0 {
		return FieldErrorf(EINVALID, "user_id", "a passkey belongs to an account")
	}
	if p.Name == "" {
		p.Name = "passkey"
	}
	if strings.ContainsAny(p.Name, "\r\n") {
		return FieldErrorf(EINVALID, "name", "a passkey's name is a single line")
	}
	if err := checkLine("name", p.Name, 100); err != nil {
		return err
	}
	if len(p.Credential) == 0 || len(p.Credential) > 64<<10 {
		return FieldErrorf(EINVALID, "credential", "a passkey's credential record is 1 byte to 64 KiB")
	}
	return nil
}
