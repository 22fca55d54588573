package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/kolokol/kolokol"
)

// OpenTarget opens the target of a configured mirror with its secret (the
// S3 secret key or the SSH private key; none for a directory).
func OpenTarget(m *kolokol.Mirror, secret []byte) (Target, error) {
	switch m.Kind {
	case kolokol.MirrorDir:
		return OpenDir(m.Dir)
	case kolokol.MirrorS3:
		return OpenS3(S3Config{Endpoint: m.Endpoint, Bucket: m.Bucket, Prefix: m.Prefix, Region: m.Region, TLS: m.TLS,
			AccessKey: m.AccessKey, SecretKey: string(secret)})
	case kolokol.MirrorSFTP:
		return OpenSFTP(SFTPConfig{Host: m.Host, Port: m.Port, User: m.User, Path: m.RemotePath, PrivateKey: secret, HostKey: m.HostKey})
	}
	return nil, fmt.Errorf("mirror %d is of unknown kind %q", m.ID, m.Kind)
}

// Pusher pushes a tree to configured mirrors, several at once, and keeps
// each one's health in the store. One mirror failing, or hanging until its
// retries run out, holds up none of the others.
type Pusher struct {
	Store   kolokol.Mirrors
	Secrets kolokol.MirrorSecrets
	// Dir holds each mirror's journal (Dir/<id>.journal): DATA/mirrors.
	Dir string
	// Parallel is how many mirrors are pushed at once (default 4).
	Parallel int
	// Options are each push's; Journal is set per mirror.
	Options Options
	Log     *slog.Logger
	Now     func() time.Time
}

// Report is one mirror's outcome.
type Report struct {
	Mirror *kolokol.Mirror
	Result *Result // nil when the push did not start
	Err    error
}

// Push pushes the tree to each mirror (retired ones are skipped) and
// returns their reports in the order given.
func (p *Pusher) Push(ctx context.Context, tree *Tree, mirrors []*kolokol.Mirror) []Report {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	reports := make([]Report, len(mirrors))
	parallel := p.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, m := range mirrors {
		reports[i].Mirror = m
		if !m.Live() {
			reports[i].Err = fmt.Errorf("mirror %d %q is retired", m.ID, m.Name)
			continue
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				reports[i].Err = fmt.Errorf("push to mirror %q: %w", m.Name, ctx.Err())
				return
			}
			reports[i].Result, reports[i].Err = p.pushOne(ctx, tree, m)
			p.record(ctx, m, reports[i], now())
		})
	}
	wg.Wait()
	return reports
}

func (p *Pusher) pushOne(ctx context.Context, tree *Tree, m *kolokol.Mirror) (*Result, error) {
	var secret []byte
	if m.Kind != kolokol.MirrorDir {
		var err error
		if secret, err = p.Secrets.MirrorSecret(ctx, m.ID); err != nil {
			return nil, fmt.Errorf("push to mirror %q: %w", m.Name, err)
		}
	}
	t, err := OpenTarget(m, secret)
	if err != nil {
		return nil, fmt.Errorf("push to mirror %q: %w", m.Name, err)
	}
	defer t.Close()
	opt := p.Options
	opt.Journal = filepath.Join(p.Dir, strconv.FormatInt(m.ID, 10)+".journal")
	res, err := Push(ctx, t, tree, opt)
	if err != nil {
		return res, fmt.Errorf("mirror %q: %w", m.Name, err)
	}
	return res, nil
}

// record keeps the outcome as the mirror's health, even when the push was
// stopped (the store write outlives ctx).
func (p *Pusher) record(ctx context.Context, m *kolokol.Mirror, r Report, at time.Time) {
	push := kolokol.MirrorPush{At: at.UTC()}
	if r.Err != nil {
		push.Error = r.Err.Error()
	} else {
		push.Edition, push.Verified = r.Result.Edition, r.Result.Verified
	}
	if err := p.Store.RecordMirrorPush(context.WithoutCancel(ctx), m.ID, push); err != nil && p.Log != nil {
		p.Log.Error("record mirror health", "mirror", m.ID, "err", err)
	}
	if p.Log != nil {
		if r.Err != nil {
			p.Log.Warn("mirror push failed", "mirror", m.ID, "name", m.Name, "err", r.Err)
		} else {
			p.Log.Info("mirror pushed", "mirror", m.ID, "name", m.Name, "edition", r.Result.Edition,
				"uploaded", r.Result.Uploaded, "deleted", r.Result.Deleted)
		}
	}
}
