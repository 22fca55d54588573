package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// since returns the changes after seq, as "kind service article media
// listed groups" lines, to compare with what each operation should log.
func since(t *testing.T, s kolokol.Store, seq int64) ([]string, int64) {
	t.Helper()
	cs, err := s.FindChanges(t.Context(), seq, 0)
	ok(t, err, "find changes")
	var out []string
	for _, c := range cs {
		if c.Seq <= seq {
			t.Fatalf("change %d returned after %d", c.Seq, seq)
		}
		stamped(t, "change time", c.Time)
		seq = c.Seq
		out = append(out, fmt.Sprintf("%s %s %d %d %t %v", c.Kind, c.Service, c.ArticleID, c.MediaID, c.Listed, c.Groups))
	}
	return out, seq
}

// testChangeLog: every write readers can see appends its change in its
// transaction; refused writes append nothing.
func testChangeLog(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var seq int64
	expect := func(what string, want ...string) {
		t.Helper()
		var got []string
		got, seq = since(t, s, seq)
		if !slices.Equal(got, want) {
			t.Errorf("%s logged %q, want %q", what, got, want)
		}
	}
	createService(t, s, "ru")
	expect("create service", "service ru 0 0 true []")
	createSection(t, s, "ru", "world", 1)
	expect("create section", "service ru 0 0 false []")
	svc, _ := s.FindServiceByCode(ctx, "ru")
	svc.About = "Новое описание."
	ok(t, s.UpdateService(ctx, svc), "update service")
	expect("update a service's text", "service ru 0 0 false []")
	svc.Name = "Русская служба+"
	ok(t, s.UpdateService(ctx, svc), "rename service")
	expect("rename a service", "service ru 0 0 true []")

	a := newArticle("ru", "Черновик")
	a.TranslationGroup = "ferry"
	ok(t, s.CreateArticle(ctx, a), "create article")
	id := a.ID
	expect("create draft", fmt.Sprintf("article ru %d 0 false []", id))
	a.Headline, a.TranslationGroup = "Правка", "bridge"
	ok(t, s.UpdateArticle(ctx, a), "edit")
	expect("edit a draft, move its group: no other page shows it", fmt.Sprintf("article ru %d 0 false []", id))
	a.Status, a.PublishedAt = kolokol.StatusPublished, at(5, 9, 0)
	ok(t, s.UpdateArticle(ctx, a), "publish")
	expect("publish", fmt.Sprintf("article ru %d 0 true [bridge]", id))
	a.Body = "Новый текст."
	ok(t, s.UpdateArticle(ctx, a), "edit the body")
	expect("edit a live body: no list shows it", fmt.Sprintf("article ru %d 0 false []", id))
	a.Summary = "Новое изложение."
	ok(t, s.UpdateArticle(ctx, a), "edit the summary")
	expect("edit a live summary: the lists show it", fmt.Sprintf("article ru %d 0 true []", id))
	a.TranslationGroup = "ferry"
	ok(t, s.UpdateArticle(ctx, a), "move group")
	expect("move a live story's group", fmt.Sprintf("article ru %d 0 false [bridge ferry]", id))
	ok(t, s.AddCorrection(ctx, &kolokol.Correction{ArticleID: id, Text: "Исправлено."}), "correct")
	expect("correct: the story's own page", fmt.Sprintf("article ru %d 0 false []", id))
	a, _ = s.FindArticleByID(ctx, id)
	a.Status = kolokol.StatusUnpublished
	ok(t, s.UpdateArticle(ctx, a), "unpublish")
	expect("unpublish", fmt.Sprintf("article ru %d 0 true [ferry]", id))
	a.Status = kolokol.StatusDraft
	ok(t, s.UpdateArticle(ctx, a), "back to draft")
	expect("edit of a story no one sees", fmt.Sprintf("article ru %d 0 false []", id))

	ok(t, s.SetBreaking(ctx, &kolokol.Breaking{Service: "ru", Text: "Срочно"}), "set banner")
	expect("set banner", "breaking ru 0 0 false []")
	ok(t, s.ClearBreaking(ctx, "ru"), "clear banner")
	expect("clear banner", "breaking ru 0 0 false []")
	ok(t, s.ClearBreaking(ctx, "ru"), "clear no banner")
	expect("clearing no banner")

	n := &kolokol.Notice{Service: "ru", Text: "Будьте осторожны.", Countries: []string{"RU"}}
	ok(t, s.CreateNotice(ctx, n), "create notice")
	n.Text = "Осторожно."
	ok(t, s.UpdateNotice(ctx, n), "update notice")
	ok(t, s.DeleteNotice(ctx, n.ID), "delete notice")
	expect("notices", "notice ru 0 0 false []", "notice ru 0 0 false []", "notice ru 0 0 false []")
	ok(t, s.SetSetting(ctx, kolokol.SettingSecurityTxt, "Contact: mailto:x@example.org"), "set setting")
	expect("setting", "settings  0 0 false []")

	m := createMedia(t, s, "photo")
	expect("a new picture no page shows")
	ok(t, s.UpdateMediaFocal(ctx, m.ID, 0.2, 0.8, nil), "focal point")
	expect("focal point", fmt.Sprintf("media  0 %d false []", m.ID))

	// What changes no page writes no change.
	u := newUser("log@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	ok(t, s.AddAudit(ctx, &kolokol.AuditEntry{Actor: "x", Action: "login.ok"}), "audit")
	ok(t, s.CreateToken(ctx, &kolokol.Token{Name: "t", Hash: hashOf("t"), Role: kolokol.RoleAdmin}), "token")
	expect("accounts, audit, tokens")

	// Refused writes log nothing.
	stale := *a
	stale.Version--
	wantCode(t, s.UpdateArticle(ctx, &stale), kolokol.ECONFLICT, "")
	wantCode(t, s.AddCorrection(ctx, &kolokol.Correction{ArticleID: 999999, Text: "x"}), kolokol.ENOTFOUND, "")
	wantCode(t, s.CreateSection(ctx, &kolokol.Section{Service: "xx", Slug: "a", Name: "A"}), kolokol.EINVALID, "service")
	wantCode(t, s.DeleteNotice(ctx, 999999), kolokol.ENOTFOUND, "")
	expect("refused writes")

	first, last, err := s.ChangeBounds(ctx)
	ok(t, err, "bounds")
	if first != 1 && first > last || last != seq {
		t.Errorf("bounds %d..%d, last logged %d", first, last, seq)
	}
}

// testChangeLogReading: paging, pruning and cursors.
func testChangeLogReading(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	if first, last, err := s.ChangeBounds(ctx); err != nil || first != 0 || last != 0 {
		t.Fatalf("empty log: %d..%d %v", first, last, err)
	}
	createService(t, s, "ru")
	for i := range 30 {
		ok(t, s.SetBreaking(ctx, &kolokol.Breaking{Service: "ru", Text: fmt.Sprint("Срочно ", i)}), "banner %d", i)
	}
	all, err := s.FindChanges(ctx, 0, 0)
	ok(t, err, "find all")
	if len(all) != 31 {
		t.Fatalf("%d changes, want 31", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("seq %d after %d", all[i].Seq, all[i-1].Seq)
		}
	}
	page, _ := s.FindChanges(ctx, all[4].Seq, 10)
	if len(page) != 10 || page[0].Seq != all[5].Seq {
		t.Errorf("a page of 10 after the fifth: %d from %d", len(page), page[0].Seq)
	}
	if big, _ := s.FindChanges(ctx, 0, kolokol.MaxChangeBatch+5); len(big) != 31 {
		t.Errorf("over the batch limit: %d", len(big))
	}

	n, err := s.PruneChanges(ctx, 10)
	ok(t, err, "prune")
	if n != 21 {
		t.Errorf("pruned %d, want 21", n)
	}
	first, last, _ := s.ChangeBounds(ctx)
	if first != all[21].Seq || last != all[30].Seq {
		t.Errorf("after pruning: %d..%d, want %d..%d", first, last, all[21].Seq, all[30].Seq)
	}
	ok(t, s.SetBreaking(ctx, &kolokol.Breaking{Service: "ru", Text: "Ещё"}), "banner")
	if _, last2, _ := s.ChangeBounds(ctx); last2 <= last {
		t.Errorf("a seq was reused after pruning: %d", last2)
	}
	_, err = s.PruneChanges(ctx, 0)
	ok(t, err, "prune all")
	first, last, _ = s.ChangeBounds(ctx)
	if first <= last || last < all[30].Seq {
		t.Errorf("all pruned: bounds %d..%d, want first > last ≥ %d", first, last, all[30].Seq)
	}
	wantCode(t, func() error { _, err := s.PruneChanges(ctx, -1); return err }(), kolokol.EINVALID, "")

	_, err = s.FindCursor(ctx, "export")
	wantCode(t, err, kolokol.ENOTFOUND, "")
	ok(t, s.SetCursor(ctx, "export", 17), "set cursor")
	ok(t, s.SetCursor(ctx, "export", 23), "move cursor")
	if c, err := s.FindCursor(ctx, "export"); err != nil || c != 23 {
		t.Errorf("cursor %d %v", c, err)
	}
	wantCode(t, s.SetCursor(ctx, "Export Now", 1), kolokol.EINVALID, "consumer")
	wantCode(t, s.SetCursor(ctx, "export", -1), kolokol.EINVALID, "seq")
}

// testInTx: a transaction's writes, changes included, commit together or
// not at all; a method failing inside it leaves nothing of itself.
func testInTx(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	_, base, _ := s.ChangeBounds(ctx)
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx kolokol.Store) error {
		ok(t, tx.CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "a", Name: "A"}), "section in tx")
		if _, err := tx.FindSection(ctx, "ru", "a"); err != nil {
			t.Errorf("a transaction does not see its own write: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	if _, err := s.FindSection(ctx, "ru", "a"); !kolokol.IsNotFound(err) {
		t.Errorf("a rolled-back section is stored: %v", err)
	}
	if _, last, _ := s.ChangeBounds(ctx); last != base {
		t.Errorf("a rolled-back transaction logged changes: %d after %d", last, base)
	}

	err = s.InTx(ctx, func(tx kolokol.Store) error {
		ok(t, tx.CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "b", Name: "B"}), "section b")
		// A refused write inside leaves the rest standing.
		wantCode(t, tx.CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "b", Name: "B again"}), kolokol.ECONFLICT, "slug")
		ok(t, tx.CreateSection(ctx, &kolokol.Section{Service: "ru", Slug: "c", Name: "C"}), "section c")
		return tx.InTx(ctx, func(inner kolokol.Store) error { // nested: the same transaction
			return inner.SetBreaking(ctx, &kolokol.Breaking{Service: "ru", Text: "Срочно"})
		})
	})
	ok(t, err, "committed transaction")
	secs, _ := s.FindSections(ctx, "ru")
	if len(secs) != 2 {
		t.Errorf("%d sections after the transaction, want 2", len(secs))
	}
	got, _ := since(t, s, base)
	if len(got) != 3 {
		t.Errorf("the transaction logged %q", got)
	}
	if err := s.InTx(ctx, func(tx kolokol.Store) error { return tx.Close() }); err == nil {
		t.Error("a transaction's store closed")
	}
}

// testConcurrentLimits: limits checked by counting then inserting hold for
// concurrent writers.
func testConcurrentLimits(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	u := newUser("limits@example.org")
	ok(t, s.CreateUser(ctx, u), "create user")
	race := func(what string, n, max int, try func(i int) error, count func() int) {
		t.Helper()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := try(i); err != nil && kolokol.ErrorCode(err) != kolokol.ECONFLICT {
					t.Errorf("%s %d: %v", what, i, err)
				}
			})
		}
		wg.Wait()
		if got := count(); got != max {
			t.Errorf("%d %s after %d concurrent attempts, want %d", got, what, n, max)
		}
	}
	race("notices", 3*kolokol.MaxNotices, kolokol.MaxNotices, func(i int) error {
		return s.CreateNotice(ctx, &kolokol.Notice{Service: "ru", Text: fmt.Sprint("Notice ", i), Countries: []string{"RU"}})
	}, func() int { l, _ := s.FindNotices(ctx, "ru"); return len(l) })
	race("passkeys", 3*kolokol.MaxPasskeys, kolokol.MaxPasskeys, func(i int) error {
		return s.CreatePasskey(ctx, &kolokol.Passkey{ID: fmt.Sprint("key", i), UserID: u.ID, Credential: []byte("{}")})
	}, func() int { l, _ := s.FindPasskeys(ctx, u.ID); return len(l) })
	exp := time.Now().Add(time.Hour)
	race("held saves", 4*kolokol.MaxPendingPerUser, kolokol.MaxPendingPerUser, func(i int) error {
		return s.CreatePending(ctx, &kolokol.PendingSave{IDHash: sessionID(fmt.Sprint("p", i)), UserID: u.ID, Path: "/newsroom/stories",
			ContentType: "text/plain", Body: []byte{}, ExpiresAt: exp})
	}, func() int {
		n := 0
		for i := range 4 * kolokol.MaxPendingPerUser {
			if _, err := s.TakePending(context.WithoutCancel(ctx), sessionID(fmt.Sprint("p", i)), u.ID, time.Now()); err == nil {
				n++
			}
		}
		return n
	})
}

// testLatestLists: a change names the lists of newest stories (a
// section's, the service's) that the story is or was among the first
// kolokol.MoreStories+1 of, when something lists show of it changed;
// nothing else, so that an edit deep in the archive renders no story page
// again.
func testLatestLists(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "ru")
	createSection(t, s, "ru", "world", 1)
	createSection(t, s, "ru", "society", 2)
	_, seq, err := s.ChangeBounds(ctx)
	ok(t, err, "bounds")
	expect := func(what string, want ...string) {
		t.Helper()
		cs, err := s.FindChanges(ctx, seq, 0)
		ok(t, err, "find changes")
		var got []string
		for _, c := range cs {
			seq = c.Seq
			if c.Kind == kolokol.ChangeArticle {
				got = append(got, fmt.Sprintf("%s %v", c.Service, c.Latest))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: latest lists %q, want %q", what, got, want)
		}
	}
	publish := func(section string, hour int) *kolokol.Article {
		t.Helper()
		a := newArticle("ru", fmt.Sprintf("Новость %s %d", section, hour))
		a.Section, a.Status, a.PublishedAt = section, kolokol.StatusPublished, at(5, hour, 0)
		ok(t, s.CreateArticle(ctx, a), "create %s", a.Headline)
		return a
	}
	world := make([]*kolokol.Article, 8) // world[7] the newest
	for i := range world {
		world[i] = publish("world", 10+i)
		expect(fmt.Sprintf("publish world %d, the newest", i), "ru [ru/world ru/]")
	}
	edit := func(a *kolokol.Article, change func(*kolokol.Article), what string, want ...string) {
		t.Helper()
		a, err := s.FindArticleByID(ctx, a.ID)
		ok(t, err, "find %d", a.ID)
		change(a)
		ok(t, s.UpdateArticle(ctx, a), "%s", what)
		expect(what, want...)
	}
	summary := func(a *kolokol.Article) { a.Summary += " Обновлено." }
	edit(world[0], summary, "edit the summary of the eighth newest: no list of newest shows it", "ru []")
	edit(world[2], summary, "edit the summary of the sixth newest: each list's first six", "ru [ru/world ru/]")
	edit(world[1], summary, "edit the summary of the seventh newest", "ru []")
	edit(world[7], func(a *kolokol.Article) { a.Body = "Новый текст." }, "edit the newest's body: no list shows it", "ru []")
	old := publish("society", 1)
	expect("publish an old story in another section: the newest of its section only", "ru [ru/society]")
	edit(world[7], func(a *kolokol.Article) { a.Status = kolokol.StatusUnpublished }, "unpublish the newest", "ru [ru/world ru/]")
	edit(world[1], func(a *kolokol.Article) { a.Section = "society" }, "move the (now) sixth newest to another section",
		"ru [ru/world ru/ ru/society]")
	edit(old, func(a *kolokol.Article) { a.PublishedAt = at(6, 9, 0) }, "move an old story's time to the newest",
		"ru [ru/society ru/]")
	draft := newArticle("ru", "Черновик")
	draft.Section = "world"
	ok(t, s.CreateArticle(ctx, draft), "create draft")
	expect("a draft", "ru []")
}
