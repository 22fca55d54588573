package email

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRelay(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("s3cret"), 0o640); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw      string
		tls      bool
		host     string
		port     string
		user     string
		password string
		str      string // String(), "" when the URL is refused
		err      string // part of the error
	}{
		{raw: "smtp://mail.example.org", host: "mail.example.org", port: "587", str: "smtp://mail.example.org:587"},
		{raw: "smtp://mail.example.org:25/", host: "mail.example.org", port: "25", str: "smtp://mail.example.org:25"},
		{raw: "smtps://mail.example.org", tls: true, host: "mail.example.org", port: "465", str: "smtps://mail.example.org:465"},
		{raw: "SMTPS://Mail.Example.org:2465", tls: true, host: "Mail.Example.org", port: "2465", str: "smtps://Mail.Example.org:2465"},
		{raw: "smtp://127.0.0.1:1025", host: "127.0.0.1", port: "1025", str: "smtp://127.0.0.1:1025"},
		{raw: "smtp://[::1]:1025", host: "::1", port: "1025", str: "smtp://[::1]:1025"},
		{raw: "smtps://[2001:db8::25]", tls: true, host: "2001:db8::25", port: "465", str: "smtps://[2001:db8::25]:465"},
		{raw: "smtp://news%40example.org:p%40ss:w@mail.example.org", host: "mail.example.org", port: "587", user: "news@example.org", password: "p@ss:w", str: "smtp://news%40example.org@mail.example.org:587"},
		{raw: "smtps://news@mail.example.org?password-file=" + good, tls: true, host: "mail.example.org", port: "465", user: "news", password: "s3cret pass", str: "smtps://news@mail.example.org:465?password-file=" + strings.ReplaceAll(good, "/", "%2F")},
		{raw: "smtp://localhost:25?helo=news.example.org", host: "localhost", port: "25", str: "smtp://localhost:25?helo=news.example.org"},
		{raw: "http://mail.example.org", err: "scheme"},
		{raw: "mail.example.org:25", err: "scheme"},
		{raw: "smtp:mail.example.org", err: "no host"},
		{raw: "smtp://", err: "no host"},
		{raw: "smtp://mail.example.org:0", err: "port"},
		{raw: "smtp://mail.example.org:65536", err: "port"},
		{raw: "smtp://mail.example.org:025", err: "port"},
		{raw: "smtp://mail.example.org:", err: "empty port"},
		{raw: "smtp://mail.example.org/path", err: "path"},
		{raw: "smtp://mail.example.org#frag", err: "fragment"},
		{raw: "smtp://mail.example.org?tls=off", err: "unknown option"},
		{raw: "smtp://mail.example.org?helo=a&helo=b", err: "2 times"},
		{raw: "smtp://-bad-.example.org", err: "relay host"},
		{raw: "smtp://[fe80::1%25eth0]:25", err: "zone"},
		{raw: "smtp://:pw@mail.example.org", err: "no user"},
		{raw: "smtp://mail.example.org?password-file=" + good, err: "no user"},
		{raw: "smtp://u:pw@mail.example.org?password-file=" + good, err: "both"},
		{raw: "smtp://u@mail.example.org?password-file=" + open, err: "chmod 600"},
		{raw: "smtp://u@mail.example.org?password-file=" + empty, err: "empty"},
		{raw: "smtp://u@mail.example.org?password-file=" + filepath.Join(dir, "missing"), err: "no such file"},
		{raw: "smtp://u:p%0Aw@mail.example.org", err: "control character"},
		{raw: "smtp://u:secretpw@mail example.org", err: "parse"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			r, err := ParseRelay(tt.raw)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("accepted as %v", r)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %q does not say %q", err, tt.err)
				}
				for _, pw := range []string{"secretpw", "p%0Aw", "s3cret"} {
					if strings.Contains(err.Error(), pw) {
						t.Errorf("error %q shows the password", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.implicitTLS != tt.tls || r.host != tt.host || r.port != tt.port || r.user != tt.user || r.password != tt.password {
				t.Errorf("got tls=%v host=%q port=%q user=%q password=%q", r.implicitTLS, r.host, r.port, r.user, r.password)
			}
			if got := r.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if tt.password != "" && strings.Contains(r.String(), tt.password) {
				t.Errorf("String() shows the password")
			}
		})
	}
}

// fakeRelay is a tiny SMTP server whose RCPT reply the test chooses. It
// offers neither STARTTLS nor AUTH.
type fakeRelay struct {
	addr   string
	rcpt   string // reply to RCPT TO, "250 ok" when empty
	hang   bool   // accept, then say nothing
	login  string // "user:password" AUTH LOGIN wants, "" for no AUTH
	authed atomic.Int32
	rcpts  atomic.Int32
	mails  atomic.Int32 // messages taken
	conns  chan struct{}
}

// fakeOpts are a fake relay's ways.
type fakeOpts struct {
	rcpt  string
	hang  bool
	login string
}

func startFakeRelay(t testing.TB, o fakeOpts) *fakeRelay {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRelay{addr: l.Addr().String(), rcpt: o.rcpt, hang: o.hang, login: o.login, conns: make(chan struct{}, 100)}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.conns <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
	return f
}

func (f *fakeRelay) serve(c net.Conn) {
	if f.hang {
		c.Read(make([]byte, 1)) // until the client goes away
		return
	}
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 fake ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO":
			if f.login != "" {
				tp.PrintfLine("250-fake\r\n250-AUTH LOGIN\r\n250 8BITMIME")
			} else {
				tp.PrintfLine("250-fake\r\n250 8BITMIME")
			}
		case "AUTH":
			if f.login == "" || !strings.EqualFold(line, "AUTH LOGIN") {
				tp.PrintfLine("504 no")
				continue
			}
			tp.PrintfLine("334 VXNlcm5hbWU6")
			u, _ := tp.ReadLine()
			tp.PrintfLine("334 UGFzc3dvcmQ6")
			p, _ := tp.ReadLine()
			user, _ := base64.StdEncoding.DecodeString(u)
			pass, _ := base64.StdEncoding.DecodeString(p)
			if string(user)+":"+string(pass) == f.login {
				f.authed.Add(1)
				tp.PrintfLine("235 ok")
			} else {
				tp.PrintfLine("535 5.7.8 no")
			}
		case "MAIL":
			if f.login != "" && f.authed.Load() == 0 {
				tp.PrintfLine("530 5.7.0 authenticate first")
				continue
			}
			tp.PrintfLine("250 ok")
		case "HELO", "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "RCPT":
			f.rcpts.Add(1)
			if f.rcpt != "" {
				tp.PrintfLine("%s", f.rcpt)
			} else {
				tp.PrintfLine("250 ok")
			}
		case "DATA":
			tp.PrintfLine("354 go on")
			if _, err := tp.ReadDotBytes(); err != nil {
				return
			}
			f.mails.Add(1)
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 unknown")
		}
	}
}

func relayTo(t testing.TB, addr string) *Relay {
	t.Helper()
	r, err := ParseRelay("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestSendRetries: a 5xx reply is final at once; a 4xx one is tried
// Retries more times and then fails; neither error shows the recipient.
func TestSendRetries(t *testing.T) {
	tests := []struct {
		name      string
		reply     string
		retries   int
		permanent bool
		attempts  int32
	}{
		{"5xx is not retried", "550 5.1.1 <Reader@Example.NET>: mailbox unknown", 3, true, 1},
		{"4xx is retried", "450 4.2.1 <reader@example.net> try again later", 3, false, 4},
		{"4xx without retries", "421 4.7.0 busy", 0, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFakeRelay(t, fakeOpts{rcpt: tt.reply})
			s := &Sender{Relay: relayTo(t, f.addr), Retries: tt.retries, Backoff: time.Millisecond}
			err := s.Send(context.Background(), english())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%q) = %v", err, !tt.permanent)
			}
			var te *textproto.Error
			if !errors.As(err, &te) || te.Code != atoi(tt.reply[:3]) {
				t.Errorf("error %q does not carry the reply code %s", err, tt.reply[:3])
			}
			if got := f.rcpts.Load(); got != tt.attempts {
				t.Errorf("relay saw %d attempts, want %d", got, tt.attempts)
			}
			if f.mails.Load() != 0 {
				t.Errorf("relay took a mail")
			}
			if strings.Contains(strings.ToLower(err.Error()), "reader@example.net") {
				t.Errorf("error %q shows the recipient", err)
			}
			if !strings.Contains(err.Error(), english().MessageID) {
				t.Errorf("error %q does not name the mail's Message-ID", err)
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestSendReusesConnection: mails one after another go on one connection.
func TestSendReusesConnection(t *testing.T) {
	f := startFakeRelay(t, fakeOpts{})
	s := &Sender{Relay: relayTo(t, f.addr)}
	for i := 0; i < 5; i++ {
		if err := s.Send(context.Background(), english()); err != nil {
			t.Fatal(err)
		}
	}
	if f.mails.Load() != 5 {
		t.Errorf("relay took %d mails, want 5", f.mails.Load())
	}
	if n := len(f.conns); n != 1 {
		t.Errorf("%d connections for 5 mails in a row, want 1", n)
	}
}

// TestSendNeedsSTARTTLS: a relay that is not on loopback and offers no
// STARTTLS gets nothing, not even the envelope.
func TestSendNeedsSTARTTLS(t *testing.T) {
	f := startFakeRelay(t, fakeOpts{})
	r, err := ParseRelay("smtp://mail.example.org:25")
	if err != nil {
		t.Fatal(err)
	}
	// The name is not loopback; the connection goes to the fake relay.
	r.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.addr)
	}
	s := &Sender{Relay: r, Retries: 3, Backoff: time.Millisecond}
	err = s.Send(context.Background(), english())
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Send: %v, want a refusal naming STARTTLS", err)
	}
	if !IsPermanent(err) {
		t.Errorf("a relay without STARTTLS is retried: %v", err)
	}
	if f.rcpts.Load() != 0 || len(f.conns) != 1 {
		t.Errorf("%d RCPT commands on %d connections, want 0 on 1", f.rcpts.Load(), len(f.conns))
	}
}

// TestSendCancel: a relay that never answers holds Send only until its
// context ends.
func TestSendCancel(t *testing.T) {
	f := startFakeRelay(t, fakeOpts{hang: true})
	s := &Sender{Relay: relayTo(t, f.addr), Retries: 5, Backoff: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-f.conns
		cancel()
	}()
	err := s.Send(ctx, english())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send: %v, want context.Canceled", err)
	}
}

// TestPaceSlots: concurrent senders get slots at least 1/Rate apart.
func TestPaceSlots(t *testing.T) {
	s := &Sender{Rate: 1000}
	var mu sync.Mutex
	var slots []time.Time
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slot := s.reserve()
			mu.Lock()
			slots = append(slots, slot)
			mu.Unlock()
		}()
	}
	wg.Wait()
	seen := map[time.Time]bool{}
	for _, a := range slots {
		for _, b := range slots {
			if a != b && a.Sub(b).Abs() < time.Millisecond {
				t.Fatalf("slots %v and %v are under 1ms apart at 1000/s", a, b)
			}
		}
		seen[a] = true
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct slots for 50 mails", len(seen))
	}
}

// TestSendConcurrent: several goroutines share one Sender and relay.
func TestSendConcurrent(t *testing.T) {
	f := startFakeRelay(t, fakeOpts{})
	s := &Sender{Relay: relayTo(t, f.addr), Retries: 1, Backoff: time.Millisecond}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), persian())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if f.mails.Load() != 40 {
		t.Errorf("relay took %d mails, want 40", f.mails.Load())
	}
	s.Relay.mu.Lock()
	idle := len(s.Relay.idle)
	s.Relay.mu.Unlock()
	if idle > maxIdle {
		t.Errorf("%d idle connections kept, want at most %d", idle, maxIdle)
	}
}

// TestSendLogin: a relay that offers only AUTH LOGIN gets the user and
// password that way; a wrong password is refused for good.
func TestSendLogin(t *testing.T) {
	for _, tt := range []struct {
		password string
		ok       bool
	}{{"right", true}, {"wrong", false}} {
		t.Run(tt.password, func(t *testing.T) {
			f := startFakeRelay(t, fakeOpts{login: "news:right"})
			r, err := ParseRelay("smtp://news:" + tt.password + "@" + f.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			err = (&Sender{Relay: r, Retries: 2}).Send(context.Background(), english())
			if tt.ok != (err == nil) {
				t.Fatalf("Send: %v", err)
			}
			if !tt.ok && !IsPermanent(err) {
				t.Errorf("a refused password is retried: %v", err)
			}
			if want := map[bool]int32{true: 1, false: 0}[tt.ok]; f.mails.Load() != want {
				t.Errorf("relay took %d mails, want %d", f.mails.Load(), want)
			}
		})
	}
}
