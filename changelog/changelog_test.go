package changelog_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/store/sqlite"
)

func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func service(t *testing.T, s kolokol.Store) {
	t.Helper()
	if err := s.CreateService(context.Background(), &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR,
		Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
}

// recorder is a consumer that remembers what it was fed.
type recorder struct {
	seqs     []int64
	rebuilds int
}

func (r *recorder) consumer() changelog.Consumer {
	return changelog.Consumer{
		Apply: func(_ context.Context, cs []*kolokol.Change) error {
			for _, c := range cs {
				r.seqs = append(r.seqs, c.Seq)
			}
			return nil
		},
		Rebuild: func(context.Context) error { r.rebuilds++; return nil },
	}
}

func banner(t *testing.T, s kolokol.Store, text string) {
	t.Helper()
	if err := s.SetBreaking(context.Background(), &kolokol.Breaking{Service: "ru", Text: text}); err != nil {
		t.Fatal(err)
	}
}

func TestFollowerInMemory(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "kolokol.db"))
	service(t, s)
	banner(t, s, "before")
	var r recorder
	f := changelog.New(s, "", r.consumer(), nil)
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := f.CatchUp(t.Context()); n != 0 || err != nil || r.rebuilds != 0 {
		t.Fatalf("an in-memory follower starts at the end: %d %v, %d rebuilds", n, err, r.rebuilds)
	}
	banner(t, s, "one")
	banner(t, s, "two")
	if n, err := f.CatchUp(t.Context()); n != 2 || err != nil || len(r.seqs) != 2 || r.seqs[1] != f.Cursor() {
		t.Fatalf("caught up %d (%v): %v, cursor %d", n, err, r.seqs, f.Cursor())
	}
	if n, _ := f.CatchUp(t.Context()); n != 0 {
		t.Errorf("caught up %d changes twice", n)
	}
	// More than a batch.
	for i := range kolokol.MaxChangeBatch + 10 {
		banner(t, s, fmt.Sprint(i))
	}
	if n, err := f.CatchUp(t.Context()); n != kolokol.MaxChangeBatch+10 || err != nil {
		t.Errorf("caught up %d of %d: %v", n, kolokol.MaxChangeBatch+10, err)
	}
}

func TestFollowerDurableAndBehind(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "kolokol.db"))
	service(t, s)
	var r recorder
	f := changelog.New(s, "export", r.consumer(), nil)
	if err := f.Start(t.Context()); err != nil || r.rebuilds != 1 {
		t.Fatalf("a new durable consumer rebuilds first: %v, %d", err, r.rebuilds)
	}
	banner(t, s, "a")
	f.CatchUp(t.Context())
	if c, err := s.FindCursor(t.Context(), "export"); err != nil || c != f.Cursor() {
		t.Errorf("stored cursor %d (%v), follower at %d", c, err, f.Cursor())
	}
	// A second follower of the same name picks up where the first left.
	banner(t, s, "b")
	var r2 recorder
	f2 := changelog.New(s, "export", r2.consumer(), nil)
	if n, err := f2.CatchUp(t.Context()); n != 1 || err != nil || r2.rebuilds != 0 {
		t.Errorf("resumed: %d %v, %d rebuilds", n, err, r2.rebuilds)
	}
	// Fallen behind past the log's retention: rebuild, and go on from the end.
	for i := range 20 {
		banner(t, s, fmt.Sprint(i))
	}
	if _, err := s.PruneChanges(t.Context(), 5); err != nil {
		t.Fatal(err)
	}
	n, err := f2.CatchUp(t.Context())
	_, last, _ := s.ChangeBounds(t.Context())
	if err != nil || r2.rebuilds != 1 || n != 0 || f2.Cursor() != last {
		t.Errorf("behind: %d %v, %d rebuilds, cursor %d of %d", n, err, r2.rebuilds, f2.Cursor(), last)
	}
}

// The kill test. The child process commits a newsroom operation and is
// killed (SIGKILL) before any consumer reads it; the consumer that stored
// its cursor before gets the change after the restart, exactly once.
func TestCrashAfterCommit(t *testing.T) {
	if dir := os.Getenv("KOLOKOL_CHANGELOG_CHILD"); dir != "" {
		child(dir)
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "kolokol.db")
	s := openStore(t, path)
	service(t, s)
	a := &kolokol.Article{Service: "ru", Headline: "Паром вернулся", Body: "Текст.", Status: kolokol.StatusDraft}
	a.Normalize()
	if err := s.CreateArticle(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	var r recorder
	export := changelog.New(s, "export", r.consumer(), nil)
	if _, err := export.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := export.Cursor()
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAfterCommit$")
	cmd.Env = append(os.Environ(), "KOLOKOL_CHANGELOG_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "committed ") {
		cmd.Process.Kill()
		t.Fatalf("the child said %q (%v)", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	state, _ := cmd.Process.Wait()
	if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed: %v", state)
	}

	s = openStore(t, path)
	var after recorder
	restarted := changelog.New(s, "export", after.consumer(), nil)
	n, err := restarted.CatchUp(t.Context())
	if err != nil || n != 1 || after.rebuilds != 0 {
		t.Fatalf("after the restart: %d changes (%v), %d rebuilds; want the publication, once", n, err, after.rebuilds)
	}
	cs, _ := s.FindChanges(t.Context(), before, 0)
	if len(cs) != 1 || cs[0].ArticleID != a.ID || !cs[0].Listed || after.seqs[0] != cs[0].Seq {
		t.Errorf("the change delivered: %v, logged %+v", after.seqs, cs)
	}
	if got, _ := s.FindArticleByID(t.Context(), a.ID); !got.IsLive() {
		t.Error("the publication did not survive the crash")
	}
	if n, _ := restarted.CatchUp(t.Context()); n != 0 {
		t.Errorf("delivered again: %d", n)
	}
	if line != "committed "+strconv.FormatInt(a.ID, 10)+"\n" {
		t.Errorf("the child published %q", line)
	}
}

// child publishes the story through the desk, says so, and waits to be
// killed: no consumer of its own reads the change.
func child(dir string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "kolokol.db"))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	d := desk.New(s, nil, nil, nil)
	arts, err := s.FindArticles(ctx, kolokol.ArticleFilter{Service: "ru"})
	if err != nil || len(arts) != 1 {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := d.Publish(ctx, kolokol.Actor{Name: "editor", Role: kolokol.RoleEditor, Services: []string{"ru"}}, arts[0].ID); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Printf("committed %d\n", arts[0].ID)
	time.Sleep(time.Minute)
	os.Exit(2)
}

// BenchmarkCatchUp10k: a consumer 10,000 changes behind catches up.
func BenchmarkCatchUp10k(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "kolokol.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}); err != nil {
		b.Fatal(err)
	}
	err = s.InTx(ctx, func(tx kolokol.Store) error {
		for i := range 10_000 {
			if err := tx.SetBreaking(ctx, &kolokol.Breaking{Service: "ru", Text: fmt.Sprint("Срочно ", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	_, last, _ := s.ChangeBounds(ctx)
	b.ResetTimer()
	for i := range b.N {
		// A durable consumer at the start of the log: 10,000 behind.
		name := fmt.Sprint("bench", i)
		if err := s.SetCursor(ctx, name, 0); err != nil {
			b.Fatal(err)
		}
		n := 0
		f := changelog.New(s, name, changelog.Consumer{Apply: func(_ context.Context, cs []*kolokol.Change) error {
			n += len(cs)
			return nil
		}}, nil)
		if _, err := f.CatchUp(ctx); err != nil || f.Cursor() != last || n != int(last) {
			b.Fatalf("caught up %d, to %d of %d: %v", n, f.Cursor(), last, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/10k-changes")
}

// TestFollowerRestart: a durable follower that stood by while another
// server's follower of the same name went on (a job under a lease) starts
// again from the stored cursor, not its own; an in-memory one is not moved.
func TestFollowerRestart(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "kolokol.db"))
	service(t, s)
	var here, there recorder
	f := changelog.New(s, "cdn-purge", here.consumer(), nil)
	if err := f.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	banner(t, s, "a")
	if n, _ := f.CatchUp(t.Context()); n != 1 {
		t.Fatalf("caught up %d", n)
	}
	// The other server's follower applies two changes.
	other := changelog.New(s, "cdn-purge", there.consumer(), nil)
	banner(t, s, "b")
	banner(t, s, "c")
	if n, _ := other.CatchUp(t.Context()); n != 2 {
		t.Fatalf("the other caught up %d", n)
	}
	banner(t, s, "d")
	f.Restart()
	if n, err := f.CatchUp(t.Context()); n != 1 || err != nil || len(here.seqs) != 2 {
		t.Errorf("after restart: caught up %d (%v), applied %v; want only the change after the stored cursor", n, err, here.seqs)
	}
	var mem recorder
	m := changelog.New(s, "", mem.consumer(), nil)
	m.Start(t.Context())
	banner(t, s, "e")
	m.Restart()
	if n, _ := m.CatchUp(t.Context()); n != 1 {
		t.Errorf("an in-memory follower restarted skipped or repeated: %d", n)
	}
}
