package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

func ninjsItem(guid, headline string) string {
	return `{"uri": "` + guid + `", "type": "text", "version": "1", "language": "ka", "copyrightholder": "Reuters",
		"urgency": 3, "headline": "` + headline + `", "body_html": "<p>ტექსტი.</p>"}`
}

// Agency copy through the API: one file as the body, several as multipart
// parts each going in or failing alone, the service from the token when it
// has one, and the queue's rules over HTTP.
func TestIngestAPI(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do(t, "POST", "/api/v1/ingest?service=ka&name=first.json", ta.admin, strings.NewReader(ninjsItem("urn:r:1", "პირველი")), "Content-Type", "application/json")
	if r.status != 200 || !strings.Contains(string(r.body), `"headline": "პირველი"`) {
		t.Fatalf("one file: %d %s", r.status, r.body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range map[string]string{"good.json": ninjsItem("urn:r:2", "მეორე"), "bad.xml": `<!DOCTYPE x [<!ENTITY a "b">]><newsItem/>`} {
		w, _ := mw.CreateFormFile("file", name)
		w.Write([]byte(data))
	}
	mw.Close()
	r = ta.do(t, "POST", "/api/v1/ingest?service=ka", ta.admin, &body, "Content-Type", mw.FormDataContentType())
	var got struct {
		Files []struct {
			Name   string `json:"name"`
			Stored []struct {
				GUID string `json:"guid"`
			} `json:"stored"`
			Error string `json:"error"`
		} `json:"files"`
	}
	r.json(t, &got)
	if r.status != 200 || len(got.Files) != 2 {
		t.Fatalf("two files: %d %s", r.status, r.body)
	}
	for _, f := range got.Files {
		switch f.Name {
		case "good.json":
			if f.Error != "" || len(f.Stored) != 1 || f.Stored[0].GUID != "urn:r:2" {
				t.Errorf("good.json: %+v", f)
			}
		case "bad.xml":
			if f.Error == "" || len(f.Stored) != 0 {
				t.Errorf("bad.xml: %+v", f)
			}
		}
	}
	for _, c := range []struct {
		name, path, token, body string
		status                  int
	}{
		{"another service's token", "/api/v1/ingest?service=ka", ta.tokens["editor-fa"], ninjsItem("urn:r:3", "x"), 403},
		{"no service", "/api/v1/ingest", ta.admin, ninjsItem("urn:r:3", "x"), 422},
		{"one bad file", "/api/v1/ingest?service=ka", ta.admin, `{"uri": "urn:r:4"`, 422},
		{"empty", "/api/v1/ingest?service=ka", ta.admin, "", 422},
		{"no token", "/api/v1/ingest?service=ka", "", ninjsItem("urn:r:3", "x"), 401},
		{"the token's own service", "/api/v1/ingest", ta.tokens["editor-fa"], ninjsItem("urn:r:5", "خبر"), 200},
	} {
		if r := ta.do(t, "POST", c.path, c.token, strings.NewReader(c.body), "Content-Type", "application/json"); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
		}
	}
	q, err := ta.Store.FindWireItems(context.Background(), kolokol.WireFilter{Service: "ka"})
	if err != nil || len(q) != 2 {
		t.Errorf("the Georgian queue holds %d items (%v), want 2", len(q), err)
	}
	if q, _ := ta.Store.FindWireItems(context.Background(), kolokol.WireFilter{Service: "fa", Provider: "Reuters"}); len(q) != 1 {
		t.Errorf("the Persian queue holds %d Reuters items, want the one its token sent", len(q))
	}
}

// kolokol ingest says what became of each file and fails when one was
// refused; the good ones still go in.
func TestIngestCommand(t *testing.T) {
	ta := newTestApp(t)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(ninjsItem("urn:r:cli", "ბრძანება")), 0o644)
	os.WriteFile(bad, []byte(`{"uri": 1}`), 0o644)
	out, _, err := runCLI(t, noEnv, "ingest", "--data", ta.data, "--service", "ka", good, bad)
	if err == nil || !strings.Contains(out, good+": 1 stored, 0 unchanged") || !strings.Contains(out, bad+": refused: ") {
		t.Errorf("ingest: %v\n%s", err, out)
	}
	if out, _, err = runCLI(t, noEnv, "ingest", "--data", ta.data, "--service", "ka", good); err != nil || !strings.Contains(out, "0 stored, 1 unchanged") {
		t.Errorf("again: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, noEnv, "ingest", "--data", ta.data, good); err == nil {
		t.Error("ingest without a service worked")
	}
}
