package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol/sign"
)

func noEnv(string) string { return "" }

func runCLI(t *testing.T, env func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb, env)
	return out.String(), errb.String(), err
}

var keyIDLine = regexp.MustCompile(`(?m)^key id: +([0-9A-F]{16})$`)

func TestKeyCommands(t *testing.T) {
	data := t.TempDir()
	out, errOut, err := runCLI(t, noEnv, "key", "show", "--data", data)
	if err != nil || !strings.Contains(errOut, "Made a new signing key") {
		t.Fatalf("first show: %v %s", err, errOut)
	}
	first := keyIDLine.FindStringSubmatch(out)
	pub, _ := os.ReadFile(filepath.Join(data, "signing", "kolokol.pub"))
	sum := sha256.Sum256(pub)
	if first == nil || !strings.Contains(out, "fingerprint: "+hex.EncodeToString(sum[:])) || !strings.HasSuffix(out, string(pub)) {
		t.Fatalf("show:\n%s", out)
	}
	secret, _ := os.ReadFile(filepath.Join(data, "signing", "kolokol.key"))
	secretLine := strings.Split(string(secret), "\n")[1]

	again, errOut, err := runCLI(t, func(k string) string {
		if k == "KOLOKOL_DATA" {
			return data
		}
		return ""
	}, "key", "show")
	if err != nil || again != out || errOut != "" {
		t.Fatalf("second show (data from the environment) differs: %v\n%s\n%s", err, again, errOut)
	}

	rotated, _, err := runCLI(t, noEnv, "key", "rotate", "--data", data)
	second := keyIDLine.FindStringSubmatch(rotated)
	if err != nil || second == nil || second[1] == first[1] ||
		!regexp.MustCompile(`retired: +`+first[1]+`, retired \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).MatchString(rotated) ||
		!strings.Contains(rotated, "Retired key "+first[1]) {
		t.Fatalf("rotate: %v\n%s", err, rotated)
	}
	shown, _, _ := runCLI(t, noEnv, "key", "show", "--data", data)
	if !strings.Contains(shown, "key id:      "+second[1]) || !strings.Contains(shown, first[1]+", retired") {
		t.Fatalf("show after rotating:\n%s", shown)
	}
	for _, o := range []string{out, again, rotated, shown} {
		if strings.Contains(o, secretLine[20:60]) {
			t.Fatal("a key command printed the secret key")
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"key"}, "usage"},
		{[]string{"key", "burn", "--data", data}, `unknown key command "burn"`},
		{[]string{"key", "show", "--data", filepath.Join(data, "nope")}, "no data directory"},
		{[]string{"key", "show", "--data", data, "extra"}, `unexpected argument "extra"`},
	} {
		_, _, err := runCLI(t, noEnv, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != 2 {
			t.Errorf("%q: %v, want %q (exit 2)", tt.args, err, tt.want)
		}
	}
}

// TestVerifyCommand signs an export with the data directory's key, as the
// export will, and checks it with kolokol verify: exit 0 for a good tree
// (on disk and over HTTP), 1 for each refusal, 2 when it cannot tell.
func TestVerifyCommand(t *testing.T) {
	data := t.TempDir()
	s, err := sign.LoadSigner(data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pubkey := filepath.Join(data, "signing", "kolokol.pub")
	files := map[string]string{"index.html": "<p>home</p>", "ru/index.html": "<p>новости</p>"}
	exportTo := func(t *testing.T, s *sign.Signer, edition int64) string {
		dir := t.TempDir()
		var list []sign.File
		for p, body := range files {
			os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
			os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644)
			list = append(list, sign.FileFor(p, []byte(body)))
		}
		e, err := s.Sign(sign.Manifest{Origin: "https://news.example.org", Edition: edition, Time: time.Now(), Files: list})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Write(dir, false); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	good := exportTo(t, s, 42)
	srv := httptest.NewServer(http.StripPrefix("/m/", http.FileServer(http.Dir(good))))
	defer srv.Close()
	tampered := exportTo(t, s, 42)
	os.WriteFile(filepath.Join(tampered, "ru", "index.html"), []byte("<p>fake</p>"), 0o644)
	os.WriteFile(filepath.Join(tampered, "fake.html"), []byte("<p>fake</p>"), 0o644)
	os.Remove(filepath.Join(tampered, "index.html"))
	otherData := t.TempDir()
	other, _ := sign.LoadSigner(otherData, time.Now())
	byOther := exportTo(t, other, 42)
	notADir := filepath.Join(good, "index.html")
	// A push of edition 43 under way: its signed next- files are there, and
	// one page is already the new one.
	midPush := exportTo(t, s, 42)
	next, err := s.Sign(sign.Manifest{Origin: "https://news.example.org", Edition: 43, Time: time.Now(), Files: []sign.File{
		sign.FileFor("index.html", []byte(files["index.html"])), sign.FileFor("ru/index.html", []byte("<p>новости 43</p>")),
	}})
	if err != nil {
		t.Fatal(err)
	}
	next.Write(midPush, true)
	os.WriteFile(filepath.Join(midPush, "ru", "index.html"), []byte("<p>новости 43</p>"), 0o644)

	tests := []struct {
		name string
		args []string
		exit int
		out  string // in stdout, or in the error when exit is not 0
	}{
		{"good tree", []string{good, "--pubkey", pubkey}, 0, "OK: 2 files checked, every one as signed"},
		{"flags first", []string{"--pubkey", pubkey, "--min-edition", "42", "--origin", "https://news.example.org", good}, 0, "edition 42 of https://news.example.org"},
		{"over HTTP under a prefix", []string{srv.URL + "/m/", "--pubkey", pubkey}, 0, "cannot be seen over HTTP"},
		{"mid-push", []string{midPush, "--pubkey", pubkey}, 0, "updating   ru/index.html: already edition 43's"},
		{"tampered", []string{tampered, "--pubkey", pubkey}, 1, "1 missing, 1 altered, 1 unlisted"},
		{"older than asked", []string{good, "--pubkey", pubkey, "--min-edition", "43"}, 1, "older than edition 43"},
		{"other origin", []string{good, "--pubkey", pubkey, "--origin", "https://other.example.net"}, 1, "not for https://other.example.net"},
		{"unknown key", []string{byOther, "--pubkey", pubkey}, 1, "signed by key " + other.PublicKey().ID.String()},
		{"no --pubkey", []string{good}, 2, "--pubkey: give the newsroom's public key file"},
		{"unreadable --pubkey", []string{good, "--pubkey", filepath.Join(data, "nope.pub")}, 2, "--pubkey"},
		{"--pubkey not a key", []string{good, "--pubkey", notADir}, 2, "this is HTML, not a public key file"},
		{"not a directory", []string{notADir, "--pubkey", pubkey}, 2, "is not a directory"},
		{"no time", []string{good, "--pubkey", pubkey, "--timeout", "0s"}, 2, "--timeout 0s"},
		{"two targets", []string{good, good, "--pubkey", pubkey}, 2, "give one export directory"},
		{"no manifest", []string{t.TempDir(), "--pubkey", pubkey}, 1, "no manifest.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCLI(t, noEnv, append([]string{"verify"}, tt.args...)...)
			if tt.exit == 0 {
				if err != nil || !strings.Contains(out, tt.out) {
					t.Fatalf("%v\n%s", err, out)
				}
				return
			}
			if err == nil || exitCode(err) != tt.exit || !strings.Contains(err.Error()+out, tt.out) {
				t.Fatalf("err %v (exit %d), want exit %d saying %q\n%s", err, exitCode(err), tt.exit, tt.out, out)
			}
		})
	}
	// The report names each file.
	out, _, _ := runCLI(t, noEnv, "verify", tampered, "--pubkey", pubkey)
	for _, want := range []string{"altered    ru/index.html", "unlisted   fake.html", "missing    index.html", "FAILED: 2 files checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	// After a rotation, the old key's editions are refused by name.
	if _, err := sign.RotateSigner(data, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, func(k string) string {
		if k == "KOLOKOL_PUBKEY" {
			return pubkey
		}
		return ""
	}, "verify", good)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "signed by key "+s.PublicKey().ID.String()+", which was retired on") {
		t.Fatalf("retired key: %v", err)
	}
}
