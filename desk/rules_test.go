package desk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// TestStoryRules is the desk's permission and workflow table: every role
// against every story operation in every status, in its own service and in
// another. The want strings are the error codes ("" for done): the rules
// as the newsroom expects them, written out rather than computed.
func TestStoryRules(t *testing.T) {
	const (
		ok        = ""
		forbidden = kolokol.EFORBIDDEN
		conflict  = kolokol.ECONFLICT
		notFound  = kolokol.ENOTFOUND
	)
	headline := "Паром вернулся в порт"
	ops := []struct {
		name string
		run  func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error
	}{
		{"update", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.UpdateArticle(ctx, actor, a.ID, ArticlePatch{Version: a.Version, Headline: &headline})
			return err
		}},
		{"restore", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			revs, err := d.store.FindRevisions(ctx, a.ID)
			if err != nil {
				return err
			}
			// The first text, with another headline, so the restore changes something.
			h := "Другой заголовок"
			if _, err := d.UpdateArticle(ctx, admin, a.ID, ArticlePatch{Version: a.Version, Headline: &h}); err != nil {
				return fmt.Errorf("setting up: %w", err)
			}
			_, err = d.Restore(ctx, actor, a.ID, revs[len(revs)-1].ID, a.Version+1)
			return err
		}},
		{"submit", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.Submit(ctx, actor, a.ID)
			return err
		}},
		{"publish", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.Publish(ctx, actor, a.ID)
			return err
		}},
		{"schedule", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.Schedule(ctx, actor, a.ID, d.now().Add(2*time.Hour))
			return err
		}},
		{"unpublish", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.Unpublish(ctx, actor, a.ID)
			return err
		}},
		{"correct", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.AddCorrection(ctx, actor, a.ID, "Дата исправлена.")
			return err
		}},
		{"read", func(ctx context.Context, d *Desk, actor kolokol.Actor, a *kolokol.Article) error {
			_, err := d.Article(ctx, actor, a.ID)
			return err
		}},
	}
	statuses := []string{"draft", "submitted", "scheduled", "published", "unpublished"}
	// want[op][status] = {reporter, editor}: in their own service. Editors
	// and admins alike; anyone of another service finds nothing.
	want := map[string]map[string][2]string{
		"update": {"draft": {ok, ok}, "submitted": {ok, ok}, "scheduled": {forbidden, ok},
			"published": {forbidden, ok}, "unpublished": {ok, ok}},
		"restore": {"draft": {ok, ok}, "submitted": {ok, ok}, "scheduled": {forbidden, ok},
			"published": {forbidden, ok}, "unpublished": {ok, ok}},
		"submit": {"draft": {ok, ok}, "submitted": {ok, ok}, "scheduled": {conflict, conflict},
			"published": {conflict, conflict}, "unpublished": {conflict, conflict}},
		"publish": {"draft": {forbidden, ok}, "submitted": {forbidden, ok}, "scheduled": {forbidden, ok},
			"published": {forbidden, ok}, "unpublished": {forbidden, ok}},
		"schedule": {"draft": {forbidden, ok}, "submitted": {forbidden, ok}, "scheduled": {forbidden, ok},
			"published": {forbidden, conflict}, "unpublished": {forbidden, ok}},
		"unpublish": {"draft": {forbidden, conflict}, "submitted": {forbidden, conflict}, "scheduled": {forbidden, ok},
			"published": {forbidden, ok}, "unpublished": {forbidden, conflict}},
		"correct": {"draft": {forbidden, ok}, "submitted": {forbidden, ok}, "scheduled": {forbidden, ok},
			"published": {forbidden, ok}, "unpublished": {forbidden, ok}},
		"read": {"draft": {ok, ok}, "submitted": {ok, ok}, "scheduled": {ok, ok},
			"published": {ok, ok}, "unpublished": {ok, ok}},
	}
	actors := []struct {
		actor kolokol.Actor
		col   int // 0: as a reporter, 1: as an editor, -1: of another service
	}{{reporterRU, 0}, {editorRU, 1}, {adminRU, 1}, {admin, 1}, {editorFA, -1}}

	f := newFixture(t)
	ctx := t.Context()
	for _, op := range ops {
		for _, status := range statuses {
			for _, who := range actors {
				t.Run(fmt.Sprintf("%s/%s/%s", op.name, status, who.actor.Name), func(t *testing.T) {
					st, submitted := kolokol.Status(status), false
					if status == "submitted" {
						st, submitted = kolokol.StatusDraft, true
					}
					a := f.story(t, st, submitted)
					before, _ := f.store.FindArticleByID(ctx, a.ID)
					err := op.run(ctx, f.d, who.actor, a)
					expected := notFound
					if who.col >= 0 {
						expected = want[op.name][status][who.col]
					}
					wantCode(t, "result", err, expected)
					if expected != ok && op.name != "restore" {
						after, _ := f.store.FindArticleByID(ctx, a.ID)
						if after.Version != before.Version || after.Status != before.Status {
							t.Errorf("a refused %s changed the story: version %d→%d, %s→%s", op.name, before.Version, after.Version, before.Status, after.Status)
						}
					}
				})
			}
		}
	}

	// Every refusal is in the audit log, those shown as "not found" too.
	denied := f.audit(t, kolokol.AuditFilter{Actor: editorFA.Name})
	if len(denied) == 0 || !strings.HasSuffix(denied[0].Action, ".denied") || denied[0].Service != "ru" || !strings.Contains(denied[0].Detail, "service ru") {
		t.Errorf("cross-service attempts are not audited: %+v", denied)
	}
}

// TestBreakingRules: banners are for those who may publish, in their
// services.
func TestBreakingRules(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		actor kolokol.Actor
		want  string
	}{{reporterRU, kolokol.EFORBIDDEN}, {editorRU, ""}, {adminRU, ""}, {admin, ""}, {editorFA, kolokol.EFORBIDDEN}} {
		err := f.d.SetBreaking(t.Context(), c.actor, &kolokol.Breaking{Service: "ru", Text: "Срочно"})
		wantCode(t, "set by "+c.actor.Name, err, c.want)
		err = f.d.ClearBreaking(t.Context(), c.actor, "ru")
		wantCode(t, "clear by "+c.actor.Name, err, c.want)
	}
}

// TestScheduledStoryStaysReviewed is the review bypass: an editor schedules
// a reporter's story; the reporter may not change it, by edit or by
// restoring an old revision, and the scheduler publishes what the editor
// approved.
func TestScheduledStoryStaysReviewed(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a, err := f.d.CreateArticle(ctx, reporterRU, ArticleInput{Service: "ru", Headline: "Черновик", Body: "Текст репортёра."})
	if err != nil {
		t.Fatal(err)
	}
	approved := "Текст, одобренный редактором."
	if a, err = f.d.UpdateArticle(ctx, editorRU, a.ID, ArticlePatch{Version: a.Version, Body: &approved}); err != nil {
		t.Fatal(err)
	}
	if a, err = f.d.Schedule(ctx, editorRU, a.ID, f.clock.now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	unreviewed := "Непроверенный текст."
	_, err = f.d.UpdateArticle(ctx, reporterRU, a.ID, ArticlePatch{Version: a.Version, Body: &unreviewed})
	wantCode(t, "reporter edits the scheduled story", err, kolokol.EFORBIDDEN)
	revs, _ := f.store.FindRevisions(ctx, a.ID)
	_, err = f.d.Restore(ctx, reporterRU, a.ID, revs[len(revs)-1].ID, a.Version)
	wantCode(t, "reporter restores the first text", err, kolokol.EFORBIDDEN)
	if err := CanEdit(reporterRU, a); err == nil {
		t.Error("CanEdit lets a reporter edit a scheduled story")
	}
	f.clock.add(2 * time.Hour)
	if n, err := f.d.PublishDue(ctx, f.clock.now()); n != 1 || err != nil {
		t.Fatalf("publish due: %d %v", n, err)
	}
	live, _ := f.store.FindArticleByID(ctx, a.ID)
	if live.Body != approved || !live.IsLive() {
		t.Errorf("published %q (%s), want the approved text", live.Body, live.Status)
	}
}
