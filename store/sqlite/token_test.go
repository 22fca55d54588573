package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// TestTokensFromBeforeExpiry: tokens made before migration 14 keep working:
// no expiry, not revoked, never used, made by no one recorded.
func TestTokensFromBeforeExpiry(t *testing.T) {
	path, db := migratedBefore(t, 14)
	hash := kolokol.HashToken("kk_old")
	if _, err := db.ExecContext(t.Context(), `INSERT INTO tokens (name, hash, role, services, created_at)
		VALUES ('wire', ?, 'editor', '["ru"]', 1)`, hash); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openTest(t, path)
	tok, err := s.FindTokenByHash(t.Context(), hash)
	if err != nil {
		t.Fatal(err)
	}
	if tok.CreatedBy != "" || !tok.ExpiresAt.IsZero() || !tok.RevokedAt.IsZero() || !tok.LastUsed.IsZero() {
		t.Fatalf("old token: %+v", tok)
	}
	if err := tok.Usable(time.Now()); err != nil {
		t.Fatalf("an old token is refused: %v", err)
	}
	// The schema keeps only a day, whoever writes.
	if _, err := s.writer.ExecContext(t.Context(), `UPDATE tokens SET last_used = '2026-01-02T10:00:00Z'`); err == nil {
		t.Fatal("the schema stored a time of use")
	}
}

// TestTokenUseWritesOncePerDay: recording a use on a day already recorded
// takes no write lock, so the API's hot path does not write per request.
// Another process holds the write lock meanwhile: a recording that wanted
// it would wait out the busy timeout and fail.
func TestTokenUseWritesOncePerDay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kolokol.db")
	s := openTest(t, path)
	tok := &kolokol.Token{Name: "script", Hash: kolokol.HashToken("kk_script"), Role: kolokol.RoleAdmin}
	if err := s.CreateToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := s.RecordTokenUse(t.Context(), tok.ID, day); err != nil {
		t.Fatal(err)
	}

	other, err := openPool(t.Context(), dsn(path, false), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(t.Context(), nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(t.Context(), `UPDATE services SET name = name`); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := s.RecordTokenUse(t.Context(), tok.ID, day.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatalf("a use later the same day wanted to write: %v", err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTokenUse(t.Context(), tok.ID, day.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTokenByID(t.Context(), tok.ID)
	if err != nil || !got.LastUsed.Equal(kolokol.Day(day.Add(24*time.Hour))) {
		t.Fatalf("after the next day's use: %+v %v", got, err)
	}
}
