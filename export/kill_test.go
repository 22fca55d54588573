package export

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/store/sqlite"
)

// TestMain runs the child of TestKilledExport when it starts this binary
// with KOLOKOL_KILL_AT set, and the tests otherwise.
func TestMain(m *testing.M) {
	if at := os.Getenv("KOLOKOL_KILL_AT"); at != "" {
		err := killedExportChild(at)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// killedExportChild exports the newsroom in KOLOKOL_KILL_DATA to
// KOLOKOL_KILL_OUT and kills itself with SIGKILL at the step
// KOLOKOL_KILL_AT names ("move:3": after the third file moved into the
// tree). It returns only on failure.
func killedExportChild(at string) error {
	kind, nth, _ := strings.Cut(at, ":")
	want, err := strconv.Atoi(nth)
	if err != nil {
		return err
	}
	ctx := context.Background()
	data, out := os.Getenv("KOLOKOL_KILL_DATA"), os.Getenv("KOLOKOL_KILL_OUT")
	st, err := sqlite.Open(ctx, filepath.Join(data, "kolokol.db"))
	if err != nil {
		return err
	}
	blobs, err := media.NewDir(filepath.Join(data, "media"))
	if err != nil {
		return err
	}
	signer, err := sign.LoadSigner(data, time.Now())
	if err != nil {
		return err
	}
	stateDir, err := StateDir(data, out)
	if err != nil {
		return err
	}
	e, err := New(st, blobs, Options{Out: out, StateDir: stateDir, Signer: signer, Workers: 1,
		Render: render.Options{BaseURL: origin, SiteName: "Kolokol"}})
	if err != nil {
		return err
	}
	seen := 0
	e.step = func(k string) {
		if k == kind {
			if seen++; seen == want {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	}
	if _, err := e.Run(ctx); err != nil {
		return err
	}
	return fmt.Errorf("the export finished without reaching %s (%d %q steps)", at, seen, kind)
}

// TestKilledExport: an export killed by SIGKILL at each kind of step
// leaves a tree that verifies, as the old edition or as an update in
// progress, never as tampered; the next run completes it, to exactly what
// a fresh export writes.
func TestKilledExport(t *testing.T) {
	for _, at := range []string{"stage:5", "next:1", "move:7", "remove:1", "manifest:1"} {
		t.Run(at, func(t *testing.T) {
			n := newNewsroom(t)
			ctx := context.Background()
			out := filepath.Join(t.TempDir(), "mirror")
			first := run(t, n.exporter(t, out, Options{}))

			// Changes that write pages, remove one and change the lists.
			a, err := n.desk.CreateArticle(ctx, admin, desk.ArticleInput{Service: "ru", Headline: "Паром вернулся", Summary: "Кратко.", Body: "Текст."})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := n.desk.Publish(ctx, admin, a.ID); err != nil {
				t.Fatal(err)
			}
			live, err := n.store.FindArticles(ctx, kolokol.ArticleFilter{Service: "fa", Status: kolokol.StatusPublished, Limit: 1})
			if err != nil || len(live) == 0 {
				t.Fatal(err)
			}
			if _, err := n.desk.Unpublish(ctx, admin, live[0].ID); err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "KOLOKOL_KILL_AT="+at, "KOLOKOL_KILL_DATA="+n.data, "KOLOKOL_KILL_OUT="+out)
			output, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child was not killed at %s: %v\n%s", at, err, output)
			}

			r, err := sign.Verify(ctx, sign.Dir(out), sign.Options{Keys: n.signer.Keyring(), MinEdition: first.Edition, Origin: origin})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(r.Findings) - r.Count(sign.Updating); n > 0 {
				t.Fatalf("killed at %s, the tree fails verification: %v", at, r.Findings)
			}
			if inProgress := r.InProgress(); inProgress != (at != "stage:5" && at != "manifest:1") {
				t.Errorf("killed at %s: in progress %v", at, inProgress)
			}

			// Killed while staging, the tree was not touched yet: the
			// next run may trust its index.
			res := run(t, n.exporter(t, out, Options{}))
			if staging := strings.HasPrefix(at, "stage:"); !staging && (!res.Full || res.Why != "the last run did not finish") {
				t.Errorf("the run after the kill: full %v (%s)", res.Full, res.Why)
			}
			n.verify(t, out, first.Edition+1)
			got := manifest(t, out)
			full := filepath.Join(t.TempDir(), "full")
			run(t, n.exporter(t, full, Options{}))
			want := manifest(t, full)
			if !maps.Equal(got, want) {
				for _, f := range slices.Sorted(maps.Keys(want)) {
					if got[f] != want[f] {
						t.Errorf("%s: after the kill %.12s, fresh %.12s", f, got[f], want[f])
					}
				}
				t.Fatalf("%d files after the kill, %d in a fresh export", len(got), len(want))
			}
		})
	}
}
