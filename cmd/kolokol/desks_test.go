package main

import (
	"strings"
	"testing"
)

// TestUserAddDesks: `kolokol user add --desk` gives a role per service,
// and a bad desk or a mix with --role is refused before anything is
// stored.
func TestUserAddDesks(t *testing.T) {
	ta := newTestApp(t)
	add := func(args ...string) (string, error) {
		var out, errb strings.Builder
		err := run(t.Context(), append([]string{"user", "add", "--data", ta.data, "--base-url", ta.srv.URL}, args...), &out, &errb, func(string) string { return "" })
		return errb.String(), err
	}
	said, err := add("--email", "aziz@example.org", "--desk", "ru=editor", "--desk", "ka=reporter")
	if err != nil {
		t.Fatalf("user add --desk: %v %s", err, said)
	}
	if !strings.Contains(said, "(ka=reporter, ru=editor)") {
		t.Errorf("the command said %q", said)
	}
	for _, bad := range [][]string{
		{"--email", "x@example.org", "--desk", "ru:editor"},
		{"--email", "y@example.org", "--desk", "ru=chief"},
		{"--email", "z@example.org", "--desk", "ru=editor", "--role", "editor", "--service", "ka"},
	} {
		if said, err := add(bad...); err == nil {
			t.Errorf("%v was taken: %s", bad, said)
		}
	}
	if said, err := add("--email", "x@example.org", "--role", "reporter", "--service", "ka"); err != nil {
		t.Errorf("a refused --desk left the account behind: %v %s", err, said)
	}
}
