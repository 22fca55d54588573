package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/export"
)

// Exporter brings the signed tree up to date (export.Exporter).
type Exporter interface {
	Run(ctx context.Context) (*export.Result, error)
}

// Publisher keeps every live mirror at the newsroom's newest edition: woken
// after each change, it brings the export up to date and pushes what
// changed. A mirror that fails is retried with backoff on its own; it
// holds up neither the others nor the newsroom, whose operations only wake
// the publisher.
type Publisher struct {
	Export Exporter
	// Tree is the export's output directory, the tree pushed.
	Tree    string
	Pusher  *Pusher
	Mirrors interface {
		FindMirrors(ctx context.Context) ([]*kolokol.Mirror, error)
	}
	// Retry is the first wait after a failure, doubled after each one
	// up to MaxRetry (defaults 15 s and 10 min).
	Retry, MaxRetry time.Duration
	Log             *slog.Logger

	once sync.Once
	wake chan struct{}
}

// Round is what one pass of the publisher did.
type Round struct {
	At      time.Time
	Export  *export.Result // nil when there was no live mirror, or the export failed
	Reports []Report
	Err     error // the export's failure
}

func (p *Publisher) init() {
	p.once.Do(func() {
		p.wake = make(chan struct{}, 1)
		if p.Retry <= 0 {
			p.Retry = 15 * time.Second
		}
		if p.MaxRetry < p.Retry {
			p.MaxRetry = max(10*time.Minute, p.Retry)
		}
		if p.Log == nil {
			p.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Notify asks for a pass soon. It never blocks: changes that come while a
// pass runs are taken by the next one.
func (p *Publisher) Notify() {
	p.init()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Apply is the publisher as a change log consumer: every batch of changes
// wakes it. The export reads the changes itself, from its own cursor.
func (p *Publisher) Apply(context.Context, []*kolokol.Change) error {
	p.Notify()
	return nil
}

// Run makes a pass at once, then one each time it is woken, when a
// failed push is due again, and when a page must change by itself (a
// breaking-news banner ending), until ctx ends.
func (p *Publisher) Run(ctx context.Context) {
	p.init()
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		r := p.Pass(ctx)
		var wait time.Duration = -1
		if failed(r) {
			backoff = min(max(2*backoff, p.Retry), p.MaxRetry)
			wait = backoff
		} else {
			backoff = 0
		}
		if r.Export != nil && !r.Export.NextExpiry.IsZero() {
			if d := time.Until(r.Export.NextExpiry) + time.Second; wait < 0 || d < wait {
				wait = max(d, time.Second)
			}
		}
		var timer <-chan time.Time
		var t *time.Timer
		if wait >= 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

func failed(r Round) bool {
	if r.Err != nil {
		return true
	}
	for _, rep := range r.Reports {
		if rep.Err != nil {
			return true
		}
	}
	return false
}

// Pass exports and pushes once: every live mirror that is not known to
// hold the edition is pushed. With no live mirror it exports nothing: a
// newsroom without mirrors pays nothing for them.
func (p *Publisher) Pass(ctx context.Context) Round {
	p.init()
	r := Round{At: time.Now()}
	r.Reports, r.Export, r.Err = p.pass(ctx)
	if r.Err != nil {
		p.Log.Error("mirrors: export", "err", r.Err)
	} else if r.Export != nil && (r.Export.Signed || len(r.Reports) > 0) {
		p.Log.Info("mirrors: pass", "edition", r.Export.Edition, "export", r.Export.Took.Round(time.Millisecond),
			"pushed", len(r.Reports), "took", time.Since(r.At).Round(time.Millisecond))
	}
	return r
}

func (p *Publisher) pass(ctx context.Context) ([]Report, *export.Result, error) {
	all, err := p.Mirrors.FindMirrors(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list mirrors: %w", err)
	}
	var live []*kolokol.Mirror
	for _, m := range all {
		if m.Live() {
			live = append(live, m)
		}
	}
	if len(live) == 0 {
		return nil, nil, nil
	}
	res, err := p.Export.Run(ctx)
	if err != nil {
		return nil, nil, err
	}
	var due []*kolokol.Mirror
	for _, m := range live {
		// Health says what the last push left; one that failed, or
		// pushed another edition, is pushed again. A push to a mirror
		// already at the edition costs a manifest read.
		if m.Health.Edition != res.Edition || m.Health.Error != "" {
			due = append(due, m)
		}
	}
	if len(due) == 0 {
		return nil, res, nil
	}
	tree, err := OpenTree(p.Tree)
	if err != nil {
		return nil, res, err
	}
	defer tree.Close()
	return p.Pusher.Push(ctx, tree, due), res, nil
}
