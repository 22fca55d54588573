package storetest

import (
	"testing"

	"github.com/kolokol/kolokol"
)

func testMedia(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		m := &kolokol.Media{Hash: hashOf("one"), ContentType: "image/webp", Size: 1 << 20, Width: 2048, Height: 1365}
		ok(t, s.CreateMedia(t.Context(), m), "create media")
		if m.ID <= 0 {
			t.Fatalf("ID = %d, want it set", m.ID)
		}
		stamped(t, "media CreatedAt", m.CreatedAt)
		got, err := s.FindMediaByID(t.Context(), m.ID)
		ok(t, err, "find media")
		same(t, "media", got, m)
	})
	t.Run("SameHashIsSameMedia", func(t *testing.T) {
		s := open(t)
		first := createMedia(t, s, "photo")
		again := &kolokol.Media{Hash: first.Hash, ContentType: "image/png", Size: 1, Width: 1, Height: 1}
		ok(t, s.CreateMedia(t.Context(), again), "create media with a known hash")
		same(t, "media of a known hash", again, first)
		other := createMedia(t, s, "another photo")
		if other.ID == first.ID {
			t.Errorf("different hashes share id %d", first.ID)
		}
		got, err := s.FindMediaByID(t.Context(), first.ID)
		ok(t, err, "find media")
		same(t, "stored media", got, first)
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindMediaByID(t.Context(), 42)
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
	t.Run("NoHash", func(t *testing.T) {
		s := open(t)
		m := &kolokol.Media{ContentType: "image/jpeg", Size: 10}
		wantCode(t, s.CreateMedia(t.Context(), m), kolokol.EINVALID, "hash")
		if m.ID != 0 {
			t.Errorf("a refused create set ID %d", m.ID)
		}
	})
}

func testTokens(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		for _, tok := range []*kolokol.Token{
			{Name: "Редактор Анна", Hash: hashOf("secret-1"), Role: kolokol.RoleEditor, Services: []string{"ru", "ka"}},
			{Name: "Wire ingest", Hash: hashOf("secret-2"), Role: kolokol.RoleReporter, Services: []string{"fa"}},
			{Name: "Администратор", Hash: hashOf("secret-3"), Role: kolokol.RoleAdmin},
		} {
			ok(t, s.CreateToken(t.Context(), tok), "create token %q", tok.Name)
			if tok.ID <= 0 {
				t.Fatalf("token %q: ID = %d, want it set", tok.Name, tok.ID)
			}
			stamped(t, "token CreatedAt", tok.CreatedAt)
			got, err := s.FindTokenByHash(t.Context(), tok.Hash)
			ok(t, err, "find token %q", tok.Name)
			same(t, "token", got, tok)
		}
	})
	t.Run("DuplicateHash", func(t *testing.T) {
		s := open(t)
		first := &kolokol.Token{Name: "first", Hash: hashOf("secret"), Role: kolokol.RoleAdmin}
		ok(t, s.CreateToken(t.Context(), first), "create token")
		dup := &kolokol.Token{Name: "second", Hash: first.Hash, Role: kolokol.RoleEditor, Services: []string{"ru"}}
		wantCode(t, s.CreateToken(t.Context(), dup), kolokol.ECONFLICT, "")
		got, err := s.FindTokenByHash(t.Context(), first.Hash)
		ok(t, err, "find token")
		same(t, "token after a refused duplicate", got, first)
	})
	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		for _, c := range []struct {
			tok   kolokol.Token
			field string
		}{
			{kolokol.Token{Name: " ", Hash: hashOf("a"), Role: kolokol.RoleAdmin}, "name"},
			{kolokol.Token{Name: "x", Hash: hashOf("b"), Role: "root"}, "role"},
			{kolokol.Token{Name: "x", Hash: hashOf("c"), Role: kolokol.RoleEditor}, "services"},
			{kolokol.Token{Name: "x", Hash: hashOf("d"), Role: kolokol.RoleEditor, Services: []string{"Русский"}}, "services"},
			{kolokol.Token{Name: "x", Hash: "", Role: kolokol.RoleAdmin}, "hash"},
		} {
			wantCode(t, s.CreateToken(t.Context(), &c.tok), kolokol.EINVALID, c.field)
			if c.tok.ID != 0 {
				t.Errorf("a refused token got ID %d", c.tok.ID)
			}
			_, err := s.FindTokenByHash(t.Context(), c.tok.Hash)
			wantCode(t, err, kolokol.ENOTFOUND, "")
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindTokenByHash(t.Context(), hashOf("nobody"))
		wantCode(t, err, kolokol.ENOTFOUND, "")
	})
}
