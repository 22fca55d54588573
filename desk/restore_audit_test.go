package desk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestRestoreIsAudited: a restore is recorded as a restore, naming the
// revision, not as an edit typed by hand; a refused one as a refused
// restore; a stale one (a conflict) is the editor's to resolve, not an
// event.
func TestRestoreIsAudited(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.story(t, kolokol.StatusDraft, false)
	revs, err := f.store.FindRevisions(ctx, a.ID)
	if err != nil || len(revs) == 0 {
		t.Fatalf("revisions: %v %v", revs, err)
	}
	first := revs[len(revs)-1]
	body := "Новый текст."
	if a, err = f.d.UpdateArticle(ctx, editorRU, a.ID, ArticlePatch{Version: a.Version, Body: &body}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Restore(ctx, editorRU, a.ID, first.ID, a.Version-1); kolokol.ErrorCode(err) != kolokol.ECONFLICT {
		t.Fatalf("a stale restore: %v", err)
	}
	restored, err := f.d.Restore(ctx, editorRU, a.ID, first.ID, a.Version)
	if err != nil || restored.Body != first.Body {
		t.Fatalf("restore: %+v %v", restored, err)
	}
	if _, err := f.d.Schedule(ctx, editorRU, a.ID, f.clock.now().Add(3600e9)); err != nil {
		t.Fatal(err)
	}
	restored, _ = f.store.FindArticleByID(ctx, a.ID)
	if _, err := f.d.Restore(ctx, reporterRU, a.ID, first.ID, restored.Version); kolokol.ErrorCode(err) != kolokol.EFORBIDDEN {
		t.Fatalf("a reporter restores a scheduled story: %v", err)
	}
	f.d.FlushAudit(ctx, true)
	var got []string
	for _, e := range f.audit(t, kolokol.AuditFilter{ArticleID: a.ID}) {
		if e.Action == "article.restore" || e.Action == "article.restore.denied" || e.Action == "article.update" {
			got = append(got, fmt.Sprintf("%s %s %s %s", e.Actor, e.Action, e.Service, e.Detail))
		}
	}
	want := []string{
		"editor@ru article.update ru ",
		fmt.Sprintf("editor@ru article.restore ru revision %d", first.ID),
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], "reporter@ru article.restore.denied ru ") {
		t.Fatalf("audit:\n%q", got)
	}
}
