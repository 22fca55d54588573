package sign

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tool finds a Debian program the test needs. Missing, the test skips
// with the install command, unless KOLOKOL_REQUIRE_ALL=1 (CI), under which
// nothing may be skipped for a missing part.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("KOLOKOL_REQUIRE_ALL") == "1" {
			t.Fatalf("%s is not installed (apt-get install -y %s), and KOLOKOL_REQUIRE_ALL=1", name, pkg)
		}
		t.Skipf("%s is not installed: apt-get install -y %s", name, pkg)
	}
	return p
}

// run runs a command in dir; ok says whether it exited 0.
func run(t *testing.T, dir, name string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatalf("%s %q: %v", name, args, err)
	}
	return string(out), err == nil
}

// readmeBlock is the README's shell block that holds a line: the test
// runs what readers are told, word for word.
func readmeBlock(t *testing.T, line string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "```sh\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.Contains(block, line) {
			return block
		}
	}
	t.Fatalf("README.md has no shell block with %q", line)
	return ""
}

// TestDebianTools checks a mirror the way the README tells readers to,
// with Debian's minisign and sha256sum and nothing of Kolokol's: a good
// export passes, and each kind of tampering fails.
func TestDebianTools(t *testing.T) {
	minisign := tool(t, "minisign", "minisign")
	sha256sum := tool(t, "sha256sum", "coreutils")
	_, data := newSigner(t)
	// A rotated key, so that kolokol.pub lists a retired one after the
	// current: minisign must read the first key and stop.
	s, err := RotateSigner(data, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	checkBlock := readmeBlock(t, "minisign -Vm manifest.json -p ~/kolokol.pub")
	unlistedScript := readmeBlock(t, "comm -23")
	// The README's command that checks every file of the site, through
	// the parts' sums that SHA256SUMS lists.
	var filesCheck string
	for _, line := range strings.Split(checkBlock, "\n") {
		if strings.HasPrefix(line, "sha256sum -c $(") {
			filesCheck = line
		}
	}
	if filesCheck == "" {
		t.Fatal("the README's check has no sha256sum -c $(…) line")
	}
	// The reader's own copy of the key, where the README puts it.
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "kolokol.pub"), s.Keyring().Marshal(), 0o644)
	var parts int
	good := func(t *testing.T) string {
		dir, e := export(t, s, 42, site())
		parts = len(e.Manifest.Parts)
		return dir
	}
	comment := "Trusted comment: kolokol origin=https://news.example.org edition=42 time=2026-11-30T09:42:00Z"

	t.Run("a good export passes", func(t *testing.T) {
		dir := good(t)
		cmd := exec.Command("bash", "-e", "-c", checkBlock)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+home, "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil || strings.Count(string(out), comment) != 2 || strings.Count(string(out), ": OK") != len(site())+parts {
			t.Errorf("the README's commands: %v\n%s", err, out)
		}
		for _, args := range [][]string{
			{"-Vm", "manifest.json", "-p", "kolokol.pub"},
			{"-Vm", "SHA256SUMS", "-p", "kolokol.pub"},
			{"-V", "-H", "-m", "manifest.json", "-p", "kolokol.pub"}, // prehashed, as -H insists
		} {
			out, ok := run(t, dir, minisign, args...)
			if !ok || !strings.Contains(out, "Signature and comment signature verified") || !strings.Contains(out, comment) {
				t.Errorf("minisign %q: %v\n%s", args, ok, out)
			}
		}
		if out, ok := run(t, dir, sha256sum, "-c", "SHA256SUMS"); !ok || strings.Count(out, ": OK") != parts {
			t.Errorf("sha256sum -c: %v\n%s", ok, out)
		}
		if out, ok := run(t, dir, "bash", "-c", filesCheck); !ok || strings.Count(out, ": OK") != len(site()) {
			t.Errorf("%s: %v\n%s", filesCheck, ok, out)
		}
		if out, ok := run(t, dir, "bash", "-c", unlistedScript); !ok || out != "" {
			t.Errorf("the unlisted-files check: %v %q", ok, out)
		}
		out, _ := run(t, dir, sha256sum, "kolokol.pub")
		if fp := strings.Fields(out)[0]; fp != s.Keyring().Fingerprint() {
			t.Errorf("sha256sum kolokol.pub = %s, key show's fingerprint %s", fp, s.Keyring().Fingerprint())
		}
	})

	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		cmd    []string // the command that must now fail, run in the tree
		says   string
		prints bool // the command succeeds but prints what it found
	}{
		{"one byte of a page", func(t *testing.T, dir string) {
			name := filepath.Join(dir, "ru", "index.html")
			b, _ := os.ReadFile(name)
			b[5] ^= 1
			os.WriteFile(name, b, 0o644)
		}, []string{"bash", "-c", filesCheck}, "ru/index.html: FAILED", false},
		{"a page removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "static", "site.css"))
		}, []string{"bash", "-c", filesCheck}, "static/site.css: FAILED open or read", false},
		{"a page added", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "ru", "a", "99-fake", "index.html"), "<p>fake</p>")
		}, []string{"bash", "-c", unlistedScript}, "ru/a/99-fake/index.html\n", true},
		{"a file added as a symlink", func(t *testing.T, dir string) {
			os.Symlink("/etc/passwd", filepath.Join(dir, "evil"))
		}, []string{"bash", "-c", unlistedScript}, "evil\n", true},
		{"a line of a part's sums changed to match a changed page", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "index.html"), "<p>fake</p>")
			sums, _ := filepath.Glob(filepath.Join(dir, PartsDir, RootGroup+".*"+PartSumsSuffix))
			b, _ := os.ReadFile(sums[0])
			fake := FileFor("index.html", []byte("<p>fake</p>"))
			old := FileFor("index.html", []byte(site()["index.html"]))
			os.WriteFile(sums[0], []byte(strings.Replace(string(b), old.SHA256, fake.SHA256, 1)), 0o644)
		}, []string{sha256sum, "-c", "SHA256SUMS"}, "manifests/_.", false},
		{"and SHA256SUMS changed to match that", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "index.html"), "<p>fake</p>")
			sums, _ := filepath.Glob(filepath.Join(dir, PartsDir, RootGroup+".*"+PartSumsSuffix))
			b, _ := os.ReadFile(sums[0])
			fake := FileFor("index.html", []byte("<p>fake</p>"))
			old := FileFor("index.html", []byte(site()["index.html"]))
			forged := []byte(strings.Replace(string(b), old.SHA256, fake.SHA256, 1))
			os.WriteFile(sums[0], forged, 0o644)
			top, _ := os.ReadFile(filepath.Join(dir, SumsFile))
			os.WriteFile(filepath.Join(dir, SumsFile), []byte(strings.Replace(string(top), FileFor("", b).SHA256, FileFor("", forged).SHA256, 1)), 0o644)
		}, []string{minisign, "-Vm", "SHA256SUMS", "-p", "kolokol.pub"}, "Signature verification failed", false},
		{"the manifest edited", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			os.WriteFile(filepath.Join(dir, ManifestFile), []byte(strings.Replace(string(b), `"edition":42`, `"edition":43`, 1)), 0o644)
		}, []string{minisign, "-Vm", "manifest.json", "-p", "kolokol.pub"}, "Signature verification failed", false},
		{"the trusted comment edited", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ManifestFile+SigSuffix))
			os.WriteFile(filepath.Join(dir, ManifestFile+SigSuffix), []byte(strings.Replace(string(b), "edition=42", "edition=99", 1)), 0o644)
		}, []string{minisign, "-Vm", "manifest.json", "-p", "kolokol.pub"}, "Comment signature verification failed", false},
		{"signed by another key", func(t *testing.T, dir string) {
			other, _ := newSigner(t)
			e, err := other.Sign(Manifest{Origin: testOrigin, Edition: 42, Time: t0, Files: writeFiles(t, dir, site())})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range e.Files(false)[1:] { // keep the newsroom's kolokol.pub
				mustWrite(t, filepath.Join(dir, f.Name), string(f.Data))
			}
		}, []string{minisign, "-Vm", "manifest.json", "-p", "kolokol.pub"}, "Signature key id in manifest.json.minisig is", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := good(t)
			tt.tamper(t, dir)
			out, ok := run(t, dir, tt.cmd[0], tt.cmd[1:]...)
			if tt.prints && (!ok || out != tt.says) || !tt.prints && (ok || !strings.Contains(out, tt.says)) {
				t.Fatalf("%q passed=%v, want it to say %q:\n%s", tt.cmd, ok, tt.says, out)
			}
		})
	}

	// The secret key file is minisign's own: minisign recreates the same
	// public key from it, and Kolokol signs with a key minisign made.
	t.Run("minisign reads Kolokol's secret key", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "recreated.pub")
		if msg, ok := run(t, ".", minisign, "-R", "-s", filepath.Join(data, SigningDir, SecretFile), "-p", out); !ok {
			t.Fatalf("minisign -R: %s", msg)
		}
		b, _ := os.ReadFile(out)
		lines := strings.SplitN(string(s.Keyring().Marshal()), "\n", 3)
		// Debian's 0.11 prints the id without leading zeros (%PRIX64);
		// minisign since writes 16 digits (%016PRIX64), as Kolokol does.
		// The key line is the same either way.
		want := "untrusted comment: minisign public key " + strings.TrimLeft(s.PublicKey().ID.String(), "0") + "\n" + lines[1] + "\n"
		if string(b) != want && string(b) != lines[0]+"\n"+lines[1]+"\n" {
			t.Fatalf("minisign -R made\n%s\nwant the first two lines of\n%s", b, s.Keyring().Marshal())
		}
	})
	t.Run("Kolokol signs with a key minisign made", func(t *testing.T) {
		data := t.TempDir()
		dir := filepath.Join(data, SigningDir)
		os.Mkdir(dir, 0o700)
		if msg, ok := run(t, dir, minisign, "-G", "-W", "-p", "minisign.pub", "-s", SecretFile); !ok {
			t.Fatalf("minisign -G: %s", msg)
		}
		s, err := LoadSigner(data, t0)
		if err != nil {
			t.Fatal(err)
		}
		tree, _ := export(t, s, 1, site())
		if out, ok := run(t, tree, minisign, "-Vm", "manifest.json", "-p", filepath.Join(dir, "minisign.pub")); !ok {
			t.Fatalf("minisign's own key does not verify: %s", out)
		}
		// And what minisign signs, Kolokol verifies (prehashed and legacy).
		for _, args := range [][]string{{"-S"}, {"-S", "-l"}} {
			args = append(args, "-s", SecretFile, "-m", filepath.Join(tree, "index.html"), "-x", filepath.Join(tree, "x.minisig"), "-t", "hello")
			if msg, ok := run(t, dir, minisign, args...); !ok {
				t.Fatalf("minisign %q: %s", args, msg)
			}
			b, _ := os.ReadFile(filepath.Join(tree, "x.minisig"))
			sig, err := ParseSignature(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.PublicKey().Verify([]byte(site()["index.html"]), sig); err != nil {
				t.Errorf("minisign %q: %v", args, err)
			}
		}
	})
}
