package mirror

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/sign"
)

func openDir(t *testing.T, dir string) *Dir {
	t.Helper()
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestDirPush: a first push writes every file; a second push of the same
// edition writes nothing; an edition that changes two files, adds one and
// removes one writes those three and deletes that one, and nothing else;
// the directory then holds exactly the edition.
func TestDirPush(t *testing.T) {
	work := t.TempDir()
	target := filepath.Join(work, "mirror")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	d := openDir(t, target)
	journal := filepath.Join(work, "journal")
	s1 := firstSite()
	tree := writeTree(t, filepath.Join(work, "tree1"), 1, s1)

	res, c := pushTo(t, d, tree, journal)
	if res.Uploaded != len(s1) || res.Deleted != 0 || res.Previous != 0 || res.Edition != 1 || !res.Verified {
		t.Errorf("first push: %+v", res)
	}
	if got := sitePaths(c.puts); len(got) != len(s1) {
		t.Errorf("first push wrote %d site files, want %d", len(got), len(s1))
	}
	checkEqual(t, d, tree)

	res, c = pushTo(t, d, tree, journal)
	if res.Uploaded != 0 || res.Unchanged != len(s1) || !res.Verified || c.steps != 0 {
		t.Errorf("the same edition again: %+v, %d steps (%v %v)", res, c.steps, c.puts, c.dels)
	}

	s2 := s1.with(site{"index.html": "<!doctype html><title>Kolokol 2</title>", "ru/a/3-паром/index.html": "<h1>Исправлено</h1>",
		"ru/a/99-новое/index.html": "<h1>Новое</h1>"}, "fa/index.html")
	tree2 := writeTree(t, filepath.Join(work, "tree2"), 2, s2)
	res, c = pushTo(t, d, tree2, journal)
	wantPuts := []string{"index.html", "ru/a/3-паром/index.html", "ru/a/99-новое/index.html"}
	if got := sitePaths(c.puts); !slices.Equal(got, wantPuts) {
		t.Errorf("the second edition wrote %q, want %q", got, wantPuts)
	}
	if got := sitePaths(c.dels); !slices.Equal(got, []string{"fa/index.html"}) {
		t.Errorf("the second edition deleted %q", got)
	}
	if res.Uploaded != 3 || res.Deleted != 1 || res.Unchanged != len(s2)-3 || res.Previous != 1 || res.Edition != 2 || !res.Verified {
		t.Errorf("second push: %+v", res)
	}
	checkEqual(t, d, tree2)
	want := append(slices.Collect(func(yield func(string) bool) {
		for p := range s2 {
			if !yield(p) {
				return
			}
		}
	}), signedFiles...)
	for _, p := range tree2.Manifest.Parts {
		want = append(want, p.Path)
	}
	slices.Sort(want)
	if got := listDir(t, target); !slices.Equal(got, want) {
		t.Errorf("the mirror holds %q,\nwant %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(target, "fa")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the emptied folder fa/ is still there: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(journal, "objects")); len(entries) != 0 {
		t.Errorf("the journal kept %d files after a complete push", len(entries))
	}

	// An older tree is refused: a mirror is never rolled back.
	if _, err := Push(t.Context(), d, tree, Options{Journal: journal, Backoff: quick}); err == nil || !strings.Contains(err.Error(), "never rolled back") {
		t.Errorf("pushing edition 1 over 2: %v", err)
	}
	checkEqual(t, d, tree2)
}

// TestDirPushKilled kills a push (SIGKILL, in a child process) after each
// kind of step: while the next edition's signed files go up, half-way
// through the files, during the deletes, between the new manifest's
// signature and the manifest, and while the next- files are removed. At
// each point every file matches the current or the next manifest; then a
// push of the same tree completes it, or a push of a newer tree completes
// the interrupted edition first and then pushes its own.
func TestDirPushKilled(t *testing.T) {
	s1 := firstSite()
	s2 := s1.with(site{"index.html": "<title>2</title>", "ru/index.html": "<p>2</p>", "ru/a/1-паром/index.html": "<h1>2</h1>",
		"ru/a/50-новое/index.html": "<h1>new</h1>", "ru/a/51-новое/index.html": "<h1>new 2</h1>"}, "ru/a/7-паром/index.html", "fa/index.html")
	s3 := s2.with(site{"index.html": "<title>3</title>", "ru/a/1-паром/index.html": "<h1>3</h1>", "ru/a/60-ещё/index.html": "<h1>3</h1>"},
		"ru/a/50-новое/index.html")
	// Pushing edition 2 over 1 with one worker takes 19 steps: 4 next-
	// files, 5 uploads, 2 deletes, 4 current signed files, 4 next- deletions.
	for _, after := range []int{1, 3, 4, 5, 7, 9, 10, 11, 13, 14, 15, 16, 18} {
		for _, then := range []string{"same", "newer"} {
			t.Run(fmt.Sprintf("after %d, then %s", after, then), func(t *testing.T) {
				work := t.TempDir()
				target := filepath.Join(work, "mirror")
				os.Mkdir(target, 0o755)
				d := openDir(t, target)
				journal := filepath.Join(work, "journal")
				tree1 := writeTree(t, filepath.Join(work, "tree1"), 1, s1)
				pushTo(t, d, tree1, journal)

				tree2 := writeTree(t, filepath.Join(work, "tree2"), 2, s2)
				steps, finished := killedPush(t, helperConfig{Kind: "dir", Dir: target, Tree: tree2.Dir, Journal: journal}, after)
				if finished {
					t.Fatalf("the push finished in %d steps, before %d: %q", len(steps), after, steps)
				}
				cur, next := checkConsistent(t, d)
				t.Logf("killed after %q: current edition %d, next %d", steps[len(steps)-1], cur, next)
				if cur != 1 && cur != 2 {
					t.Errorf("current edition %d", cur)
				}
				if strays := listDir(t, filepath.Join(target, StagingDir)); len(strays) > 1 {
					t.Errorf("staging holds %q", strays) // at most the one file being written
				}

				switch then {
				case "same":
					res, _ := pushTo(t, d, tree2, journal)
					checkEqual(t, d, tree2)
					if res.Completed != 0 || !res.Verified {
						t.Errorf("resumed push: %+v", res)
					}
				case "newer":
					// The exporter has moved on: tree2 is gone, and only
					// the journal has edition 2's files.
					os.RemoveAll(tree2.Dir)
					tree3 := writeTree(t, filepath.Join(work, "tree3"), 3, s3)
					res, _ := pushTo(t, d, tree3, journal)
					checkEqual(t, d, tree3)
					if (next == 2) != (res.Completed == 2) || !res.Verified {
						t.Errorf("newer push after a kill with next edition %d: %+v", next, res)
					}
				}
				if strays, err := os.ReadDir(filepath.Join(target, StagingDir)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("staging left: %v %v", strays, err)
				}
			})
		}
	}
}

// TestDirRefusesSymlinks: a symlink anywhere under the target, as a
// folder on a file's way, as the file itself or as the staging folder, is
// refused, and nothing is written where it points.
func TestDirRefusesSymlinks(t *testing.T) {
	for _, c := range []struct {
		name, link string
		dir        bool
	}{
		{"folder", "ru", true},
		{"file", "index.html", false},
		{"deep folder", "ru/a", true},
		{"staging", StagingDir, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			work := t.TempDir()
			target, elsewhere := filepath.Join(work, "mirror"), filepath.Join(work, "elsewhere")
			os.MkdirAll(filepath.Dir(filepath.Join(target, c.link)), 0o755)
			os.Mkdir(elsewhere, 0o755)
			point := elsewhere
			if !c.dir {
				point = filepath.Join(elsewhere, "victim")
				write(t, point, "do not overwrite")
			}
			if err := os.Symlink(point, filepath.Join(target, c.link)); err != nil {
				t.Fatal(err)
			}
			d := openDir(t, target)
			tree := writeTree(t, filepath.Join(work, "tree"), 1, firstSite())
			_, err := Push(t.Context(), d, tree, Options{Journal: filepath.Join(work, "journal"), Backoff: quick})
			if err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Fatalf("pushed through a symlink at %s: %v", c.link, err)
			}
			got := listDir(t, elsewhere)
			if c.dir && len(got) != 0 || !c.dir && !slices.Equal(got, []string{"victim"}) {
				t.Errorf("written where the link points: %q", got)
			}
			if b, _ := os.ReadFile(filepath.Join(elsewhere, "victim")); !c.dir && string(b) != "do not overwrite" {
				t.Errorf("the link's file was overwritten: %q", b)
			}
			// Deletes and reads refuse it too.
			if c.link != StagingDir {
				if err := d.Delete(t.Context(), c.link+"/x"); c.dir && (err == nil || !strings.Contains(err.Error(), "symbolic link")) {
					t.Errorf("delete through the link: %v", err)
				}
				if _, err := d.Get(t.Context(), c.link, 100); err == nil || !strings.Contains(err.Error(), "symbolic link") {
					t.Errorf("read the link: %v", err)
				}
			}
		})
	}
}

// TestPathTricks: manifests, the tree's or a mirror's, that list a path
// leaving the root, or that are not manifests, are refused before
// anything is written or deleted, and so are a rollback, another site's
// mirror, and a tree changed after it was signed.
func TestPathTricks(t *testing.T) {
	work := t.TempDir()
	good := writeTree(t, filepath.Join(work, "good"), 5, firstSite())

	// The tree's own manifest.
	for _, p := range []string{"../escape.html", "/etc/passwd", `ru\..\..\x`, "ru/../../x", "a\x00b", "manifest.json", "next-manifest.json", ".kolokol-staging/x"} {
		t.Run("tree lists "+p, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			writeTree(t, dir, 1, site{"index.html": "x"})
			// In the former format, which lists the files itself, and as a
			// part: both are refused.
			quoted, _ := json.Marshal(p)
			raw := `{"origin":"` + origin + `","edition":1,"files":[{"path":` + string(quoted) + `,"sha256":"` + hashOf([]byte("x")) + `","size":1}]}`
			write(t, filepath.Join(dir, sign.ManifestFile), raw)
			if _, err := OpenTree(dir); err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("opened a tree listing %q: %v", p, err)
			}
			part := `{"files":[{"path":` + string(quoted) + `,"sha256":"` + hashOf([]byte("x")) + `","size":1}]}`
			name := "manifests/_." + hashOf([]byte(part))[:16] + ".json"
			write(t, filepath.Join(dir, filepath.FromSlash(name)), part)
			raw = `{"origin":"` + origin + `","edition":1,"parts":[{"path":"` + name + `","sha256":"` + hashOf([]byte(part)) + `","size":` + fmt.Sprint(len(part)) + `}]}`
			write(t, filepath.Join(dir, sign.ManifestFile), raw)
			if _, err := OpenTree(dir); err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("opened a tree listing %q: %v", p, err)
			}
		})
	}

	// What a hostile mirror answers as its manifest.
	outside := filepath.Join(work, "outside")
	write(t, outside, "keep me")
	for _, c := range []struct{ name, manifest, want string }{
		{"dot-dot path", `{"origin":"` + origin + `","edition":1,"files":[{"path":"../outside","sha256":"` + strings.Repeat("a", 64) + `","size":1}]}`, "refused"},
		{"absolute path", `{"origin":"` + origin + `","edition":1,"files":[{"path":"` + outside + `","sha256":"` + strings.Repeat("a", 64) + `","size":1}]}`, "absolute"},
		{"HTML", "<!DOCTYPE html><html><body>Blocked by order of …</body></html>", "HTML"},
		{"not JSON", "garbage", "not a manifest"},
		{"another site", `{"origin":"https://other.example","edition":1,"files":[]}`, "other.example"},
		{"a newer edition", `{"origin":"` + origin + `","edition":9,"files":[]}`, "never rolled back"},
		{"bad hash", `{"origin":"` + origin + `","edition":1,"files":[{"path":"a","sha256":"XYZ","size":1}]}`, "hex"},
	} {
		t.Run("mirror answers "+c.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "mirror")
			write(t, filepath.Join(target, sign.ManifestFile), c.manifest)
			d := openDir(t, target)
			_, err := Push(t.Context(), d, good, Options{Journal: filepath.Join(t.TempDir(), "j"), Backoff: quick})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("pushed over a mirror answering %s: %v", c.name, err)
			}
			if got := listDir(t, target); !slices.Equal(got, []string{sign.ManifestFile}) {
				t.Errorf("the mirror was written: %q", got)
			}
			if readFile(t, outside) != "keep me" {
				t.Error("a file outside the mirror was touched")
			}
		})
	}
	for _, p := range []string{"../outside", outside, "a/../../outside"} {
		d := openDir(t, t.TempDir())
		if err := d.Delete(t.Context(), p); err == nil {
			t.Errorf("deleted %q", p)
		}
		if err := d.Put(t.Context(), p, []byte("x")); err == nil {
			t.Errorf("wrote %q", p)
		}
	}
	if readFile(t, outside) != "keep me" {
		t.Error("a file outside the mirror was touched")
	}

	// A tree whose file changed after signing: refused before the mirror
	// hears of the edition.
	target := filepath.Join(work, "mirror")
	os.Mkdir(target, 0o755)
	write(t, filepath.Join(good.Dir, "ru/index.html"), "<p>altered</p>")
	_, err := Push(t.Context(), openDir(t, target), good, Options{Journal: filepath.Join(work, "j"), Backoff: quick})
	if err == nil || !strings.Contains(err.Error(), "changed after it was signed") {
		t.Errorf("pushed an altered tree: %v", err)
	}
	if got := listDir(t, target); len(got) != 0 {
		t.Errorf("the mirror was written: %q", got)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
