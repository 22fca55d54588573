package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolokol/kolokol/internal/secretfile"
)

// Relay is an SMTP server that takes the newsroom's mail for delivery,
// parsed from a --smtp URL. It keeps a few connections open between
// sends, and is safe for concurrent use.
type Relay struct {
	implicitTLS bool // smtps://
	host, port  string
	user        string
	password    string
	helo        string
	passFile    string

	// tlsConfig is nil for the system's roots; a test sets its own CA.
	tlsConfig *tls.Config
	// dial is nil for the network; a test reaches a named host on
	// loopback through it.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu   sync.Mutex
	idle []*relayConn
}

// maxIdle is how many open connections a relay keeps between sends: one
// per sending goroutine is plenty.
const maxIdle = 8

// sendTimeout bounds one message's conversation when ctx sets no
// deadline, so that a relay that stops answering does not hold a
// delivery forever.
const sendTimeout = 2 * time.Minute

// ParseRelay parses smtp://[user[:password]@]host[:port] (port 587;
// STARTTLS whenever the server offers it, and required unless the host
// is loopback) or smtps://… (implicit TLS, port 465). The query may hold
// password-file=/path (a file of mode 0600 holding the password, instead
// of the password in the URL) and helo=name (the name the client gives
// itself; "localhost" by default).
func ParseRelay(raw string) (*Relay, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("relay URL does not parse: %v", err)
	}
	r := &Relay{helo: "localhost"}
	switch u.Scheme {
	case "smtp":
		r.port = "587"
	case "smtps":
		r.implicitTLS, r.port = true, "465"
	default:
		return nil, fmt.Errorf("relay URL scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, errors.New("relay URL has no host (write smtp://host:port)")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("relay URL has a path %q; it takes none", u.Path)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, errors.New("relay URL has a fragment; it takes none")
	}
	r.host = u.Hostname()
	if strings.Contains(r.host, "%") {
		return nil, fmt.Errorf("relay host %q has a zone; give an address without one", r.host)
	}
	if ip := net.ParseIP(r.host); ip == nil {
		if err := checkDomain(r.host); err != nil {
			return nil, fmt.Errorf("relay host %q: %v", r.host, err)
		}
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
			return nil, fmt.Errorf("relay port %q is not a port number", p)
		}
		r.port = p
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, errors.New("relay URL has an empty port")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("relay URL query: %v", err)
	}
	for k, v := range q {
		if len(v) != 1 {
			return nil, fmt.Errorf("relay URL has %q %d times", k, len(v))
		}
		switch k {
		case "password-file":
			r.passFile = v[0]
		case "helo":
			if err := checkDomain(v[0]); err != nil {
				return nil, fmt.Errorf("relay URL helo=%q: %v", v[0], err)
			}
			r.helo = v[0]
		default:
			return nil, fmt.Errorf("relay URL has an unknown option %q (known: password-file, helo)", k)
		}
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, _ = u.User.Password()
		if r.user == "" {
			return nil, errors.New("relay URL has a password but no user")
		}
		if err := checkCredential(r.user); err != nil {
			return nil, fmt.Errorf("relay user: %w", err)
		}
	}
	if r.passFile != "" {
		if r.user == "" {
			return nil, errors.New("relay URL has a password-file but no user")
		}
		if r.password != "" {
			return nil, errors.New("relay URL has both a password and a password-file; keep only the file")
		}
		b, err := secretfile.Read(r.passFile, 4<<10)
		if err != nil {
			return nil, fmt.Errorf("relay password file: %w", err)
		}
		r.password = strings.TrimRight(string(b), "\r\n")
		if r.password == "" {
			return nil, fmt.Errorf("relay password file %s is empty", r.passFile)
		}
	}
	if r.password != "" {
		if err := checkCredential(r.password); err != nil {
			return nil, fmt.Errorf("relay password: %w", err)
		}
	}
	return r, nil
}

// checkCredential refuses what the AUTH exchange cannot carry.
func checkCredential(s string) error {
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return errors.New("has a control character")
		}
	}
	return nil
}

// String is the relay's URL without its password.
func (r *Relay) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(r.host, r.port)}
	if r.implicitTLS {
		u.Scheme = "smtps"
	}
	if r.user != "" {
		u.User = url.User(r.user)
	}
	q := url.Values{}
	if r.passFile != "" {
		q.Set("password-file", r.passFile)
	}
	if r.helo != "localhost" {
		q.Set("helo", r.helo)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// relayConn is one open SMTP conversation.
type relayConn struct {
	c   *smtp.Client
	raw net.Conn
}

// Send hands one message to the relay, for the envelope sender from and
// recipient to, on an idle connection when one is open. IsPermanent says
// whether a failure may be retried. The error never holds the recipient's
// address: a relay's reply that repeats it is rewritten.
func (r *Relay) Send(ctx context.Context, from string, to string, msg []byte) error {
	if err := CheckAddress(from); err != nil {
		return permanent(fmt.Errorf("send through %s: envelope sender: %w", r, err))
	}
	if err := CheckAddress(to); err != nil {
		return permanent(fmt.Errorf("send through %s: envelope recipient: %w", r, err))
	}
	rc, err := r.conn(ctx)
	if err != nil {
		return fmt.Errorf("send through %s: %w", r, err)
	}
	stop := watch(ctx, rc.raw)
	err = transact(rc.c, from, to, msg)
	// A mail the relay took counts as sent even if ctx ended just
	// after: reporting it failed would send it again.
	if !stop() && err != nil {
		err = errors.Join(ctx.Err(), err)
	}
	if err != nil {
		rc.c.Close()
		return fmt.Errorf("send through %s: %w", r, err)
	}
	r.putIdle(rc)
	return nil
}

func transact(c *smtp.Client, from, to string, msg []byte) error {
	// Each reply is redacted before it is wrapped: a wrapper copies the
	// text of what it wraps.
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", redact(err, to))
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", redact(err, to))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", redact(err, to))
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return fmt.Errorf("write message: %w", redact(err, to))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of message: %w", redact(err, to))
	}
	return nil
}

// watch puts a deadline on conn from ctx (or sendTimeout), and breaks off
// the conversation when ctx ends. stop removes both and reports whether
// ctx was still live.
func watch(ctx context.Context, conn net.Conn) (stop func() bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(sendTimeout)
	}
	conn.SetDeadline(deadline)
	stopAfter := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return func() bool {
		live := stopAfter()
		conn.SetDeadline(time.Time{})
		return live && ctx.Err() == nil
	}
}

// conn returns an idle connection that still answers, or a new one.
func (r *Relay) conn(ctx context.Context) (*relayConn, error) {
	for {
		r.mu.Lock()
		n := len(r.idle)
		if n == 0 {
			r.mu.Unlock()
			break
		}
		rc := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		stop := watch(ctx, rc.raw)
		err := rc.c.Reset()
		stop()
		if err == nil {
			return rc, nil
		}
		// The relay closed it while idle: nothing was sent on it yet,
		// so another connection is safe.
		rc.c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return r.connect(ctx)
}

func (r *Relay) putIdle(rc *relayConn) {
	r.mu.Lock()
	if len(r.idle) < maxIdle {
		r.idle = append(r.idle, rc)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	rc.c.Quit()
}

// Close ends the idle connections. The relay may still be used after.
func (r *Relay) Close() error {
	r.mu.Lock()
	idle := r.idle
	r.idle = nil
	r.mu.Unlock()
	var errs []error
	for _, rc := range idle {
		rc.raw.SetDeadline(time.Now().Add(10 * time.Second))
		if err := rc.c.Quit(); err != nil {
			rc.c.Close()
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close connections to %s: %w", r, err)
	}
	return nil
}

func (r *Relay) tlsConf() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.tlsConfig != nil {
		c = r.tlsConfig.Clone()
	}
	c.ServerName = r.host
	return c
}

// connect dials, greets, secures and authenticates a new conversation.
func (r *Relay) connect(ctx context.Context) (*relayConn, error) {
	dial := r.dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second}).DialContext
	}
	raw, err := dial(ctx, "tcp", net.JoinHostPort(r.host, r.port))
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	stop := watch(ctx, raw)
	rc, err := r.open(ctx, raw)
	if !stop() {
		// Whatever open said, ctx ended: say so first (nothing was
		// sent yet, so there is nothing to lose).
		err = errors.Join(ctx.Err(), err)
		if rc != nil {
			rc.c.Close()
		}
	}
	if err != nil {
		raw.Close()
		return nil, err
	}
	return rc, nil
}

func (r *Relay) open(ctx context.Context, raw net.Conn) (*relayConn, error) {
	conn := raw
	if r.implicitTLS {
		tc := tls.Client(raw, r.tlsConf())
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, r.host)
	if err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if err := c.Hello(r.helo); err != nil {
		return nil, fmt.Errorf("EHLO: %w", err)
	}
	if !r.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(r.tlsConf()); err != nil {
				return nil, fmt.Errorf("STARTTLS: %w", err)
			}
		} else if !loopbackHost(r.host) {
			return nil, permanent(errors.New("the relay offers no STARTTLS, and plain SMTP is allowed only to a loopback host (use smtps:// or a relay with STARTTLS)"))
		}
	}
	if r.user != "" {
		if err := r.auth(c); err != nil {
			return nil, err
		}
	}
	return &relayConn{c: c, raw: raw}, nil
}

func (r *Relay) auth(c *smtp.Client) error {
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return permanent(errors.New("the URL has a user but the relay offers no AUTH"))
	}
	var a smtp.Auth
	switch offered := strings.Fields(strings.ToUpper(mechs)); {
	case contains(offered, "PLAIN"):
		// PlainAuth refuses to send the password unencrypted except
		// to localhost, which is the rule we want.
		a = smtp.PlainAuth("", r.user, r.password, r.host)
	case contains(offered, "LOGIN"):
		a = &loginAuth{user: r.user, password: r.password, host: r.host}
	default:
		return permanent(fmt.Errorf("the relay offers AUTH %s; we speak PLAIN and LOGIN", mechs))
	}
	if err := c.Auth(a); err != nil {
		var te *textproto.Error
		if !errors.As(err, &te) {
			// net/smtp's own refusals (no TLS) will not change by retrying.
			err = permanent(err)
		}
		return fmt.Errorf("AUTH as %s: %w", r.user, err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// loginAuth is the LOGIN mechanism (draft-murchison-sasl-login), which
// some relays offer instead of PLAIN; like PlainAuth it sends the
// password only over TLS or to localhost.
type loginAuth struct{ user, password, host string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !loopbackHost(server.Name) {
		return "", nil, errors.New("unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN challenge %q", fromServer)
}
