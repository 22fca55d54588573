package email

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
)

// digest is a daily digest of 40 stories: about 30 KB of HTML.
func digest(i int) *Message {
	m := english()
	var h, t strings.Builder
	for s := 0; s < 40; s++ {
		fmt.Fprintf(&h, "<article style=\"margin:0 0 1.5em\"><h2 style=\"font-size:1.2em;margin:0\"><a href=\"https://news.example.org/en/a/%d-a-story-of-the-day/\">Story %d: a headline of the day's news that runs long</a></h2>\n", 1000+s, s)
		fmt.Fprintf(&h, "<p style=\"margin:.3em 0\">%s</p><p style=\"color:#555555;font-size:.9em\">Published 1 December 2026</p></article>\n", strings.Repeat("A summary sentence of the story, as the desk wrote it. ", 8))
		fmt.Fprintf(&t, "Story %d: a headline of the day's news that runs long\nhttps://news.example.org/en/a/%d-a-story-of-the-day/\n\n", s, 1000+s)
	}
	m.HTML, m.Text = h.String(), t.String()
	m.To.Address = fmt.Sprintf("reader%d@example.net", i)
	m.MessageID = fmt.Sprintf("<d%d.s1@news.example.org>", i)
	m.Unsubscribe = fmt.Sprintf("https://news.example.org/en/unsubscribe/tok%d", i)
	return m
}

func BenchmarkBuild(b *testing.B) {
	m := digest(1)
	raw, err := m.Build()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := m.Build(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	d := testDKIM(b)
	raw, err := digest(1).Build()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := d.Sign(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendMailpit sends digests to a local Mailpit with no rate
// limit, from one and from four goroutines, unsigned and DKIM-signed.
// Run with -benchtime 10000x for the 10,000 subscribers of the issue.
func BenchmarkSendMailpit(b *testing.B) {
	mp := realpart.StartMailpit(b)
	benchSend(b, "smtp://"+mp.SMTP)
}

// BenchmarkSendDiscard is BenchmarkSendMailpit to a relay that keeps
// nothing: our side's own cost, without Mailpit's parsing and storing.
func BenchmarkSendDiscard(b *testing.B) {
	f := startFakeRelay(b, fakeOpts{})
	benchSend(b, "smtp://"+f.addr)
}

func benchSend(b *testing.B, relayURL string) {
	mails := make([]*Message, 100)
	for i := range mails {
		mails[i] = digest(i)
	}
	raw, err := mails[0].Build()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("one digest mail is %d bytes", len(raw))
	for _, signed := range []bool{false, true} {
		for _, workers := range []int{1, 4} {
			name := fmt.Sprintf("unsigned/workers=%d", workers)
			if signed {
				name = fmt.Sprintf("dkim/workers=%d", workers)
			}
			b.Run(name, func(b *testing.B) {
				relay, err := ParseRelay(relayURL)
				if err != nil {
					b.Fatal(err)
				}
				defer relay.Close()
				s := &Sender{Relay: relay, Retries: 0}
				if signed {
					s.DKIM = testDKIM(b)
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, workers)
				b.ResetTimer()
				for w := 0; w < workers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							if err := s.Send(context.Background(), mails[i%len(mails)]); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
			})
		}
	}
}
