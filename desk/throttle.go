package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// limiter is one of sign-in's throttles (see guard) with its counts in the
// store, so that on several servers a limit trips whichever server the
// attempts reach. The rule is auth.Limiter's, the same as in memory, and
// so is the bound on how many keys it holds.
type limiter struct {
	kind  string
	rule  *auth.Limiter
	store kolokol.Throttles
	log   func() *slog.Logger
}

// storeKey is key as the store takes it: a key too long for it (an email
// address at its longest) is counted under its hash.
func storeKey(key string) string {
	if len(key) <= kolokol.MaxThrottleKey {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Allow reports whether key may try now. When the store cannot say, the
// key counts as throttled: only a complete, correct sign-in gets in,
// which locks nobody out and lets no guessing through.
func (l *limiter) Allow(ctx context.Context, key string, now time.Time) (bool, time.Duration) {
	th, err := l.store.FindThrottle(ctx, l.kind, storeKey(key))
	if err != nil {
		l.log().Error("sign-in throttle", "limiter", l.kind, "err", err)
		return false, time.Minute
	}
	return l.rule.Wait(auth.Count(th), now)
}

// Fail counts a failure. A store error is logged: the attempt has been
// answered already, and the next failure counts again.
func (l *limiter) Fail(ctx context.Context, key string, now time.Time) {
	b := kolokol.ThrottleBounds{Now: now, Forget: l.rule.Forget(now), Max: l.rule.MaxKeys()}
	err := l.store.FailThrottle(context.WithoutCancel(ctx), l.kind, storeKey(key), b, func(th kolokol.Throttle) kolokol.Throttle {
		return kolokol.Throttle(l.rule.Next(auth.Count(th), now))
	})
	if err != nil {
		l.log().Error("sign-in throttle", "limiter", l.kind, "err", err)
	}
}

// Reset forgets key's failures, after a success.
func (l *limiter) Reset(ctx context.Context, key string) {
	if err := l.store.ResetThrottle(context.WithoutCancel(ctx), l.kind, storeKey(key)); err != nil {
		l.log().Error("sign-in throttle", "limiter", l.kind, "err", err)
	}
}

// SourceKey returns the key sign-in sources are hashed under
// (auth.Sources), shared by every server on the store and replaced daily.
func (d *Desk) SourceKey(ctx context.Context) ([]byte, error) {
	return d.store.ThrottleKey(ctx, d.now().Add(-sourceKeyAge), auth.NewSourceKey())
}

// sourceKeyAge is how long a source key is used: a throttle on a source
// lasts at most this long, and a hash in the store can be tested against
// addresses only while its key lives.
const sourceKeyAge = 24 * time.Hour

// logger is the desk's logger, or one that discards when none was set.
func (d *Desk) logger() *slog.Logger {
	if d.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.log
}
