package kolokol

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func validUser() *User {
	return &User{Email: "leila@example.org", Name: "Лейла Ахмади", Role: RoleEditor, Services: []string{"ru", "fa"},
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5"}
}

// wantField fails unless err is nil for field "" or EINVALID naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if ErrorCode(err) != EINVALID || ErrorField(err) != field {
		t.Fatalf("got %v (field %q), want invalid %q", err, ErrorField(err), field)
	}
}

func TestUserValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(u *User)
		field string // "" means valid
	}{
		{"valid", func(u *User) {}, ""},
		{"global admin", func(u *User) { u.Role, u.Services = RoleAdmin, nil }, ""},
		{"service admin", func(u *User) { u.Role = RoleAdmin }, ""},
		{"not enrolled yet", func(u *User) { u.PasswordHash, u.TOTPSecret = "", "" }, ""},
		{"non-ASCII address", func(u *User) { u.Email = "лейла@пример.рф" }, ""},
		{"longest address", func(u *User) { u.Email = strings.Repeat("a", MaxEmail-len("@example.org")) + "@example.org" }, ""},
		{"Georgian name", func(u *User) { u.Name = "ნინო ბერიძე" }, ""},
		{"Arabic name", func(u *User) { u.Name = "لیلا احمدی" }, ""},
		{"no email", func(u *User) { u.Email = "" }, "email"},
		{"uppercase email", func(u *User) { u.Email = "Leila@example.org" }, "email"},
		{"two @", func(u *User) { u.Email = "a@b@example.org" }, "email"},
		{"no @", func(u *User) { u.Email = "leila.example.org" }, "email"},
		{"space", func(u *User) { u.Email = "lei la@example.org" }, "email"},
		{"no dot in domain", func(u *User) { u.Email = "leila@localhost" }, "email"},
		{"NUL in email", func(u *User) { u.Email = "lei\x00la@example.org" }, "email"},
		{"bad UTF-8 email", func(u *User) { u.Email = "\xff@example.org" }, "email"},
		{"long email", func(u *User) { u.Email = strings.Repeat("a", MaxEmail) + "@example.org" }, "email"},
		{"no role", func(u *User) { u.Role = "" }, "role"},
		{"unknown role", func(u *User) { u.Role = "owner" }, "role"},
		{"reporter without services", func(u *User) { u.Role, u.Services = RoleReporter, nil }, "services"},
		{"editor without services", func(u *User) { u.Services = nil }, "services"},
		{"bad service", func(u *User) { u.Services = []string{"ru", "../x"} }, "services"},
		{"plain password", func(u *User) { u.PasswordHash = "hunter2" }, "password_hash"},
		{"bcrypt hash", func(u *User) { u.PasswordHash = "$2a$10$abcdefghijklmnopqrstuv" }, "password_hash"},
		{"negative step", func(u *User) { u.TOTPLastStep = -1 }, "totp_last_step"},
		{"two-line name", func(u *User) { u.Name = "Leila\nAdmin" }, "name"},
		{"control char in name", func(u *User) { u.Name = "a\x1bb" }, "name"},
		{"long name", func(u *User) { u.Name = strings.Repeat("ж", 201) }, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUser()
			tt.edit(u)
			wantField(t, u.Validate(), tt.field)
		})
	}
}

func TestUserNormalize(t *testing.T) {
	u := &User{Email: "  Leila@Example.ORG ", Name: " Лейла ", Role: RoleReporter, Services: []string{" ru ", "", "ru", "fa"}}
	u.Normalize()
	if u.Email != "leila@example.org" || u.Name != "Лейла" || !slices.Equal(u.Services, []string{"fa", "ru"}) ||
		!slices.Equal(u.Desks, []Desk{{"fa", RoleReporter}, {"ru", RoleReporter}}) {
		t.Fatalf("normalized %+v", u)
	}
	if err := u.Validate(); err != nil {
		t.Fatalf("a normalized user is invalid: %v", err)
	}
}

func TestUserActor(t *testing.T) {
	u := validUser()
	a := u.Actor()
	if a.Name != u.Email || a.Role != RoleEditor || !slices.Equal(a.Services, u.Services) {
		t.Fatalf("actor %+v", a)
	}
	if !a.CanTouch("fa") || a.CanTouch("en") || !a.CanPublish("fa") {
		t.Error("the account's actor has the wrong rights")
	}
	admin := &User{Email: "root@example.org", Role: RoleAdmin}
	if !admin.Actor().CanTouch("en") {
		t.Error("an admin without services is not a global admin")
	}
}

func TestSessionValidate(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	id := HashToken("cookie")
	tests := []struct {
		name  string
		s     Session
		field string
	}{
		{"valid", Session{ID: id, UserID: 1, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}, ""},
		{"start set by the store", Session{ID: id, UserID: 1, ExpiresAt: start}, ""},
		{"raw cookie", Session{ID: "kk_abc", UserID: 1, ExpiresAt: start}, "id"},
		{"uppercase hex", Session{ID: strings.ToUpper(id), UserID: 1, ExpiresAt: start}, "id"},
		{"no user", Session{ID: id, ExpiresAt: start}, "user_id"},
		{"no expiry", Session{ID: id, UserID: 1, CreatedAt: start}, "expires_at"},
		{"expires at start", Session{ID: id, UserID: 1, CreatedAt: start, ExpiresAt: start}, "expires_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantField(t, tt.s.Validate(), tt.field) })
	}
}

func TestEnrolmentValidate(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	exp := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	hash := HashToken("link")
	tests := []struct {
		name  string
		e     Enrolment
		field string
	}{
		{"valid", Enrolment{TokenHash: hash, UserID: 3, TOTPSecret: secret, ExpiresAt: exp}, ""},
		{"raw token", Enrolment{TokenHash: "link", UserID: 3, TOTPSecret: secret, ExpiresAt: exp}, "token"},
		{"no user", Enrolment{TokenHash: hash, TOTPSecret: secret, ExpiresAt: exp}, "user_id"},
		{"no expiry", Enrolment{TokenHash: hash, UserID: 3, TOTPSecret: secret}, "expires_at"},
		{"no secret", Enrolment{TokenHash: hash, UserID: 3, ExpiresAt: exp}, "totp_secret"},
		{"short secret", Enrolment{TokenHash: hash, UserID: 3, TOTPSecret: "JBSWY3DP", ExpiresAt: exp}, "totp_secret"},
		{"lower-case secret", Enrolment{TokenHash: hash, UserID: 3, TOTPSecret: strings.ToLower(secret), ExpiresAt: exp}, "totp_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantField(t, tt.e.Validate(), tt.field) })
	}
}
