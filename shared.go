package kolokol

import (
	"context"
	"time"
)

// What several app servers on one database share beyond the newsroom's
// data: who runs each once-only job (leases), the sign-in throttle's
// counts, and passkey ceremonies between their two requests. Each server
// keeps none of it in memory, so a server may die, and any other answers
// the next request.

// Leases name, for a while, the one server that runs a job that must run
// once (the scheduler, the mirror pushes, the CDN purges, the wire hot
// folder). The holder renews its lease while it works; when it stops
// renewing (it crashed), another takes the lease once it expires.
type Leases interface {
	// TryLease takes the lease name for holder until ttl from now, or
	// renews it if holder has it, and reports whether holder has it
	// now. A lease someone else holds is taken only once it has
	// expired.
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease gives up holder's lease, so that another server takes
	// it at once; a lease holder does not have is left alone.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Throttle is one key's count of failed sign-ins (see auth.Limiter for the
// rule): how many, the last one, and the time the key is locked before.
type Throttle struct {
	Failures int
	Last     time.Time
	Until    time.Time
}

// ThrottleBounds keep a kind of throttle at most Max keys: when a new key
// would pass it, the store drops first the keys whose last failure is
// before Forget, then those not locked at Now, then those whose locks end
// soonest, down to nine tenths of Max.
type ThrottleBounds struct {
	Now, Forget time.Time
	Max         int
}

// Throttles keeps the sign-in throttle's counts, so that a limit trips
// whichever server the attempts reach. A kind is one limiter (per source,
// per account, …); the key names what it counts and is never an address.
type Throttles interface {
	// FindThrottle returns the key's count; the zero Throttle when it has
	// none.
	FindThrottle(ctx context.Context, kind, key string) (Throttle, error)
	// FailThrottle stores next(the key's count) atomically, so that two
	// failures at once on two servers both count.
	FailThrottle(ctx context.Context, kind, key string, b ThrottleBounds, next func(Throttle) Throttle) error
	// ResetThrottle forgets the key's count.
	ResetThrottle(ctx context.Context, kind, key string) error
	// PruneThrottles deletes the counts whose last failure is before
	// forget and whose lock has ended by now: forgotten counts are not
	// kept, as a limiter in memory would not keep them.
	PruneThrottles(ctx context.Context, forget, now time.Time) (int64, error)
	// ThrottleKey returns the secret sources are hashed under before they
	// are counted: the stored one, unless it was made before notBefore,
	// in which case fresh replaces it. Servers asking at once get one
	// key.
	ThrottleKey(ctx context.Context, notBefore time.Time, fresh []byte) ([]byte, error)
}

// Ceremonies keeps passkey (WebAuthn) ceremonies between their begin and
// finish requests, which may reach different servers. The key is the hash
// of the ceremony's cookie, as a session's ID is.
type Ceremonies interface {
	// PutCeremony stores data under key until expires. With max or more
	// ceremonies unexpired at now it refuses (ECONFLICT).
	PutCeremony(ctx context.Context, key string, data []byte, now, expires time.Time, max int) error
	// TakeCeremony returns a ceremony's data and deletes it, so that it
	// finishes once; ENOTFOUND when there is none or it expired before
	// now.
	TakeCeremony(ctx context.Context, key string, now time.Time) ([]byte, error)
}

// MaxThrottleKey is the longest throttle kind or key.
const MaxThrottleKey = 200

// ChangeWaker is a store that tells when a change is committed to the log,
// by this process or any other on the same database (PostgreSQL's
// LISTEN/NOTIFY), so that servers need not wait for their next poll.
type ChangeWaker interface {
	// ListenChanges calls wake soon after each change is committed, until
	// ctx ends. It survives a lost connection: it reports the error to
	// fail, reconnects, and calls wake once it listens again.
	ListenChanges(ctx context.Context, wake func(), fail func(error))
}
