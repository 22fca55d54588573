package postgres

import (
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kolokol.Store { return openTest(t, pgtest.DSN(t)) })
}

func openTest(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", Redact(dsn), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}
