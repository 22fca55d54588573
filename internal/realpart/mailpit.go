package realpart

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MailpitVersion is the Mailpit scripts/test.sh installs.
const MailpitVersion = "v1.33.1"

// Mailpit is an SMTP server that keeps every mail it takes and shows
// them through its HTTP API.
type Mailpit struct {
	SMTP string // host:port
	API  string // http://127.0.0.1:port
}

// StartMailpit runs Mailpit on two loopback ports with a new database,
// until the test ends. args are more flags (say --smtp-auth-file F).
func StartMailpit(t testing.TB, args ...string) *Mailpit {
	t.Helper()
	bin := Need(t, "mailpit", "go install github.com/axllent/mailpit@"+MailpitVersion)
	smtpPort, httpPort := FreePort(t), FreePort(t)
	for httpPort == smtpPort {
		httpPort = FreePort(t)
	}
	m := &Mailpit{
		SMTP: net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)),
		API:  "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)),
	}
	all := append([]string{
		"--smtp", m.SMTP,
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		// No reverse lookups of the client, no call home.
		"--smtp-disable-rdns",
		"--disable-version-check",
		"--quiet",
	}, args...)
	Start(t, smtpPort, bin, all...)
	// Start waited for the SMTP port; the API comes up beside it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit's API did not listen on %s in 30s", m.API)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m
}

// MailpitMessage is one mail Mailpit holds, as its list shows it.
type MailpitMessage struct {
	ID, Subject string
	From        string   // address
	To          []string // addresses of the To header
}

// Messages lists every mail Mailpit holds, newest first.
func (m *Mailpit) Messages(t testing.TB) []MailpitMessage {
	t.Helper()
	type address struct{ Name, Address string }
	var out []MailpitMessage
	const page = 500
	for start := 0; ; {
		var resp struct {
			Total    int `json:"total"`
			Messages []struct {
				ID      string
				Subject string
				From    address
				To      []address
			} `json:"messages"`
		}
		q := url.Values{"start": {strconv.Itoa(start)}, "limit": {strconv.Itoa(page)}}
		m.getJSON(t, "/api/v1/messages?"+q.Encode(), &resp)
		for _, x := range resp.Messages {
			msg := MailpitMessage{ID: x.ID, Subject: x.Subject, From: x.From.Address}
			for _, a := range x.To {
				msg.To = append(msg.To, a.Address)
			}
			out = append(out, msg)
		}
		start += len(resp.Messages)
		if len(resp.Messages) == 0 || start >= resp.Total {
			return out
		}
	}
}

// Raw returns a mail exactly as Mailpit received it.
func (m *Mailpit) Raw(t testing.TB, id string) []byte {
	t.Helper()
	return m.get(t, "/api/v1/message/"+url.PathEscape(id)+"/raw")
}

// DeleteAll removes every mail Mailpit holds.
func (m *Mailpit) DeleteAll(t testing.TB) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, m.API+"/api/v1/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mailpit: delete all: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit: delete all: %s", resp.Status)
	}
}

func (m *Mailpit) get(t testing.TB, path string) []byte {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit: GET %s: %s: %s", path, resp.Status, b)
	}
	return b
}

func (m *Mailpit) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(m.get(t, path), v); err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, fmt.Errorf("decode: %w", err))
	}
}
