package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlite"
)

// cliData makes a data directory with the service ru and returns it.
func cliData(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	app, err := NewApp(t.Context(), data, "http://example.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.Store.CreateService(t.Context(), &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	return data
}

// cli runs a kolokol command and returns its stdout and error.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb, func(string) string { return "" })
	return out.String(), err
}

// openData opens the data directory's store while no command runs.
func openData(t *testing.T, data string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(data, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestTokenCreateExpires(t *testing.T) {
	data := cliData(t)
	for _, c := range []struct {
		expires string
		want    time.Duration // 0: refused
		err     string
	}{
		{"90d", 90 * 24 * time.Hour, ""},
		{"36h", 36 * time.Hour, ""},
		{"1826d", 1826 * 24 * time.Hour, ""},
		{"0d", 0, "must work for some time"},
		{"0", 0, "must work for some time"},
		{"-5h", 0, "must work for some time"},
		{"-1d", 0, "must work for some time"},
		{"1827d", 0, "at most five years (1826d)"},
		{"50000h", 0, "at most five years"},
		{"99999999999999999999d", 0, "whole number of days"},
		{"1.5d", 0, "whole number of days"},
		{"soon", 0, "number of days"},
	} {
		t.Run(c.expires, func(t *testing.T) {
			before := time.Now()
			out, err := cli(t, "token", "create", "--data", data, "--name", "wire "+c.expires, "--role", "editor", "--service", "ru", "--expires", c.expires)
			after := time.Now()
			if c.want == 0 {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "--expires") {
					t.Fatalf("err %v, want one naming --expires and saying %q", err, c.err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(out, "kk_") {
				t.Fatalf("err %v, out %q", err, out)
			}
			tok, err := openData(t, data).FindTokenByHash(t.Context(), kolokol.HashToken(strings.TrimSpace(out)))
			if err != nil {
				t.Fatal(err)
			}
			if tok.ExpiresAt.Before(before.Add(c.want)) || tok.ExpiresAt.After(after.Add(c.want)) || tok.CreatedBy != "kolokol token create" {
				t.Errorf("token %+v, want it to expire %v after it was made", tok, c.want)
			}
		})
	}
	list, err := openData(t, data).FindTokens(t.Context())
	if err != nil || len(list) != 3 {
		t.Errorf("%d tokens stored (%v), want the 3 accepted", len(list), err)
	}
}

func TestTokenListAndRevokeCLI(t *testing.T) {
	data := cliData(t)
	var secrets []string
	for _, args := range [][]string{
		{"--name", "Импорт ленты", "--role", "reporter", "--service", "ru", "--expires", "30d"},
		{"--name", "deploy bot", "--role", "admin"},
	} {
		out, err := cli(t, append([]string{"token", "create", "--data", data}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, strings.TrimSpace(out))
	}
	s := openData(t, data)
	wire, err := s.FindTokenByHash(t.Context(), kolokol.HashToken(secrets[0]))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	if err := s.RecordTokenUse(t.Context(), wire.ID, today); err != nil {
		t.Fatal(err)
	}
	s.Close()

	out, err := cli(t, "token", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("list has %d lines, want a header and 2 tokens:\n%s", len(lines), out)
	}
	header := lines[0]
	for _, col := range []string{"ID", "NAME", "ROLE", "SERVICES", "CREATED", "CREATED BY", "EXPIRES", "LAST USED", "REVOKED"} {
		if !strings.Contains(header, col) {
			t.Errorf("header %q lacks %s", header, col)
		}
	}
	// Newest first; each column starts where its heading does.
	for i, want := range [][]string{
		{"deploy bot", "admin", "all", "kolokol token create", "never", "never", "-"},
		{"Импорт ленты", "reporter", "ru", "kolokol token create", wire.ExpiresAt.UTC().Format("2006-01-02 15:04"), today.UTC().Format("2006-01-02"), "-"},
	} {
		row := lines[i+1]
		for j, col := range []string{"NAME", "ROLE", "SERVICES", "CREATED BY", "EXPIRES", "LAST USED", "REVOKED"} {
			at := strings.Index(header, col)
			if got := []rune(row); len(got) < at || !strings.HasPrefix(string(got[at:]), want[j]) {
				t.Errorf("row %q: column %s does not start with %q", row, col, want[j])
			}
		}
	}
	for _, secret := range secrets {
		if strings.Contains(out, secret) || strings.Contains(out, kolokol.HashToken(secret)) {
			t.Error("the list shows a secret or its hash")
		}
	}

	id := fmt.Sprint(wire.ID)
	for _, c := range []struct {
		args []string
		want string // in the error
	}{
		{[]string{"token", "revoke", "--data", data}, "give the id"},
		{[]string{"token", "revoke", "--data", data, "abc"}, `"abc" is not a token id`},
		{[]string{"token", "revoke", "--data", data, "999"}, "there is no token 999"},
		{[]string{"token", "revoke", "--data", data, id, "2"}, "give the id of one token"},
		{[]string{"token"}, "usage"},
		{[]string{"token", "delete"}, `unknown token command "delete"`},
	} {
		if _, err := cli(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	// The id may come first.
	out, err = cli(t, "token", "revoke", id, "--data", data)
	if err != nil || !strings.Contains(out, "Revoked token "+id+` "Импорт ленты"`) {
		t.Fatalf("revoke: %v %q", err, out)
	}
	if _, err := cli(t, "token", "revoke", "--data", data, id); err != nil {
		t.Fatalf("revoke twice: %v", err)
	}
	s = openData(t, data)
	revoked, err := s.FindTokenByID(t.Context(), wire.ID)
	if err != nil || revoked.RevokedAt.IsZero() || revoked.Usable(time.Now()) == nil {
		t.Fatalf("after revoke: %+v %v", revoked, err)
	}
	entries, err := s.FindAudit(t.Context(), kolokol.AuditFilter{Action: "token.revoke"})
	if err != nil || len(entries) != 2 || entries[0].Actor != "kolokol token revoke" || entries[0].Target != "Импорт ленты" {
		t.Errorf("revocations audited as %+v %v", entries, err)
	}
	s.Close()
	out, err = cli(t, "token", "list", "--data", data)
	if err != nil || !strings.Contains(strings.Split(out, "\n")[2], revoked.RevokedAt.UTC().Format("2006-01-02 15:04")) {
		t.Errorf("the list does not show the revocation:\n%s", out)
	}
}
