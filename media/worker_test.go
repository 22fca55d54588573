package media

import (
	"context"
	"github.com/kolokol/kolokol/media/mediatest"
	"os"
	"os/exec"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestMain lets this test binary serve as a media worker child.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "media-worker" {
		p, err := NewProcessor(Options{})
		if err == nil {
			err = Serve(context.Background(), p, os.Stdin, os.Stdout)
		}
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func newWorker(t *testing.T) *Worker {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(func() *exec.Cmd { return exec.Command(exe, "media-worker") })
	t.Cleanup(func() { w.Close() })
	return w
}

// The child gives what the processor gives in process, errors included, and
// a new child replaces one that was killed.
func TestWorker(t *testing.T) {
	w := newWorker(t)
	p := newProcessor(t, Options{})
	upload := mediatest.CameraJPEG(t, photo(800, 600, 7), 6)
	got, err := w.Process(t.Context(), upload, Centre)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Process(t.Context(), upload, Centre)
	if err != nil {
		t.Fatal(err)
	}
	if got.Master.Key != want.Master.Key || len(got.Renditions) != len(want.Renditions) || got.Orientation != 6 {
		t.Fatalf("worker master %s with %d renditions (orientation %d); in process %s with %d",
			got.Master.Key, len(got.Renditions), got.Orientation, want.Master.Key, len(want.Renditions))
	}
	for i := range got.Renditions {
		if got.Renditions[i].Key != want.Renditions[i].Key {
			t.Errorf("rendition %d: %s from the worker, %s in process", i, got.Renditions[i].Key, want.Renditions[i].Key)
		}
	}
	pid := w.cmd.Process.Pid
	if pid == os.Getpid() {
		t.Fatal("the worker runs in this process")
	}

	// An editor's mistake comes back as the same *kolokol.Error.
	_, err = w.Process(t.Context(), []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), Centre)
	_, wantErr := p.Process(t.Context(), []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), Centre)
	if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorMessage(err) != kolokol.ErrorMessage(wantErr) {
		t.Errorf("worker error %v, in process %v", err, wantErr)
	}
	if w.cmd == nil || w.cmd.Process.Pid != pid {
		t.Error("an editor's mistake restarted the worker")
	}

	// A context cancelled after the answer (as every HTTP request's is)
	// leaves the child alone.
	small := mediatest.CameraJPEG(t, photo(64, 48, 3), 1)
	for range 20 {
		ctx, cancel := context.WithCancel(t.Context())
		if _, err := w.Process(ctx, small, Centre); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	if w.cmd == nil || w.cmd.Process.Pid != pid {
		t.Fatal("cancelling finished requests killed the worker")
	}

	// A child that dies while idle is replaced, and the request still served.
	w.cmd.Process.Kill()
	w.cmd.Wait()
	if _, err := w.Process(t.Context(), small, Centre); err != nil {
		t.Fatalf("after the idle child died: %v", err)
	}

	// A cancelled request kills the child; the next one starts another.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := w.Process(ctx, upload, Centre); err == nil {
		t.Fatal("a cancelled request succeeded")
	}
	w.mu.Lock()
	w.stop() // as a crash would
	w.mu.Unlock()
	if _, err := w.Rerender(t.Context(), got.Master.Data, FocalPoint{X: 0.1, Y: 0.5}); err != nil {
		t.Fatalf("after the child died: %v", err)
	}
	if w.cmd == nil || w.cmd.Process.Pid == pid {
		t.Error("no new child after the old one died")
	}
}
