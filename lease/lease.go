// Package lease runs a job on one server at a time. Several servers on one
// database each run the scheduler, the mirror publisher, the CDN purger
// and the wire hot folder through Run; the one that holds the job's lease
// (kolokol.Leases, a row in the store) runs it, renewing the lease while it
// works, and the others wait. A server that stops gives its lease up; one
// that dies stops renewing, and another takes the lease when it expires.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kolokol/kolokol"
)

// TTL is how long a lease lasts unrenewed: how long a dead server's jobs
// wait for another to take them over. The holder renews at a third of it,
// so that a slow database or a pause does not lose a live holder's lease.
const TTL = 15 * time.Second

// Holder names this process as a lease holder: its host and process id,
// for people reading the leases table, and a random part, so that a
// restarted process with a reused pid is not taken for the old one.
func Holder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run runs job while holder holds the lease name, until ctx ends. It tries
// to take the lease every ttl/3; holding it, it starts job and renews the
// lease at the same pace. When the lease is lost (another took it, or it
// could not be renewed before it would expire), job's context is
// cancelled and Run waits for job to return before trying again: at no
// moment do two holders' jobs both run, as long as their clocks agree
// within ttl/3. When ctx ends, Run ends job and releases the lease, so that
// another server takes the job at once.
func Run(ctx context.Context, l kolokol.Leases, name, holder string, ttl time.Duration, job func(context.Context), log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	every := ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	var (
		stop   context.CancelFunc
		done   chan struct{}
		heldAt time.Time // when the lease was last taken or renewed
	)
	end := func(why string) {
		if stop == nil {
			return
		}
		log.Info("lease: stopping", "job", name, "why", why)
		stop()
		<-done
		stop, done = nil, nil
	}
	for {
		asked := time.Now()
		got, err := l.TryLease(ctx, name, holder, ttl)
		switch {
		case ctx.Err() != nil:
			end("shutting down")
			// The job has stopped: let another server take it now rather
			// than when the lease runs out.
			if err := l.ReleaseLease(context.WithoutCancel(ctx), name, holder); err != nil {
				log.Warn("lease: release", "job", name, "err", err)
			}
			return
		case err != nil:
			log.Warn("lease: renew", "job", name, "err", err)
			// Not known to hold it: stop before another server could
			// have taken it, counting from the last sure renewal.
			if stop != nil && time.Since(heldAt) > ttl-every {
				end("the lease could not be renewed")
			}
		case got:
			heldAt = asked
			if stop == nil {
				log.Info("lease: taken", "job", name, "holder", holder)
				stop, done = start(ctx, job)
			}
		default:
			end("another server holds the lease")
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}

// start runs job in a goroutine with a context of its own; stop cancels
// it, and done closes when job has returned.
func start(ctx context.Context, job func(context.Context)) (stop context.CancelFunc, done chan struct{}) {
	jctx, cancel := context.WithCancel(ctx)
	done = make(chan struct{})
	go func() {
		defer close(done)
		job(jctx)
	}()
	return cancel, done
}
