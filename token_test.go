package kolokol

import (
	"strings"
	"testing"
	"time"
)

func TestTokenUsable(t *testing.T) {
	now := time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tok  Token
		want string // in the error; "" for usable
	}{
		{"never expires", Token{}, ""},
		{"expires later", Token{ExpiresAt: now.Add(time.Second)}, ""},
		{"expires now", Token{ExpiresAt: now}, "expired (on 2026-03-10 12:00 UTC)"},
		{"expired", Token{ExpiresAt: now.Add(-48 * time.Hour)}, "expired (on 2026-03-08"},
		{"revoked", Token{RevokedAt: now.Add(-time.Hour)}, "revoked on 2026-03-10"},
		// Revocation is final, whatever the clock says.
		{"revoked in the future", Token{RevokedAt: now.Add(time.Hour)}, "revoked"},
		{"revoked and expired", Token{RevokedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Hour)}, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tok.Usable(now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorCode(err) != EUNAUTHORIZED || !strings.Contains(ErrorMessage(err), tt.want) {
				t.Fatalf("got %v, want unauthorized saying %q", err, tt.want)
			}
		})
	}
}

func TestDay(t *testing.T) {
	tehran := time.FixedZone("Tehran", 12600)
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 23, 59, 59, 999, time.UTC), "2026-01-02T00:00:00Z"},
		{time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "2026-01-02T00:00:00Z"},
		// 02:00 in Tehran on the 3rd is still the 2nd in UTC.
		{time.Date(2026, 1, 3, 2, 0, 0, 0, tehran), "2026-01-02T00:00:00Z"},
	} {
		if got := Day(c.in).Format(time.RFC3339Nano); got != c.want {
			t.Errorf("Day(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTokenValidate(t *testing.T) {
	hash := HashToken("secret")
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		edit  func(t *Token)
		field string // "" means valid
	}{
		{"valid", func(t *Token) {}, ""},
		{"expires later", func(t *Token) { t.CreatedAt, t.ExpiresAt = created, created.Add(time.Hour) }, ""},
		{"used on a day", func(t *Token) { t.LastUsed = Day(created) }, ""},
		{"two-line name", func(t *Token) { t.Name = "wire\nimporter" }, "name"},
		{"tab in name", func(t *Token) { t.Name = "wire\timporter" }, "name"},
		{"expires as made", func(t *Token) { t.CreatedAt, t.ExpiresAt = created, created }, "expires_at"},
		{"used at a time", func(t *Token) { t.LastUsed = created }, "last_used"},
		{"control in creator", func(t *Token) { t.CreatedBy = "a\x1bb" }, "created_by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := &Token{Name: "Wire importer", Hash: hash, Role: RoleEditor, Services: []string{"ru"}, CreatedBy: "anna@example.org"}
			tt.edit(tok)
			err := tok.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want invalid %q", err, ErrorField(err), tt.field)
			}
		})
	}
}
