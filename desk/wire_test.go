package desk

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// ninjs is a small ninjs 2.x text item, its version and embargo given.
func ninjs(guid, version, headline, body string, embargo time.Time) []byte {
	emb := ""
	if !embargo.IsZero() {
		emb = fmt.Sprintf(`"embargoed": %q,`, embargo.UTC().Format(time.RFC3339))
	}
	return fmt.Appendf(nil, `{"uri": %q, "type": "text", "version": %q, "versioncreated": "2026-03-10T08:00:00Z", %s
		"language": "ru", "urgency": 2, "copyrightholder": "Reuters", "by": "Анна Петрова", "located": "Москва",
		"headline": %q, "body_html": %q, "subjects": [{"name": "Транспорт"}]}`, guid, version, emb, headline, body)
}

// The wire queue's rules: who may ingest, a file whole or not at all, a
// newer version replacing the entry and showing as an update on the story,
// dismissing, and an embargo no path publishes through.
func TestWire(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	item := ninjs("urn:r:ferry", "1", "Паром вернулся", "<p>Первый абзац.</p><p>Второй абзац.</p>", time.Time{})

	for _, c := range []struct {
		name  string
		actor kolokol.Actor
		svc   string
		data  []byte
		err   string
	}{
		{"a reporter of the service", ruReporter, "ru", item, ""},
		{"another service's editor", faEditor, "ru", item, kolokol.EFORBIDDEN},
		{"no such service", globalAdmin, "xx", item, kolokol.ENOTFOUND},
		{"not agency copy", ruReporter, "ru", []byte("hello"), kolokol.EINVALID},
		{"an entity bomb", ruReporter, "ru", []byte(`<?xml version="1.0"?><!DOCTYPE n [<!ENTITY a "aaaa">]><newsItem>&a;</newsItem>`), kolokol.EINVALID},
	} {
		res := f.Ingest(ctx, c.actor, c.svc, c.name, c.data, nil)
		if got := kolokol.ErrorCode(res.Err); got != c.err && !(c.err == "" && res.Err == nil) {
			t.Fatalf("%s: %v, want %q", c.name, res.Err, c.err)
		}
		if c.err != "" && len(res.Items) > 0 {
			t.Errorf("%s: refused, yet %d items stored", c.name, len(res.Items))
		}
		if c.err != "" && !strings.Contains(kolokol.ErrorMessage(res.Err), "") {
			t.Errorf("%s: %v", c.name, res.Err)
		}
	}
	queue, err := f.WireQueue(ctx, ruEditor, kolokol.WireFilter{Service: "ru"})
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue: %d items, %v", len(queue), err)
	}
	w := queue[0]
	if w.Provider != "Reuters" || w.Headline != "Паром вернулся" || !strings.Contains(w.Body, "Второй абзац.") || w.Urgency != 2 ||
		w.Dateline != "Москва" || len(w.Subjects) != 1 || w.Subjects[0] != "Транспорт" || w.Language != "ru" {
		t.Errorf("stored %+v", w)
	}
	if _, err := f.WireQueue(ctx, faEditor, kolokol.WireFilter{Service: "ru"}); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Errorf("another service's editor reads the queue: %v", err)
	}
	if _, err := f.WireItem(ctx, faEditor, w.ID); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("another service's editor reads an item: %v", err)
	}
	// Again: unchanged.
	if res := f.Ingest(ctx, ruReporter, "ru", "again", item, nil); res.Err != nil || res.Unchanged != 1 || len(res.Items) != 0 {
		t.Errorf("the same version again: %+v", res)
	}

	// Opened as a draft: the agency in the credits, the source kept.
	a, err := f.OpenWireItem(ctx, ruReporter, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != kolokol.StatusDraft || a.Headline != w.Headline || a.Body != w.Body || len(a.Credits) != 1 || a.Credits[0] != "Reuters" ||
		a.Dateline != "Москва" || len(a.Bylines) != 1 || a.Tags[0] != "Транспорт" {
		t.Errorf("draft %+v", a)
	}
	if again, err := f.OpenWireItem(ctx, ruEditor, w.ID); err != nil || again.ID != a.ID {
		t.Errorf("opened twice: %v %v", again, err)
	}
	if err := f.DismissWireItem(ctx, ruEditor, w.ID); kolokol.ErrorCode(err) != kolokol.ECONFLICT {
		t.Errorf("dismissing a used item: %v", err)
	}
	src, err := f.WireSource(ctx, a.ID)
	if err != nil || src == nil || src.ID != w.ID || WireUpdate(src) != nil {
		t.Fatalf("source %+v %v", src, err)
	}
	// Version 2: the story shows the agency's update.
	v2 := ninjs("urn:r:ferry", "2", "Паром вернулся в город", "<p>Первый абзац.</p><p>Новый второй абзац.</p>", time.Time{})
	if res := f.Ingest(ctx, ruReporter, "ru", "v2", v2, nil); res.Err != nil || len(res.Items) != 1 || res.Items[0].ID != w.ID {
		t.Fatalf("version 2: %+v", res)
	}
	src, _ = f.WireSource(ctx, a.ID)
	diff := WireUpdate(src)
	if len(diff) != 2 || diff[0].Field != "headline" || diff[1].Field != "body" {
		t.Errorf("the agency's update: %+v", diff)
	}

	// Dismissed, and back with a new version.
	other := ninjs("urn:r:other", "1", "Другое", "<p>Текст.</p>", time.Time{})
	res := f.Ingest(ctx, ruReporter, "ru", "other", other, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := f.DismissWireItem(ctx, ruReporter, res.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.WireQueue(ctx, ruReporter, kolokol.WireFilter{Service: "ru", Status: kolokol.WireNew}); len(q) != 0 {
		t.Errorf("a dismissed item is still new: %d", len(q))
	}
	f.Ingest(ctx, ruReporter, "ru", "other v2", ninjs("urn:r:other", "2", "Другое", "<p>Текст 2.</p>", time.Time{}), nil)
	if q, _ := f.WireQueue(ctx, ruReporter, kolokol.WireFilter{Service: "ru", Status: kolokol.WireNew}); len(q) != 1 {
		t.Errorf("a new version did not bring the dismissed item back: %d", len(q))
	}

	// Embargo: neither publish nor schedule before it, by anyone.
	until := f.now.Add(48 * time.Hour)
	res = f.Ingest(ctx, ruReporter, "ru", "embargoed", ninjs("urn:r:budget", "1", "Бюджет", "<p>Текст.</p>", until), nil)
	if res.Err != nil || !res.Items[0].Embargoed(f.now) {
		t.Fatalf("embargoed item: %+v", res)
	}
	b, err := f.OpenWireItem(ctx, ruEditor, res.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Publish(ctx, globalAdmin, b.ID); kolokol.ErrorField(err) != "embargo" || !strings.Contains(err.Error(), until.UTC().Format(time.RFC3339)) {
		t.Errorf("published before the embargo: %v", err)
	}
	if _, err := f.Schedule(ctx, ruEditor, b.ID, until.Add(-time.Minute)); kolokol.ErrorField(err) != "embargo" {
		t.Errorf("scheduled before the embargo: %v", err)
	}
	if _, err := f.Schedule(ctx, ruEditor, b.ID, until.Add(time.Minute)); err != nil {
		t.Errorf("scheduled after the embargo: %v", err)
	}
	f.now = until.Add(2 * time.Minute)
	if n, err := f.PublishDue(ctx, f.now); n != 1 || err != nil {
		t.Errorf("the scheduler after the embargo: %d %v", n, err)
	}
}

// A file of several items goes in whole or not at all: a newsMessage with
// one good item and one without a headline stores neither.
func TestIngestAllOrNothing(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	g2 := func(guid, headline string) string {
		return `<newsItem guid="` + guid + `" version="1" standard="NewsML-G2" standardversion="2.35" xml:lang="ru">
			<itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:R"><name>Reuters</name></provider>
			<versionCreated>2026-03-10T08:00:00Z</versionCreated></itemMeta>
			<contentMeta><headline>` + headline + `</headline></contentMeta>
			<contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Текст.</p></body></html></inlineXML></contentSet>
			</newsItem>`
	}
	msg := func(items ...string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
			<header><sent>2026-03-10T08:00:00Z</sent></header><itemSet>` + strings.Join(items, "") + `</itemSet></newsMessage>`)
	}
	if res := f.Ingest(ctx, ruReporter, "ru", "bad", msg(g2("urn:r:a", "Хорошо"), g2("urn:r:b", "")), nil); res.Err == nil {
		t.Errorf("a message with an item without a headline went in: %+v", res)
	}
	if q, _ := f.WireQueue(ctx, ruReporter, kolokol.WireFilter{Service: "ru"}); len(q) != 0 {
		t.Errorf("a refused message left %d items", len(q))
	}
	res := f.Ingest(ctx, ruReporter, "ru", "good", msg(g2("urn:r:a", "Хорошо"), g2("urn:r:b", "Тоже")), nil)
	if res.Err != nil || len(res.Items) != 2 {
		t.Errorf("a message of two items: %+v", res)
	}
}

// Every IPTC example goes into a queue: each file is taken, and each text
// or picture item in it keeps its headline (or, for a picture, its
// caption), language and agency.
func TestIngestIPTCExamples(t *testing.T) {
	f := newScoped(t)
	ctx := t.Context()
	root := filepath.Join("..", "wire", "testdata", "iptc")
	var files []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		base := filepath.Base(path)
		if err == nil && !d.IsDir() && (strings.Contains(path, "examples") || strings.HasPrefix(base, "LISTING_") || strings.HasPrefix(base, "ap_")) {
			files = append(files, path)
		}
		return nil
	})
	if len(files) < 30 {
		t.Fatalf("%d IPTC examples in %s", len(files), root)
	}
	stored := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		res := f.Ingest(ctx, globalAdmin, "en", filepath.Base(file), data, nil)
		if res.Err != nil {
			t.Errorf("%s: %v", file, res.Err)
			continue
		}
		for _, w := range res.Items {
			stored++
			// Some examples carry a headline alone (IPTC's shortest) or
			// a body of comments (LISTING_1): the parser's tests check
			// each one's text.
			if w.Provider == "" || w.Type == "text" && w.Headline == "" {
				t.Errorf("%s: item %s came through without its agency or headline: %+v", file, w.GUID, w)
			}
		}
	}
	if q, _ := f.WireQueue(ctx, globalAdmin, kolokol.WireFilter{Service: "en", Limit: 500}); len(q) != stored || stored < 20 {
		t.Errorf("%d items stored, %d in the queue", stored, len(q))
	}
}
