package email

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/kolokol/kolokol/internal/realpart"
)

// testDKIM makes a new key in a temporary folder and loads it.
func testDKIM(t testing.TB) *DKIM {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dkim.pem")
	rec, err := GenerateDKIM(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := LoadDKIM(file, "news.example.org", "k2026")
	if err != nil {
		t.Fatal(err)
	}
	if d.Record() != rec {
		t.Fatalf("the loaded key's record differs from the generated one")
	}
	return d
}

// verifyDKIM checks the mail's one DKIM signature against d's record.
func verifyDKIM(t testing.TB, d *DKIM, raw []byte) error {
	t.Helper()
	lookup := func(name string) ([]string, error) {
		if name != d.Selector()+"._domainkey."+d.Domain() {
			t.Errorf("verifier looked up %q", name)
		}
		return []string{d.Record()}, nil
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil {
		return err
	}
	if len(vs) != 1 {
		t.Fatalf("%d DKIM signatures, want 1", len(vs))
	}
	if vs[0].Domain != d.Domain() {
		t.Errorf("signature of %q, want %q", vs[0].Domain, d.Domain())
	}
	return vs[0].Err
}

func TestSendMailpit(t *testing.T) {
	mp := realpart.StartMailpit(t)
	relay, err := ParseRelay("smtp://" + mp.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	d := testDKIM(t)
	s := &Sender{Relay: relay, DKIM: d, Retries: 2, Backoff: 10 * time.Millisecond}
	ctx := context.Background()
	sent := map[string]*Message{}
	for _, m := range []*Message{english(), persian()} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatalf("send %s: %v", m.Lang, err)
		}
		sent[m.MessageID] = m
	}
	got := mp.Messages(t)
	if len(got) != len(sent) {
		t.Fatalf("mailpit holds %d mails, want %d", len(got), len(sent))
	}
	for _, g := range got {
		raw := mp.Raw(t, g.ID)
		p := parse(t, raw)
		m := sent[p.header.Get("Message-Id")]
		if m == nil {
			t.Fatalf("mailpit holds a mail we did not send: %s", raw)
		}
		if g.Subject != m.Subject || g.From != m.From.Address || len(g.To) != 1 || g.To[0] != m.To.Address {
			t.Errorf("mailpit lists %+v for %s", g, m.MessageID)
		}
		checkBuilt(t, m, raw)
		if err := verifyDKIM(t, d, raw); err != nil {
			t.Errorf("%s: DKIM signature as received does not verify: %v", m.Lang, err)
		}
		if !strings.HasPrefix(string(raw), "DKIM-Signature:") && !strings.Contains(string(raw), "\r\nDKIM-Signature:") {
			t.Errorf("%s: no DKIM-Signature as received", m.Lang)
		}
	}
}
