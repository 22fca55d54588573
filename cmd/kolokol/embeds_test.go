package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbedFlags: the Meta token is read only from a file no one else may
// read, and the endpoints only as https URLs of known networks.
func TestEmbedFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("meta", "123|abc\n", 0o600)
	open := write("meta-open", "123|abc\n", 0o644)
	two := write("meta-two", "123|abc 456|def\n", 0o600)
	for _, tc := range []struct {
		args  []string
		want  string // in the error; "" : accepted
		token string
	}{
		{args: nil},
		{args: []string{"--meta-token-file", good}, token: "123|abc"},
		{args: []string{"--meta-token-file", open}, want: "lets others read the secret"},
		{args: []string{"--meta-token-file", two}, want: "one token"},
		{args: []string{"--meta-token-file", filepath.Join(dir, "none")}, want: "no such file"},
		{args: []string{"--embed-endpoints", "youtube=https://relay.example/yt, telegram=https://relay.example/tg"}},
		{args: []string{"--embed-endpoints", "youtube=http://relay.example/yt"}, want: "give an https URL"},
		{args: []string{"--embed-endpoints", "myspace=https://relay.example/"}, want: "is not NETWORK=URL"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := newEmbedFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			o, err := f.options()
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want an error saying %q", err, tc.want)
				}
				if strings.Contains(err.Error(), "abc") {
					t.Errorf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.MetaToken != tc.token {
				t.Errorf("token %q, want %q", o.MetaToken, tc.token)
			}
		})
	}
}
