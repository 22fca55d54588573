package media

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"

	"github.com/kolokol/kolokol"
)

// Imager makes the master and renditions of an image: a Processor in this
// process, or a Worker that runs one in a child process.
type Imager interface {
	Process(ctx context.Context, data []byte, focal FocalPoint) (*Result, error)
	Rerender(ctx context.Context, master []byte, focal FocalPoint) (*Result, error)
}

var (
	_ Imager = (*Processor)(nil)
	_ Imager = (*Worker)(nil)
)

type workerRequest struct {
	Rerender bool
	Data     []byte
	Focal    FocalPoint
}

type workerResponse struct {
	Result   *Result
	Err      *kolokol.Error // an error to show the editor
	Internal string         // any other error
}

// Serve is the child's side of a Worker: it answers requests read from r
// on w until r ends.
func Serve(ctx context.Context, p *Processor, r io.Reader, w io.Writer) error {
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	for {
		var req workerRequest
		if err := dec.Decode(&req); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("media worker: read request: %w", err)
		}
		var res *Result
		var err error
		if req.Rerender {
			res, err = p.Rerender(ctx, req.Data, req.Focal)
		} else {
			res, err = p.Process(ctx, req.Data, req.Focal)
		}
		resp := workerResponse{Result: res}
		var ke *kolokol.Error
		if errors.As(err, &ke) {
			resp.Err = ke
		} else if err != nil {
			resp.Internal = err.Error()
		}
		if err := enc.Encode(&resp); err != nil {
			return fmt.Errorf("media worker: write response: %w", err)
		}
	}
}

// Worker hands image work to a child process. The image decoders then never
// run beside the reader site, and neither does the WebAssembly WebP encoder:
// Go's garbage collector cannot interrupt it, so in-process it would stall
// every reader request for as long as one encode lasts. The child is started
// on first use and again after it dies; requests take turns.
type Worker struct {
	start func() *exec.Cmd

	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *gob.Encoder
	dec   *gob.Decoder
}

// NewWorker returns a Worker whose child is the command start returns; the
// child must run Serve on its standard input and output.
func NewWorker(start func() *exec.Cmd) *Worker { return &Worker{start: start} }

// Process is Processor.Process in the child.
func (w *Worker) Process(ctx context.Context, data []byte, focal FocalPoint) (*Result, error) {
	return w.call(ctx, workerRequest{Data: data, Focal: focal})
}

// Rerender is Processor.Rerender in the child.
func (w *Worker) Rerender(ctx context.Context, master []byte, focal FocalPoint) (*Result, error) {
	return w.call(ctx, workerRequest{Rerender: true, Data: master, Focal: focal})
}

func (w *Worker) call(ctx context.Context, req workerRequest) (*Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reused := w.cmd != nil
	if !reused {
		if err := w.spawn(); err != nil {
			return nil, err
		}
	}
	res, sent, err := w.roundTrip(ctx, req)
	if err != nil && reused && !sent && ctx.Err() == nil {
		// The child died while idle (killed, out of memory): the request
		// never reached it, so a fresh child can take it.
		if err := w.spawn(); err != nil {
			return nil, err
		}
		res, _, err = w.roundTrip(ctx, req)
	}
	return res, err
}

// roundTrip sends one request to the running child and reads the answer;
// sent reports whether the request was written. w.mu is held.
func (w *Worker) roundTrip(ctx context.Context, req workerRequest) (res *Result, sent bool, err error) {
	// A cancelled request kills the child: it cannot be told to stop half
	// way, and the next request starts a fresh one. The kill is guarded so
	// that a context cancelled after the answer came (as every HTTP
	// request's is, once its handler returns) never kills a healthy child.
	var guard sync.Mutex
	inFlight := true
	cmd := w.cmd
	stopWatch := context.AfterFunc(ctx, func() {
		guard.Lock()
		defer guard.Unlock()
		if inFlight {
			cmd.Process.Kill()
		}
	})
	var resp workerResponse
	err = w.enc.Encode(&req)
	if err == nil {
		sent = true
		err = w.dec.Decode(&resp)
	}
	guard.Lock()
	inFlight = false
	guard.Unlock()
	stopWatch()
	if err != nil {
		w.stop()
		if ctx.Err() != nil {
			return nil, sent, ctx.Err()
		}
		return nil, sent, fmt.Errorf("media worker: %w", err)
	}
	switch {
	case resp.Err != nil:
		return nil, true, resp.Err
	case resp.Internal != "":
		return nil, true, fmt.Errorf("media worker: %s", resp.Internal)
	case resp.Result == nil:
		return nil, true, fmt.Errorf("media worker: empty response")
	}
	return resp.Result, true, nil
}

func (w *Worker) spawn() error {
	cmd := w.start()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("media worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("media worker: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("media worker: start: %w", err)
	}
	w.cmd, w.stdin = cmd, stdin
	w.enc, w.dec = gob.NewEncoder(stdin), gob.NewDecoder(stdout)
	return nil
}

// stop ends the child; w.mu is held.
func (w *Worker) stop() {
	if w.cmd == nil {
		return
	}
	w.stdin.Close()
	w.cmd.Process.Kill()
	w.cmd.Wait()
	w.cmd = nil
}

// Close stops the child, if one runs.
func (w *Worker) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stop()
	return nil
}
