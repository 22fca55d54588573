package email

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Sender builds, signs and sends mails through a relay, at most Rate a
// second, retrying a temporary failure. It is safe for concurrent use;
// set its fields before the first Send.
type Sender struct {
	Relay   *Relay
	DKIM    *DKIM         // nil: unsigned
	Rate    float64       // mails per second at most (0: unlimited)
	Retries int           // retries of a temporary failure, with backoff
	Backoff time.Duration // first wait, doubled each time

	mu   sync.Mutex
	next time.Time // when the next mail may go, under Rate
}

// maxBackoff caps the doubling so that many retries never wait for days.
const maxBackoff = time.Hour

// Send builds m, signs it and hands it to the relay; a temporary failure
// is tried again Retries times, waiting Backoff, then twice that, and so
// on. A permanent failure (IsPermanent) is returned at once. Errors name
// the mail by its MessageID, never by its recipient.
//
// A relay that fails after taking the whole message but before saying so
// leaves it unknown whether the mail went; Send retries then, so the
// caller's record of deliveries is what keeps a mail from going twice.
func (s *Sender) Send(ctx context.Context, m *Message) error {
	if s.Relay == nil {
		return permanent(fmt.Errorf("send %s: the sender has no relay", m.MessageID))
	}
	msg, err := m.Build()
	if err != nil {
		return fmt.Errorf("send %s: %w", m.MessageID, err)
	}
	if s.DKIM != nil {
		if msg, err = s.DKIM.Sign(msg); err != nil {
			return fmt.Errorf("send %s: %w", m.MessageID, permanent(err))
		}
	}
	wait := s.Backoff
	for attempt := 0; ; attempt++ {
		if err := s.pace(ctx); err != nil {
			return fmt.Errorf("send %s: %w", m.MessageID, err)
		}
		err := s.Relay.Send(ctx, m.From.Address, m.To.Address, msg)
		if err == nil {
			return nil
		}
		if IsPermanent(err) || attempt >= s.Retries || ctx.Err() != nil {
			return fmt.Errorf("send %s (attempt %d of %d): %w", m.MessageID, attempt+1, s.Retries+1, err)
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("send %s: waiting to retry: %w", m.MessageID, err)
		}
		wait = min(2*wait, maxBackoff)
	}
}

// pace waits for the next free slot under Rate. Slots are handed out in
// order under the lock, so concurrent senders together keep the rate.
func (s *Sender) pace(ctx context.Context) error {
	if s.Rate <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, time.Until(s.reserve()))
}

// reserve takes the next slot: now, or 1/Rate after the last one.
func (s *Sender) reserve() time.Time {
	interval := time.Duration(float64(time.Second) / s.Rate)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	slot := s.next
	if slot.Before(now) {
		slot = now
	}
	s.next = slot.Add(interval)
	return slot
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
