package storetest

import (
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// testWire: the wire queue keeps one item per provider and guid, takes
// only newer versions, brings a dismissed item back when it changes, keeps
// what a story was opened from, and filters as editors ask.
func testWire(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	createService(t, s, "fa")
	item := func(guid, version string, urgency int) *kolokol.WireItem {
		return &kolokol.WireItem{Service: "ru", Provider: "Reuters", GUID: guid, Version: version, Type: "text",
			Language: "ru-RU", Headline: "Паром " + version, Body: "Текст версии " + version + ".", Urgency: urgency,
			Bylines: []string{"Анна"}, Subjects: []string{"транспорт"}, Sent: at(5, 9, 0), Embargo: at(5, 12, 0)}
	}
	a := item("urn:r:1", "1", 3)
	changed, err := s.SaveWireItem(ctx, a)
	ok(t, err, "save")
	if !changed || a.ID == 0 || a.Status != kolokol.WireNew || a.ReceivedAt.IsZero() {
		t.Fatalf("a new item: changed %t, %+v", changed, a)
	}
	got, err := s.FindWireItem(ctx, a.ID)
	ok(t, err, "find")
	if got.Headline != "Паром 1" || got.Bylines[0] != "Анна" || got.Subjects[0] != "транспорт" || !got.Embargo.Equal(at(5, 12, 0)) ||
		!got.Sent.Equal(at(5, 9, 0)) || got.Urgency != 3 || got.Language != "ru-RU" {
		t.Errorf("stored %+v", got)
	}
	same := item("urn:r:1", "1", 3)
	same.Headline = "Другое"
	if changed, err := s.SaveWireItem(ctx, same); err != nil || changed || same.ID != a.ID || same.Headline != "Паром 1" {
		t.Errorf("the same version again: changed %t %v, %+v", changed, err, same)
	}
	// Used, then a newer version: the story's source is kept to compare.
	a.Status, a.ArticleID, a.UsedVersion, a.UsedHeadline, a.UsedBody = kolokol.WireUsed, 42, "1", a.Headline, a.Body
	ok(t, s.SetWireStatus(ctx, a), "use")
	v2 := item("urn:r:1", "2", 1)
	if changed, err := s.SaveWireItem(ctx, v2); err != nil || !changed || v2.ID != a.ID {
		t.Fatalf("version 2: changed %t %v", changed, err)
	}
	got, _ = s.FindWireItem(ctx, a.ID)
	if got.Version != "2" || got.Status != kolokol.WireUsed || got.ArticleID != 42 || got.UsedBody != "Текст версии 1." || !got.UpdateAvailable() {
		t.Errorf("after version 2: %+v", got)
	}
	if byArt, err := s.FindWireItemByArticle(ctx, 42); err != nil || byArt.ID != a.ID {
		t.Errorf("by article: %v %v", byArt, err)
	}
	_, err = s.FindWireItemByArticle(ctx, 43)
	wantCode(t, err, kolokol.ENOTFOUND, "")
	old := item("urn:r:1", "1", 3)
	if changed, _ := s.SaveWireItem(ctx, old); changed {
		t.Error("an older version replaced a newer one")
	}
	// Dismissed, then changed: back in the queue.
	b := item("urn:r:2", "1", 5)
	ok(t, func() error { _, err := s.SaveWireItem(ctx, b); return err }(), "save b")
	b.Status = kolokol.WireDismissed
	ok(t, s.SetWireStatus(ctx, b), "dismiss")
	if list, _ := s.FindWireItems(ctx, kolokol.WireFilter{Service: "ru"}); len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("the queue shows dismissed items: %d", len(list))
	}
	b2 := item("urn:r:2", "2", 5)
	ok(t, func() error { _, err := s.SaveWireItem(ctx, b2); return err }(), "save b2")
	if got, _ := s.FindWireItem(ctx, b.ID); got.Status != kolokol.WireNew {
		t.Errorf("a dismissed item's new version stays %s", got.Status)
	}
	// Same guid from another provider, or in another service: another item.
	c := item("urn:r:1", "1", 0)
	c.Provider = "AP"
	d := item("urn:r:1", "1", 0)
	d.Service, d.Language = "fa", "fa"
	for _, w := range []*kolokol.WireItem{c, d} {
		if changed, err := s.SaveWireItem(ctx, w); err != nil || !changed || w.ID == a.ID {
			t.Errorf("%s/%s: %t %v", w.Service, w.Provider, changed, err)
		}
	}
	// Filters.
	for _, c := range []struct {
		name string
		f    kolokol.WireFilter
		want int
	}{
		{"all", kolokol.WireFilter{Service: "ru"}, 3},
		{"provider", kolokol.WireFilter{Service: "ru", Provider: "AP"}, 1},
		{"urgent", kolokol.WireFilter{Service: "ru", MaxUrgency: 2}, 1},
		{"language", kolokol.WireFilter{Service: "ru", Language: "ru"}, 3},
		{"language, exactly", kolokol.WireFilter{Service: "ru", Language: "ru-RU"}, 3},
		{"another language", kolokol.WireFilter{Service: "ru", Language: "r"}, 0},
		{"used", kolokol.WireFilter{Service: "ru", Status: kolokol.WireUsed}, 1},
		{"since", kolokol.WireFilter{Service: "ru", Since: time.Now().Add(time.Hour)}, 0},
		{"paged", kolokol.WireFilter{Service: "ru", Limit: 1}, 1},
		{"fa", kolokol.WireFilter{Service: "fa"}, 1},
	} {
		list, err := s.FindWireItems(ctx, c.f)
		ok(t, err, "%s", c.name)
		if len(list) != c.want {
			t.Errorf("%s: %d items, want %d", c.name, len(list), c.want)
		}
	}
	// Refused: unknown service, no guid, bad status.
	bad := item("", "1", 0)
	_, err = s.SaveWireItem(ctx, bad)
	wantCode(t, err, kolokol.EINVALID, "guid")
	bad = item("urn:r:9", "1", 0)
	bad.Service = "xx"
	_, err = s.SaveWireItem(ctx, bad)
	wantCode(t, err, kolokol.EINVALID, "")
	wantCode(t, s.SetWireStatus(ctx, &kolokol.WireItem{ID: a.ID, Status: "lost"}), kolokol.EINVALID, "status")
	wantCode(t, s.SetWireStatus(ctx, &kolokol.WireItem{ID: 999999, Status: kolokol.WireDismissed}), kolokol.ENOTFOUND, "")
}
