package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/internal/pgtest"
	"github.com/kolokol/kolokol/store/postgres"
)

// buildKolokol builds the kolokol binary into a temporary directory, for
// tests that run it as the real processes a deployment runs.
func buildKolokol(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kolokol")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a kolokol serve process.
type process struct {
	url    string
	cmd    *exec.Cmd
	out    *syncBuffer // stdout
	errs   *syncBuffer // stderr: the log
	exited chan struct{}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts kolokol serve on a free loopback port with its own
// data directory, and waits for it to answer.
func startServe(t *testing.T, bin, db string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{url: "http://" + addr, out: &syncBuffer{}, errs: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--db", db, "--data", t.TempDir(), "--addr", addr, "--admin-addr", ""}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.exited:
			t.Fatalf("kolokol serve exited:\n%s", p.errs.String())
		default:
		}
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kolokol serve did not answer:\n%s", p.errs.String())
		}
	}
}

// stop ends the process as SIGTERM does.
func (p *process) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("kolokol serve did not stop on SIGTERM:\n%s", p.errs.String())
	}
}

// kill ends the process as a crash does: no shutdown, no lease given up.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

func (p *process) do(t *testing.T, method, path, token, cookie string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// TestThreeServers runs three kolokol serve processes on one PostgreSQL
// database, on loopback: a story published through the API of the first
// is on the pages of the other two within a second; a session made on one
// is valid on another; a scheduled story goes out exactly once; and when
// the server running the scheduler dies, another takes the scheduler over.
func TestThreeServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers")
	}
	db := pgtest.DSN(t)
	bin := buildKolokol(t)
	first := startServe(t, bin, db, "--demo")
	servers := []*process{first, startServe(t, bin, db), startServe(t, bin, db)}
	var token, editor, password, secret string
	for _, line := range strings.Split(first.out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "admin token: "); ok {
			token = v
		}
		if m := regexp.MustCompile(`^demo editor: (\S+)  password: (\S+)  TOTP secret: (\S+)`).FindStringSubmatch(line); m != nil {
			editor, password, secret = m[1], m[2], m[3]
		}
	}
	if token == "" || editor == "" {
		t.Fatalf("no demo token or editor in:\n%s", first.out.String())
	}

	// Published through the first server's API, on the others' pages
	// within a second.
	create := func(via *process, headline string) int64 {
		t.Helper()
		status, _, body := via.do(t, "POST", "/api/v1/articles", token, "", map[string]any{"service": "ru", "section": "world",
			"headline": headline, "summary": "Кратко.", "body": "Текст.", "bylines": []string{"Анна"}})
		var a apiArticle
		if err := json.Unmarshal(body, &a); status != http.StatusCreated || err != nil {
			t.Fatalf("create: %d %s", status, body)
		}
		return a.ID
	}
	id := create(first, "Три сервера, одна база")
	status, _, body := first.do(t, "POST", fmt.Sprintf("/api/v1/articles/%d/publish", id), token, "", map[string]any{})
	var a apiArticle
	if err := json.Unmarshal(body, &a); status != http.StatusOK || err != nil {
		t.Fatalf("publish: %d %s", status, body)
	}
	published := time.Now()
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, s := range servers[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				status, _, body := s.do(t, "GET", u.Path, "", "", nil)
				if status == http.StatusOK && strings.Contains(string(body), "Три сервера, одна база") {
					break
				}
				if time.Since(published) > time.Second {
					t.Errorf("%s: the story is not on %s within a second: %d", s.url, u.Path, status)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("%s: the story after %s", s.url, time.Since(published).Round(time.Millisecond))
		}()
	}
	wg.Wait()

	// Signed in on the second, the session works on the third.
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {editor}, "password": {password}, "code": {code}}
	req, _ := http.NewRequest("POST", servers[1].url+"/newsroom/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "kk_session" {
			session = c.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == "" {
		t.Fatalf("sign in on the second server: %d", resp.StatusCode)
	}
	if status, _, _ := servers[2].do(t, "GET", "/newsroom/", "", "kk_session="+session, nil); status != http.StatusOK {
		t.Errorf("the second server's session on the third: %d", status)
	}
	if status, _, _ := servers[0].do(t, "GET", "/newsroom/", "", "kk_session="+session, nil); status != http.StatusOK {
		t.Errorf("the second server's session on the first: %d", status)
	}

	st, err := postgres.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// schedule schedules a new story two seconds ahead and waits for it
	// to go out; it returns the story and the change log's end before.
	schedule := func(headline string, via *process, wait time.Duration) (int64, int64) {
		t.Helper()
		id := create(via, headline)
		_, before, err := st.ChangeBounds(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339)
		if status, _, body := via.do(t, "POST", fmt.Sprintf("/api/v1/articles/%d/schedule", id), token, "", map[string]any{"at": at}); status != http.StatusOK {
			t.Fatalf("schedule: %d %s", status, body)
		}
		deadline := time.Now().Add(wait)
		for {
			a, err := st.FindArticleByID(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status == kolokol.StatusPublished {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the story scheduled for %s is %s at %s", at, a.Status, time.Now().UTC().Format(time.RFC3339))
			}
			time.Sleep(50 * time.Millisecond)
		}
		return id, before
	}
	// published once: one publish in its versions, revisions, change log
	// and audit log.
	once := func(id, before int64) {
		t.Helper()
		time.Sleep(6 * time.Second) // every scheduler has run again since
		a, err := st.FindArticleByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := st.FindRevisions(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := st.FindChanges(t.Context(), before, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range changes {
			if c.ArticleID == id {
				n++
			}
		}
		// Created, scheduled, published: three versions, three
		// revisions; the schedule and the publish: two changes.
		if a.Version != 3 || len(revs) != 3 || n != 2 {
			t.Errorf("story %d: version %d, %d revisions, %d changes since scheduling; want 3, 3, 2", id, a.Version, len(revs), n)
		}
		audit, err := st.FindAudit(t.Context(), kolokol.AuditFilter{Actor: "scheduler", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		pubs := 0
		for _, e := range audit {
			if e.Action == "article.publish" && e.ArticleID == id {
				pubs++
			}
		}
		if pubs != 1 {
			t.Errorf("story %d: %d publications by the scheduler in the audit log, want 1", id, pubs)
		}
	}
	id, before := schedule("Выйдет по расписанию", servers[2], 15*time.Second)
	once(id, before)

	// The server running the scheduler dies; another takes the scheduler
	// when its lease expires.
	var holder *process
	for _, s := range servers {
		if strings.Contains(s.errs.String(), `lease: taken" job=scheduler`) {
			holder = s
		}
	}
	if holder == nil {
		t.Fatal("no server took the scheduler's lease")
	}
	holder.kill()
	var live []*process
	for _, s := range servers {
		if s != holder {
			live = append(live, s)
		}
	}
	id, before = schedule("После сбоя", live[0], 30*time.Second)
	once(id, before)
	took := 0
	for _, s := range live {
		if strings.Contains(s.errs.String(), `lease: taken" job=scheduler`) {
			took++
		}
	}
	if took != 1 {
		t.Errorf("%d of the live servers took the scheduler over, want 1", took)
	}
}
