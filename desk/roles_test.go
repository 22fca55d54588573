package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
)

// rolesFixture is the desk with a third service (ka) and Aziz: an editor
// on the Russian desk and a reporter on the Georgian one, as stored.
func rolesFixture(t *testing.T) (*fixture, kolokol.Actor) {
	t.Helper()
	f := newFixture(t)
	ka := &kolokol.Service{Code: "ka", Tag: "ka-GE", Script: "Geor", Direction: kolokol.LTR, Name: "ქართული", EnglishName: "Georgian", TimeZone: "Asia/Tbilisi"}
	if err := f.store.CreateService(t.Context(), ka); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateSection(t.Context(), &kolokol.Section{Service: "ka", Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	u, _, err := f.d.AddUser(t.Context(), admin, UserInput{Email: "aziz@example.org", Name: "Aziz",
		Desks: []kolokol.Desk{{Service: "ru", Role: kolokol.RoleEditor}, {Service: "ka", Role: kolokol.RoleReporter}}})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.FindUserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f, stored.Actor()
}

var editorKA = kolokol.Actor{Name: "nino@example.org", Role: kolokol.RoleEditor, Services: []string{"ka"}}

// draft makes a draft on service as a global admin, published when asked.
func (f *fixture) draft(t *testing.T, service string, publish bool) *kolokol.Article {
	t.Helper()
	a, err := f.d.CreateArticle(t.Context(), admin, ArticleInput{Service: service, Section: "world", Headline: "Headline " + service,
		Summary: "Summary.", Body: "Body."})
	if err == nil && publish {
		a, err = f.d.Publish(t.Context(), admin, a.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRolesPerDesk: every rule asks the actor's role on the story's
// service, for accounts with several roles and for tokens with one.
func TestRolesPerDesk(t *testing.T) {
	f, aziz := rolesFixture(t)
	ctx := t.Context()
	tokenEditor := kolokol.ActorOf(&kolokol.Token{Name: "ingest", Role: kolokol.RoleEditor, Services: []string{"ru", "ka"}})
	tokenReporter := kolokol.ActorOf(&kolokol.Token{Name: "wire", Role: kolokol.RoleReporter, Services: []string{"ka"}})
	ops := map[string]func(actor kolokol.Actor, service string) error{
		"create": func(actor kolokol.Actor, service string) error {
			_, err := f.d.CreateArticle(ctx, actor, ArticleInput{Service: service, Section: "world", Headline: "Новость", Summary: "S.", Body: "B."})
			return err
		},
		"publish": func(actor kolokol.Actor, service string) error {
			_, err := f.d.Publish(ctx, actor, f.draft(t, service, false).ID)
			return err
		},
		"edit approved": func(actor kolokol.Actor, service string) error {
			a := f.draft(t, service, true)
			h := "Правка"
			_, err := f.d.UpdateArticle(ctx, actor, a.ID, ArticlePatch{Version: a.Version, Headline: &h})
			return err
		},
		"breaking": func(actor kolokol.Actor, service string) error {
			return f.d.SetBreaking(ctx, actor, &kolokol.Breaking{Service: service, Text: "Срочно"})
		},
	}
	tests := []struct {
		who     string
		actor   kolokol.Actor
		op      string
		service string
		want    string // an error code; "" for allowed
	}{
		{"Aziz, reporter on ka", aziz, "create", "ka", ""},
		{"Aziz, reporter on ka", aziz, "publish", "ka", kolokol.EFORBIDDEN},
		{"Aziz, reporter on ka", aziz, "edit approved", "ka", kolokol.EFORBIDDEN},
		{"Aziz, reporter on ka", aziz, "breaking", "ka", kolokol.EFORBIDDEN},
		{"Aziz, editor on ru", aziz, "create", "ru", ""},
		{"Aziz, editor on ru", aziz, "publish", "ru", ""},
		{"Aziz, editor on ru", aziz, "edit approved", "ru", ""},
		{"Aziz, editor on ru", aziz, "breaking", "ru", ""},
		{"Aziz on a third service", aziz, "create", "fa", kolokol.EFORBIDDEN},
		{"Aziz on a third service", aziz, "publish", "fa", kolokol.ENOTFOUND},
		{"global admin", admin, "publish", "ka", ""},
		{"global admin", admin, "edit approved", "fa", ""},
		{"editor token of ru and ka", tokenEditor, "publish", "ka", ""},
		{"editor token of ru and ka", tokenEditor, "publish", "fa", kolokol.ENOTFOUND},
		{"reporter token of ka", tokenReporter, "create", "ka", ""},
		{"reporter token of ka", tokenReporter, "publish", "ka", kolokol.EFORBIDDEN},
		{"reporter token of ka", tokenReporter, "edit approved", "ka", kolokol.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.who, tt.op, tt.service), func(t *testing.T) {
			err := ops[tt.op](tt.actor, tt.service)
			if kolokol.ErrorCode(err) != tt.want || (tt.want == "" && err != nil) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if tt.want == kolokol.EFORBIDDEN && tt.op != "create" && !strings.Contains(kolokol.ErrorMessage(err), tt.service) {
				t.Errorf("the refusal does not name the service: %v", err)
			}
		})
	}
}

// TestAccessChangesAudited: a change of desks is refused to a service
// admin who is not an admin of every desk involved, and is audited as
// what changed.
func TestAccessChangesAudited(t *testing.T) {
	f, aziz := rolesFixture(t)
	ctx := t.Context()
	u, err := f.store.FindUserByEmail(ctx, aziz.Name)
	if err != nil {
		t.Fatal(err)
	}
	in := UserInput{Name: u.Name, Desks: []kolokol.Desk{{Service: "ru", Role: kolokol.RoleEditor}, {Service: "ka", Role: kolokol.RoleEditor}, {Service: "fa", Role: kolokol.RoleReporter}}}
	if _, err := f.d.UpdateUserAccess(ctx, adminRU, u.ID, in); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("an admin of ru alone changed an account of ka: %v", err)
	}
	next, err := f.d.UpdateUserAccess(ctx, admin, u.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(next.Desks); got != "[fa=reporter ka=editor ru=editor]" {
		t.Errorf("desks after the change: %s", got)
	}
	es, err := f.store.FindAudit(ctx, kolokol.AuditFilter{Action: "user.update"})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range es {
		details = append(details, e.Detail)
	}
	if want := "fa: added as reporter; ka: reporter → editor"; !slices.Contains(details, want) {
		t.Errorf("audit details %q, want one %q", details, want)
	}
	dup := in
	dup.Desks = append(slices.Clone(in.Desks), kolokol.Desk{Service: "ru", Role: kolokol.RoleReporter})
	if _, err := f.d.UpdateUserAccess(ctx, admin, u.ID, dup); kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != "desks" {
		t.Errorf("two roles on ru: %v", err)
	}
	if again, _ := f.store.FindUserByID(ctx, u.ID); fmt.Sprint(again.Desks) != fmt.Sprint(next.Desks) {
		t.Errorf("a refused change was stored: %v", again.Desks)
	}
}

// TestSubmissionTellsTheDesk: a draft submitted on ka tells the editors of
// ka (and the mail hook), not its submitter nor the editors of other desks;
// the review queues show it to both sides.
func TestSubmissionTellsTheDesk(t *testing.T) {
	f, aziz := rolesFixture(t)
	ctx := t.Context()
	nino, _, err := f.d.AddUser(ctx, admin, UserInput{Email: editorKA.Name, Name: "Nino", Role: kolokol.RoleEditor, Services: []string{"ka"}})
	if err != nil {
		t.Fatal(err)
	}
	ruEditor, _, err := f.d.AddUser(ctx, admin, UserInput{Email: "ivan@example.org", Role: kolokol.RoleEditor, Services: []string{"ru"}})
	if err != nil {
		t.Fatal(err)
	}
	var mailed []int64
	f.d.OnNotify(func(_ context.Context, n *kolokol.Notification) { mailed = append(mailed, n.UserID) })

	a, err := f.d.CreateArticle(ctx, aziz, ArticleInput{Service: "ka", Section: "world", Headline: "ახალი ამბავი", Summary: "S.", Body: "B."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Submit(ctx, aziz, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Submit(ctx, aziz, a.ID); err != nil {
		t.Fatal(err)
	}
	list, err := f.d.Notifications(ctx, nino.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Actor != "Aziz" || list[0].Headline != "ახალი ამბავი" || list[0].ArticleID != a.ID || list[0].Service != "ka" {
		t.Fatalf("the ka editor was told %+v", list)
	}
	if !slices.Equal(mailed, []int64{nino.ID}) {
		t.Errorf("the mail hook was told of accounts %v, want [%d]", mailed, nino.ID)
	}
	for _, other := range []int64{ruEditor.ID} {
		if n, _ := f.d.Unread(ctx, other); n != 0 {
			t.Errorf("account %d, not of the ka desk, has %d unread", other, n)
		}
	}
	if err := f.d.MarkRead(ctx, nino.ID, []int64{list[0].ID}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.d.Unread(ctx, nino.ID); n != 0 {
		t.Errorf("%d unread after reading", n)
	}

	mine, err := f.d.MySubmissions(ctx, aziz)
	if err != nil {
		t.Fatal(err)
	}
	if mine.Total != 1 || len(mine.Articles) != 1 || mine.Articles[0].ID != a.ID {
		t.Errorf("Aziz's submissions: %d, %v", mine.Total, mine.Articles)
	}
	waiting, err := f.d.AwaitingReview(ctx, editorKA)
	if err != nil {
		t.Fatal(err)
	}
	if waiting.Total != 1 || waiting.Articles[0].ID != a.ID {
		t.Errorf("awaiting the ka editor: %d %v", waiting.Total, waiting.Articles)
	}
	// Aziz edits ru, not ka: his own ka submission does not wait on him.
	if waiting, err := f.d.AwaitingReview(ctx, aziz); err != nil || waiting.Total != 0 {
		t.Errorf("awaiting Aziz: %d %v %v", waiting.Total, waiting.Articles, err)
	}
	if _, err := f.d.Publish(ctx, editorKA, a.ID); err != nil {
		t.Fatal(err)
	}
	if waiting, _ := f.d.AwaitingReview(ctx, editorKA); waiting.Total != 0 {
		t.Errorf("a published story still awaits review")
	}
	if mine, _ := f.d.MySubmissions(ctx, aziz); mine.Total != 1 || mine.Articles[0].Status != kolokol.StatusPublished {
		t.Errorf("Aziz does not see where his story stands: %+v", mine)
	}
}
