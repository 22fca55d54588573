package zim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
)

// TestReadsLibzimFile: the Reader reads a file written by libzim itself
// (Debian's zimwriterfs), Xapian indexes and all.
func TestReadsLibzimFile(t *testing.T) {
	bin := realpart.Need(t, "zimwriterfs", "Debian package zim-tools")
	a := sample(t, persian)
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	files := map[string][]byte{"ill.png": a.Metadata.Illustration48}
	for _, e := range a.Entries {
		files[e.Path] = e.Data
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(site, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(site, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "libzim.zim")
	m := a.Metadata
	out, err := exec.Command(bin, "--welcome=index.html", "--illustration=ill.png", "--language="+m.Language,
		"--title="+m.Title, "--description="+m.Description, "--creator="+m.Creator, "--publisher="+m.Publisher,
		"--name="+m.Name, site, file).CombinedOutput()
	if err != nil {
		t.Fatalf("zimwriterfs: %v\n%s", err, out)
	}
	r, err := OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Checksum(); err != nil {
		t.Error(err)
	}
	if got := r.Main(); got != "index.html" {
		t.Errorf("Main() = %q, want index.html", got)
	}
	paths := r.Paths()
	for p, want := range files {
		if !slices.Contains(paths, p) {
			t.Errorf("Paths() lacks %q: %q", p, paths)
			continue
		}
		got, _, err := r.Content(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Content(%q) = %d bytes, %v; want %d bytes", p, len(got), err, len(want))
		}
	}
	for name, want := range map[string]string{"Title": m.Title, "Language": m.Language, "Name": m.Name, "Illustration_48x48@1": string(m.Illustration48)} {
		if got, ok := r.Metadata(name); !ok || string(got) != want {
			t.Errorf("Metadata(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
