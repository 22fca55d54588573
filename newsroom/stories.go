package newsroom

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
	"github.com/kolokol/kolokol/media"
)

// storyForm is the editor's form: what was stored, or what the editor sent.
type storyForm struct {
	ID       int64
	Version  int
	Service  string
	Section  string
	Headline string
	Summary  string
	Body     string
	Bylines  string // one per line
	Dateline string
	Tags     string // comma-separated
	Credits  string // comma-separated
	Group    string
	MediaID  int64
	Alt      string
	Caption  string
	Credit   string
}

func formOf(a *kolokol.Article) storyForm {
	f := storyForm{ID: a.ID, Version: a.Version, Service: a.Service, Section: a.Section, Headline: a.Headline,
		Summary: a.Summary, Body: a.Body, Bylines: strings.Join(a.Bylines, "\n"), Dateline: a.Dateline,
		Tags: strings.Join(a.Tags, ", "), Credits: strings.Join(a.Credits, ", "), Group: a.TranslationGroup}
	if li := a.LeadImage; li != nil {
		f.MediaID, f.Alt, f.Caption, f.Credit = li.MediaID, li.Alt, li.Caption, li.Credit
	}
	return f
}

// article is the form as a story, for the preview and for checks.
func (f storyForm) article() *kolokol.Article {
	a := &kolokol.Article{ID: f.ID, Version: f.Version, Service: f.Service, Section: f.Section, Headline: f.Headline,
		Summary: f.Summary, Body: f.Body, Bylines: lines(f.Bylines), Dateline: f.Dateline, Tags: commas(f.Tags),
		Credits: commas(f.Credits), TranslationGroup: f.Group, Status: kolokol.StatusDraft}
	if f.MediaID > 0 {
		a.LeadImage = &kolokol.LeadImage{MediaID: f.MediaID, Alt: f.Alt, Caption: f.Caption, Credit: f.Credit}
	}
	a.Normalize()
	return a
}

func lines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

func commas(s string) []string { return strings.Split(s, ",") }

// maxStoryBytes bounds a story form: the text fields and one photo.
const maxStoryBytes = media.MaxBytes + 1<<20

// readStory reads the editor's form and the photo it carries, if any. A
// form the browser mangled is refused whole.
func readStory(w http.ResponseWriter, r *http.Request) (f storyForm, photo []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxStoryBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(2 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		// The multipart reader flattens the error into its own text.
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "request body too large") {
			return f, nil, kolokol.Errorf(kolokol.ETOOLARGE, "the story and its photo are over the limit of %d MiB", maxStoryBytes>>20)
		}
		return f, nil, kolokol.Errorf(kolokol.EMALFORMED, "the form could not be read: %v", err)
	}
	v := r.PostFormValue
	f = storyForm{Service: v("service"), Section: v("section"), Headline: v("headline"), Summary: v("summary"),
		Body: v("body"), Bylines: v("bylines"), Dateline: v("dateline"), Tags: v("tags"), Credits: v("credits"),
		Group: v("translation_group"), Alt: v("alt"), Caption: v("caption"), Credit: v("credit")}
	for _, n := range []struct {
		name string
		dst  *int64
	}{{"id", &f.ID}, {"media_id", &f.MediaID}} {
		if s := v(n.name); s != "" {
			if *n.dst, err = strconv.ParseInt(s, 10, 64); err != nil || *n.dst < 0 {
				return f, nil, kolokol.FieldErrorf(kolokol.EMALFORMED, n.name, "%s %q is not a number", n.name, s)
			}
		}
	}
	if s := v("version"); s != "" {
		if f.Version, err = strconv.Atoi(s); err != nil {
			return f, nil, kolokol.FieldErrorf(kolokol.EMALFORMED, "version", "version %q is not a number", s)
		}
	}
	if v("remove_image") != "" {
		f.MediaID, f.Alt, f.Caption, f.Credit = 0, "", "", ""
	}
	if r.MultipartForm != nil {
		if fh := r.MultipartForm.File["image"]; len(fh) == 1 && fh[0].Size > 0 {
			photo, err = readFile(fh[0])
			if err != nil {
				return f, nil, err
			}
		} else if len(fh) > 1 {
			return f, nil, kolokol.FieldErrorf(kolokol.EINVALID, "image", "send one photo per story")
		}
	}
	return f, photo, nil
}

func readFile(fh *multipart.FileHeader) ([]byte, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "the photo could not be read: %v", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
	if err != nil {
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "the photo could not be read: %v", err)
	}
	return data, nil
}

// storyPage is what the editor template shows.
type storyPage struct {
	Form      storyForm
	Article   *kolokol.Article // nil for a new story
	Service   *kolokol.Service
	Sections  []*kolokol.Section
	Media     *kolokol.Media
	Preview   string // the preview URL the form posts to
	CanPub    bool
	Scheduled string // the schedule time in the service's zone, for the input
	Zone      string
	Updated   string
}

func (n *Newsroom) newStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	svc := r.URL.Query().Get("service")
	if svc == "" {
		svc = firstService(u)
	}
	n.showStory(w, r, u, http.StatusOK, storyForm{Service: svc}, nil, "")
}

func firstService(u *kolokol.User) string {
	if len(u.Services) > 0 {
		return u.Services[0]
	}
	return "en"
}

func (n *Newsroom) editStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	n.showStory(w, r, u, http.StatusOK, formOf(a), a, "")
}

// article loads the story of the path's id, or answers with why not.
func (n *Newsroom) article(w http.ResponseWriter, r *http.Request, u *kolokol.User) (*kolokol.Article, bool) {
	id, ok := n.pathID(w, r, u, "story")
	if !ok {
		return nil, false
	}
	a, err := n.desk.Article(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return nil, false
	}
	return a, true
}

func (n *Newsroom) showStory(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, f storyForm, a *kolokol.Article, msg string) {
	ctx := r.Context()
	svc, err := n.store.FindServiceByCode(ctx, f.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if !u.Actor().CanTouch(svc.Code) {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "you do not work on service %q", svc.Code))
		return
	}
	p := &storyPage{Form: f, Article: a, Service: svc, CanPub: u.Actor().CanPublish()}
	if p.Sections, err = n.store.FindSections(ctx, svc.Code); err != nil {
		n.fail(w, r, u, err)
		return
	}
	if f.MediaID > 0 {
		// Through the desk: the form may name a media of another service.
		if m, err := n.desk.Media(ctx, u.Actor(), f.MediaID); err == nil {
			p.Media = m
		}
	}
	preview := f.article()
	if a != nil {
		preview.ID = a.ID
	}
	p.Preview = "/newsroom/preview" + preview.Path() // see preview.go
	loc := svc.Location()
	p.Zone = loc.String()
	p.Scheduled = time.Now().In(loc).Add(time.Hour).Truncate(time.Hour).Format("2006-01-02T15:04")
	if a != nil {
		if !a.ScheduledAt.IsZero() {
			p.Scheduled = a.ScheduledAt.In(loc).Format("2006-01-02T15:04")
		}
		p.Updated = a.UpdatedAt.In(loc).Format("2006-01-02 15:04 MST")
	}
	title := "New story"
	if a != nil {
		title = "Edit: " + a.Headline
	}
	n.render(w, status, "story", pageData{Title: title, User: u, Error: msg, Story: p, Saved: msg == "" && r.URL.Query().Has("saved")})
}

// createStory stores a new draft and opens it in the editor.
func (n *Newsroom) createStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	f, photo, err := readStory(w, r)
	if err != nil {
		n.storyError(w, r, u, f, nil, err)
		return
	}
	ctx := r.Context()
	if err := n.attachPhoto(r, u, &f, photo, nil); err != nil {
		n.storyError(w, r, u, f, nil, err)
		return
	}
	a := f.article()
	a, err = n.desk.CreateArticle(ctx, u.Actor(), desk.ArticleInput{Service: a.Service, Section: a.Section,
		Headline: a.Headline, Summary: a.Summary, Body: a.Body, Bylines: a.Bylines, Dateline: a.Dateline,
		Tags: a.Tags, Credits: a.Credits, LeadImage: a.LeadImage, TranslationGroup: a.TranslationGroup})
	if err != nil {
		n.storyError(w, r, u, f, nil, err)
		return
	}
	http.Redirect(w, r, storyURL(a.ID)+"?saved=1", http.StatusSeeOther)
}

func storyURL(id int64) string { return "/newsroom/stories/" + strconv.FormatInt(id, 10) }

// attachPhoto uploads the form's photo, if any, and makes it the lead
// image. The story is checked first (rights, fields, section, alt text),
// so a story refused for what it says stores no photo either.
func (n *Newsroom) attachPhoto(r *http.Request, u *kolokol.User, f *storyForm, photo []byte, current *kolokol.Article) error {
	if photo == nil {
		return nil
	}
	if strings.TrimSpace(f.Alt) == "" {
		return kolokol.FieldErrorf(kolokol.EINVALID, "alt", "describe the photo in its alt text: readers who cannot see it hear that instead")
	}
	actor := u.Actor()
	if !actor.CanTouch(f.Service) {
		return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "service", "%s may not work on service %q", actor.Name, f.Service)
	}
	if current != nil && current.IsLive() && !actor.CanPublish() {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "a %s cannot edit a published story", actor.Role)
	}
	a := f.article()
	a.LeadImage = &kolokol.LeadImage{MediaID: 1, Alt: f.Alt, Caption: f.Caption, Credit: f.Credit} // stands in for the upload
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Section != "" {
		if _, err := n.store.FindSection(r.Context(), a.Service, a.Section); kolokol.IsNotFound(err) {
			return kolokol.FieldErrorf(kolokol.EINVALID, "section", "service %q has no section %q", a.Service, a.Section)
		} else if err != nil {
			return err
		}
	}
	m, _, err := n.desk.UploadMedia(r.Context(), actor, a.Service, photo)
	if err != nil {
		return err
	}
	f.MediaID = m.ID
	return nil
}

// storyError shows the editor again with the editor's own text and what
// was wrong with it.
func (n *Newsroom) storyError(w http.ResponseWriter, r *http.Request, u *kolokol.User, f storyForm, a *kolokol.Article, err error) {
	code := kolokol.ErrorCode(err)
	if code == kolokol.EINTERNAL {
		n.fail(w, r, u, err)
		return
	}
	if f.Service == "" {
		if a != nil {
			f.Service = a.Service
		} else {
			f.Service = firstService(u)
		}
	}
	n.showStory(w, r, u, httperr.Status(code), f, a, kolokol.ErrorMessage(err))
}

// saveStory stores an edit. An edit made from an older version than the
// stored one gets the conflict page, never a silent overwrite.
func (n *Newsroom) saveStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	f, photo, err := readStory(w, r)
	f.ID, f.Service = a.ID, a.Service
	if err != nil {
		n.storyError(w, r, u, f, a, err)
		return
	}
	if f.Version != a.Version && f.Version > 0 {
		n.conflict(w, r, u, f, a)
		return
	}
	if err := n.attachPhoto(r, u, &f, photo, a); err != nil {
		n.storyError(w, r, u, f, a, err)
		return
	}
	in := f.article()
	li := in.LeadImage
	_, err = n.desk.UpdateArticle(r.Context(), u.Actor(), a.ID, desk.ArticlePatch{Version: f.Version,
		Section: &in.Section, Headline: &in.Headline, Summary: &in.Summary, Body: &in.Body, Dateline: &in.Dateline,
		Bylines: &in.Bylines, Tags: &in.Tags, Credits: &in.Credits, LeadImage: &li, TranslationGroup: &in.TranslationGroup})
	if kolokol.ErrorCode(err) == kolokol.ECONFLICT {
		if cur, err := n.desk.Article(r.Context(), u.Actor(), a.ID); err == nil {
			n.conflict(w, r, u, f, cur)
			return
		}
	}
	if err != nil {
		n.storyError(w, r, u, f, a, err)
		return
	}
	http.Redirect(w, r, storyURL(a.ID)+"?saved=1", http.StatusSeeOther)
}

// conflictPage shows the editor's version beside the stored one.
type conflictPage struct {
	Mine    storyForm
	Theirs  *kolokol.Article
	Diff    []desk.FieldDiff
	Service *kolokol.Service
}

func (n *Newsroom) conflict(w http.ResponseWriter, r *http.Request, u *kolokol.User, mine storyForm, theirs *kolokol.Article) {
	svc, err := n.store.FindServiceByCode(r.Context(), theirs.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	m := mine.article()
	m.ID, m.Status = theirs.ID, theirs.Status
	// The form to save over theirs carries their version: saving it is a
	// choice made having seen both.
	mine.Version = theirs.Version
	n.render(w, http.StatusConflict, "conflict", pageData{Title: "Someone else changed this story", User: u,
		Conflict: &conflictPage{Mine: mine, Theirs: theirs, Service: svc,
			Diff: desk.Diff(kolokol.RevisionOf(theirs), kolokol.RevisionOf(m))}})
}

// transition runs a workflow step from a button on the editor.
func (n *Newsroom) transition(op func(*Newsroom, *http.Request, *kolokol.User, int64) error) func(http.ResponseWriter, *http.Request, *kolokol.User) {
	return func(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			n.fail(w, r, u, kolokol.Errorf(kolokol.EMALFORMED, "the form could not be read: %v", err))
			return
		}
		a, ok := n.article(w, r, u)
		if !ok {
			return
		}
		if err := op(n, r, u, a.ID); err != nil {
			n.storyError(w, r, u, formOf(a), a, err)
			return
		}
		http.Redirect(w, r, storyURL(a.ID)+"?saved=1", http.StatusSeeOther)
	}
}

func submitStory(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	_, err := n.desk.Submit(r.Context(), u.Actor(), id)
	return err
}

func publishStory(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	_, err := n.desk.Publish(r.Context(), u.Actor(), id)
	return err
}

func unpublishStory(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	_, err := n.desk.Unpublish(r.Context(), u.Actor(), id)
	return err
}

func correctStory(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	_, err := n.desk.AddCorrection(r.Context(), u.Actor(), id, r.PostFormValue("correction"))
	return err
}

// scheduleStory reads the time in the service's own zone: that is the
// clock the desk works by.
func scheduleStory(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	a, err := n.desk.Article(r.Context(), u.Actor(), id)
	if err != nil {
		return err
	}
	svc, err := n.store.FindServiceByCode(r.Context(), a.Service)
	if err != nil {
		return err
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("at"), svc.Location())
	if err != nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "at", "give the time to publish as a date and time, e.g. 2026-12-01T09:30")
	}
	_, err = n.desk.Schedule(r.Context(), u.Actor(), id, at)
	return err
}

// restoreRevision makes an old revision the story's text again.
func restoreRevision(n *Newsroom, r *http.Request, u *kolokol.User, id int64) error {
	rev, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil {
		return kolokol.Errorf(kolokol.ENOTFOUND, "there is no revision %q", r.PathValue("rev"))
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "version", "the form lacks the story's version; reload the history")
	}
	_, err = n.desk.Restore(r.Context(), u.Actor(), id, rev, version)
	return err
}

// historyPage lists a story's revisions and, when two are chosen, the
// differences between them.
type historyPage struct {
	Article   *kolokol.Article
	Revisions []*kolokol.Revision
	From, To  *kolokol.Revision
	Diff      []desk.FieldDiff
}

func (n *Newsroom) history(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	a, ok := n.article(w, r, u)
	if !ok {
		return
	}
	revs, err := n.desk.Revisions(r.Context(), u.Actor(), a.ID)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	p := &historyPage{Article: a, Revisions: revs}
	find := func(key string) *kolokol.Revision {
		id, err := strconv.ParseInt(r.URL.Query().Get(key), 10, 64)
		if err != nil {
			return nil
		}
		i := slices.IndexFunc(revs, func(r *kolokol.Revision) bool { return r.ID == id })
		if i < 0 {
			return nil
		}
		return revs[i]
	}
	p.From, p.To = find("from"), find("to")
	if p.From == nil && p.To == nil && len(revs) > 1 {
		// By default: the last change to the text (a publication alone
		// changes none).
		p.To, p.From = revs[0], revs[1]
		for _, older := range revs[1:] {
			if len(desk.Diff(older, revs[0])) > 0 {
				p.From = older
				break
			}
		}
	}
	if p.From != nil && p.To != nil {
		if p.From.Version > p.To.Version {
			p.From, p.To = p.To, p.From
		}
		p.Diff = desk.Diff(p.From, p.To)
	}
	n.render(w, http.StatusOK, "history", pageData{Title: "History: " + a.Headline, User: u, History: p})
}
