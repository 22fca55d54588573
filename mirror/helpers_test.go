package mirror

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolokol/kolokol/sign"
)

const origin = "https://news.example.org"

// site is the content of an edition: path → bytes.
type site map[string]string

func (s site) with(changes site, removed ...string) site {
	out := maps.Clone(s)
	maps.Copy(out, changes)
	for _, r := range removed {
		delete(out, r)
	}
	return out
}

// firstSite is a small site in the shape of an export.
func firstSite() site {
	s := site{"index.html": "<!doctype html><title>Kolokol</title>",
		"style.css": "body{margin:0}", "ru/index.html": "<p>Русская служба</p>", "fa/index.html": "<p dir=rtl>فارسی</p>"}
	for i := range 12 {
		s[fmt.Sprintf("ru/a/%d-паром/index.html", i)] = fmt.Sprintf("<h1>Паром %d</h1>", i)
	}
	return s
}

// writeTree writes a signed tree as the exporter does: the files, then
// the edition signed with a throw-away key (its parts, manifest, sums and
// signatures). It returns the opened tree.
func writeTree(t *testing.T, dir string, edition int64, s site) *Tree {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	m := sign.Manifest{Origin: origin, Edition: edition, Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	for _, p := range slices.Sorted(maps.Keys(s)) {
		write(t, filepath.Join(dir, p), s[p])
		m.Files = append(m.Files, sign.File{Path: p, SHA256: hashOf([]byte(s[p])), Size: int64(len(s[p]))})
	}
	signer, err := sign.LoadSigner(t.TempDir(), m.Time)
	if err != nil {
		t.Fatal(err)
	}
	e, err := signer.Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	tree, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return tree
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// quick retries briefly: the tests' failures are not passing ones.
var quick = Backoff{Attempts: 2, Min: time.Millisecond, Max: time.Millisecond}

// counter counts a push's steps.
type counter struct {
	mu    sync.Mutex
	puts  []string
	dels  []string
	steps int
}

func (c *counter) step(s Step) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps++
	if s.Op == "put" {
		c.puts = append(c.puts, s.Path)
	} else {
		c.dels = append(c.dels, s.Path)
	}
}

// sitePaths drops the signed files from a list of paths.
func sitePaths(l []string) []string {
	var out []string
	for _, p := range l {
		if !reserved(p) && !sign.IsPart(p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func pushTo(t *testing.T, target Target, tree *Tree, journal string) (*Result, *counter) {
	t.Helper()
	c := &counter{}
	res, err := Push(t.Context(), target, tree, Options{Journal: journal, Backoff: quick, Progress: c.step})
	if err != nil {
		t.Fatalf("push edition %d: %v", tree.Manifest.Edition, err)
	}
	return res, c
}

// remoteManifest reads a target's manifest of that name; nil when none.
func remoteManifest(t *testing.T, target Target, name string) *sign.Manifest {
	t.Helper()
	m, _, err := readRemoteManifest(t.Context(), target, name, quick, nil)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return m
}

// checkConsistent is what a verifier requires of a mirror: every file the
// current or the next manifest lists is on the target as one of them
// lists it, or absent where one of them does not list it; the next
// manifest, when there is one, comes with its signature and sums. It
// returns the current and next editions.
func checkConsistent(t *testing.T, target Target) (cur, next int64) {
	t.Helper()
	c := remoteManifest(t, target, sign.ManifestFile)
	n := remoteManifest(t, target, sign.NextPrefix+sign.ManifestFile)
	if c == nil && n == nil {
		return 0, 0
	}
	allowed := map[string][]string{} // path → allowed hashes ("" for absent)
	for _, m := range []*sign.Manifest{c, n} {
		if m == nil {
			continue
		}
		byPath, _ := index(m)
		for _, other := range []*sign.Manifest{c, n} {
			if other == nil {
				continue
			}
			for _, f := range other.Files {
				if g, ok := byPath[f.Path]; ok {
					allowed[f.Path] = append(allowed[f.Path], g.SHA256)
				} else {
					allowed[f.Path] = append(allowed[f.Path], "")
				}
			}
		}
	}
	if c == nil {
		// A first push: nothing is current, so any file may be absent.
		for p := range allowed {
			allowed[p] = append(allowed[p], "")
		}
	}
	for p, hashes := range allowed {
		b, err := target.Get(t.Context(), p, 1<<20)
		got := ""
		if err == nil {
			got = hashOf(b)
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("read %s: %v", p, err)
		}
		if !slices.Contains(hashes, got) {
			t.Errorf("%s on %s matches neither manifest (sha256 %q, allowed %q)", p, target, got, hashes)
		}
	}
	if n != nil {
		for _, name := range []string{sign.ManifestFile + sign.SigSuffix, sign.SumsFile, sign.SumsFile + sign.SigSuffix} {
			if _, err := target.Get(t.Context(), sign.NextPrefix+name, 1<<20); err != nil {
				t.Errorf("the next manifest is there without %s%s: %v", sign.NextPrefix, name, err)
			}
		}
		next = n.Edition
	}
	if c != nil {
		cur = c.Edition
	}
	return cur, next
}

// checkEqual requires the target to serve exactly the tree: its files,
// its signed files, no next- file.
func checkEqual(t *testing.T, target Target, tree *Tree) {
	t.Helper()
	for _, f := range tree.Manifest.Files {
		b, err := target.Get(t.Context(), f.Path, 1<<20)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
		} else if hashOf(b) != f.SHA256 {
			t.Errorf("%s on %s is not the tree's", f.Path, target)
		}
	}
	for _, name := range signedFiles {
		b, err := target.Get(t.Context(), name, MaxManifestBytes)
		if err != nil || string(b) != string(tree.signed[name]) {
			t.Errorf("%s on %s is not the tree's: %v", name, target, err)
		}
		if _, err := target.Get(t.Context(), sign.NextPrefix+name, 1<<20); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s%s left on %s: %v", sign.NextPrefix, name, target, err)
		}
	}
}

// listDir lists the files under dir, slash-separated, for the checks that
// a directory holds nothing else.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// The kill tests run a push in a child process: this test binary again,
// with the helper's environment. The child reports each step on stdout
// and waits for a line on stdin before going on, so the parent kills it
// (SIGKILL, no chance to clean up) exactly after the step it chose.
const helperEnv = "KOLOKOL_MIRROR_PUSH_HELPER"

// helperConfig is what the child pushes where.
type helperConfig struct {
	Kind    string     `json:"kind"` // dir, s3, sftp
	Dir     string     `json:"dir,omitempty"`
	S3      S3Config   `json:"s3"`
	SFTP    SFTPConfig `json:"sftp"`
	Tree    string     `json:"tree"`
	Journal string     `json:"journal"`
}

func (c helperConfig) open() (Target, error) {
	switch c.Kind {
	case "dir":
		return OpenDir(c.Dir)
	case "s3":
		return OpenS3(c.S3)
	case "sftp":
		return OpenSFTP(c.SFTP)
	}
	return nil, fmt.Errorf("unknown kind %q", c.Kind)
}

// TestMain runs the child's side when the kill tests start this binary
// with the helper's environment, and the tests otherwise.
func TestMain(m *testing.M) {
	if raw := os.Getenv(helperEnv); raw != "" {
		if err := pushHelper(raw); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// pushHelper is the child's side: a push that reports each step and
// waits for the parent's go-ahead.
func pushHelper(raw string) error {
	var c helperConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return err
	}
	target, err := c.open()
	if err != nil {
		return err
	}
	tree, err := OpenTree(c.Tree)
	if err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	_, err = Push(context.Background(), target, tree, Options{Journal: c.Journal, Workers: 1, Backoff: quick, Progress: func(s Step) {
		fmt.Printf("STEP %s %s\n", s.Op, s.Path)
		if _, err := in.ReadString('\n'); err != nil {
			os.Exit(3) // the parent went away
		}
	}})
	if err != nil {
		return err
	}
	fmt.Println("DONE")
	return nil
}

// killedPush runs a push in a child and SIGKILLs it right after its
// stepth step (1-based). It returns the steps the child reported, and
// whether it finished before that many.
func killedPush(t *testing.T, c helperConfig, after int) (steps []string, finished bool) {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		if line == "DONE" {
			finished = true
			break
		}
		step, ok := strings.CutPrefix(line, "STEP ")
		if !ok {
			continue
		}
		steps = append(steps, step)
		if len(steps) == after {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	stdin.Close()
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if !finished {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("the child was not killed after step %d: %v\n%s", after, err, stderr.String())
		}
	} else if err != nil {
		t.Fatalf("the child failed: %v\n%s", err, stderr.String())
	}
	return steps, finished
}
