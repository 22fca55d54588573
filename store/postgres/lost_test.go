package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kolokol/kolokol"
)

// TestLost: which failures say the server is away (503, try again) and
// which are errors of the request or the store (500, 4xx).
func TestLost(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, kolokol.EUNAVAILABLE},
		{"reset", fmt.Errorf("find token: %w", syscall.ECONNRESET), kolokol.EUNAVAILABLE},
		{"bad connection", driver.ErrBadConn, kolokol.EUNAVAILABLE},
		{"cut mid-answer", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), kolokol.EUNAVAILABLE},
		{"shutting down", &pgconn.PgError{Code: "57P01"}, kolokol.EUNAVAILABLE},
		{"starting up", &pgconn.PgError{Code: "57P03"}, kolokol.EUNAVAILABLE},
		{"connection failure", &pgconn.PgError{Code: "08006"}, kolokol.EUNAVAILABLE},
		{"unique violation", &pgconn.PgError{Code: "23505"}, kolokol.EINTERNAL},
		{"syntax", &pgconn.PgError{Code: "42601"}, kolokol.EINTERNAL},
		{"deadline", context.DeadlineExceeded, kolokol.EINTERNAL},
		{"no rows", sql.ErrNoRows, kolokol.EINTERNAL},
		{"already a kolokol error", kolokol.Errorf(kolokol.ENOTFOUND, "no"), kolokol.ENOTFOUND},
		{"other", errors.New("boom"), kolokol.EINTERNAL},
	} {
		if got := kolokol.ErrorCode(lost(tc.err)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if lost(nil) != nil {
		t.Error("lost(nil) is not nil")
	}
	if msg := kolokol.ErrorMessage(lost(driver.ErrBadConn)); msg == "internal error" {
		t.Errorf("the message of an unavailable database: %q", msg)
	}
}
