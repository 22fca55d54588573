package newsroom

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/render"
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
	MediaID  int64
	Alt      string
	Caption  string
	Credit   string
	// Slug is the address the editor typed ("" follows the headline);
	// the titles and description for search engines and social cards.
	Slug              string
	SEOTitle          string
	SocialTitle       string
	SocialDescription string
	At                string // the schedule time as typed, in the service's zone
}

// storyFields maps the fields errors name to the story form's inputs, so
// that an error is shown beside its input and the summary links to it.
var storyFields = map[string]string{
	"headline": "headline", "summary": "summary", "body": "body", "section": "section", "bylines": "bylines",
	"dateline": "dateline", "tags": "tags", "credits": "credits",
	"image": "image", "alt": "alt", "lead_image.alt": "alt", "caption": "caption", "credit": "credit",
	"at": "at", "scheduled_at": "at", "slug": "slug", "seo_title": "seo_title", "social_title": "social_title", "social_description": "social_description", "correction": "correction", "text": "correction",
	"translate_service": "translate-service", "link_other": "link-q", "unlink": "versions-list", // translations.go
}

func formOf(a *kolokol.Article) storyForm {
	f := storyForm{ID: a.ID, Version: a.Version, Service: a.Service, Section: a.Section, Headline: a.Headline,
		Summary: a.Summary, Body: a.Body, Bylines: strings.Join(a.Bylines, "\n"), Dateline: a.Dateline,
		Tags: strings.Join(a.Tags, ", "), Credits: strings.Join(a.Credits, ", "),
		Slug: a.CustomSlug, SEOTitle: a.SEOTitle, SocialTitle: a.SocialTitle, SocialDescription: a.SocialDescription}
	if li := a.LeadImage; li != nil {
		f.MediaID, f.Alt, f.Caption, f.Credit = li.MediaID, li.Alt, li.Caption, li.Credit
	}
	return f
}

// article is the form as a story, for the preview and for checks.
func (f storyForm) article() *kolokol.Article {
	a := &kolokol.Article{ID: f.ID, Version: f.Version, Service: f.Service, Section: f.Section, Headline: f.Headline,
		Summary: f.Summary, Body: f.Body, Bylines: lines(f.Bylines), Dateline: f.Dateline, Tags: commas(f.Tags),
		Credits: commas(f.Credits), Status: kolokol.StatusDraft,
		CustomSlug: f.Slug, SEOTitle: f.SEOTitle, SocialTitle: f.SocialTitle, SocialDescription: f.SocialDescription}
	if f.MediaID > 0 {
		a.LeadImage = &kolokol.LeadImage{MediaID: f.MediaID, Alt: f.Alt, Caption: f.Caption, Credit: f.Credit}
	}
	a.Normalize()
	return a
}

func lines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

// commas splits a list typed into one field. Persian, Dari, Pashto and
// Arabic keyboards type the Arabic comma (U+060C), and the fullwidth comma
// comes from East Asian input methods: each separates as "," does.
func commas(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\u060c' || r == '\uff0c' })
}

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
		Alt: v("alt"), Caption: v("caption"), Credit: v("credit"),
		Slug: v("slug"), SEOTitle: v("seo_title"), SocialTitle: v("social_title"), SocialDescription: v("social_description"), At: v("at")}
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
	// Twice says which of two instants the schedule is, when its wall
	// clock happens twice that night.
	Twice string
	// Locked says why the person may not change the story, before they
	// type; the form is then read-only.
	Locked string
	// Dropped lists what of the body readers will not see.
	Dropped []string
	// Wire is the agency copy the story was opened from, if any.
	Wire *wireSource
	// Kept names the fields where a colleague's change, made while this
	// editor worked, was kept in the last save.
	Kept []string
	// Copy is the person's working copy, when it differs from the form.
	Copy *kolokol.Autosave
	// Autosave is where the editor's script keeps the working copy.
	Autosave string
	// Words is the body's word count and reading time; the editor's
	// script keeps it up to date as the editor types, counting alike.
	Words          string
	WordsPerMinute int
	// Lock names the colleague who holds the story, when one does: the
	// form is then read-only until this account takes it over.
	Lock *lockView
	// Heartbeat is where the editor's script says the page is open.
	Heartbeat string
	// Versions are the story's versions in other languages (translations.go).
	Versions *versionsView
}

// wordsLine says how long the body is: "312 words, about 2 minutes to
// read". editor.js writes the same sentence.
func wordsLine(body string) string {
	n := desk.Words(body)
	if n == 0 {
		return "0 words"
	}
	return count(n, "word", "words") + ", about " + count(desk.ReadingMinutes(n), "minute", "minutes") + " to read"
}

// Limits and length guidance of the address and sharing fields, for the
// form's hints and maxlength.
func (storyPage) MaxSlug() int               { return kolokol.MaxSlug }
func (storyPage) MaxSEOTitle() int           { return kolokol.MaxSEOTitle }
func (storyPage) MaxSocialTitle() int        { return kolokol.MaxSocialTitle }
func (storyPage) MaxSocialDescription() int  { return kolokol.MaxSocialDescription }
func (storyPage) HintSEOTitle() int          { return kolokol.HintSEOTitle }
func (storyPage) HintSocialTitle() int       { return kolokol.HintSocialTitle }
func (storyPage) HintSocialDescription() int { return kolokol.HintSocialDescription }

func (n *Newsroom) newStory(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	svc := r.URL.Query().Get("service")
	if svc == "" {
		svc = firstService(u)
	}
	f := storyForm{Service: svc}
	if r.URL.Query().Get("draft") == "restore" {
		if c, err := n.desk.WorkingCopy(r.Context(), u.ID, 0, svc); err == nil {
			f = formOfCopy(c, f)
		}
	}
	f = n.chosenMedia(r, u, f)
	n.showStory(w, r, u, http.StatusOK, f, nil, nil)
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
	f := formOf(a)
	if r.URL.Query().Get("draft") == "restore" {
		if c, err := n.desk.WorkingCopy(r.Context(), u.ID, a.ID, a.Service); err == nil {
			f = formOfCopy(c, f)
		}
	}
	f = n.chosenMedia(r, u, f)
	// Opening the story takes its lock, or says who holds it.
	held, err := n.desk.OpenStory(r.Context(), u, a)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.showStoryHeld(w, r, u, http.StatusOK, f, a, held, false)
}

// formOfCopy fills a form from a working copy: the fields it kept, over the
// form's; the version it was started from, so that saving it meets the
// same conflict check as any edit.
func formOfCopy(c *kolokol.Autosave, f storyForm) storyForm {
	v := func(name string, dst *string) {
		if s, ok := c.Fields[name]; ok {
			*dst = s
		}
	}
	v("headline", &f.Headline)
	v("summary", &f.Summary)
	v("body", &f.Body)
	v("section", &f.Section)
	v("bylines", &f.Bylines)
	v("dateline", &f.Dateline)
	v("tags", &f.Tags)
	v("credits", &f.Credits)
	v("alt", &f.Alt)
	v("caption", &f.Caption)
	v("credit", &f.Credit)
	v("slug", &f.Slug)
	v("seo_title", &f.SEOTitle)
	v("social_title", &f.SocialTitle)
	v("social_description", &f.SocialDescription)
	if id, err := strconv.ParseInt(c.Fields["media_id"], 10, 64); err == nil && id > 0 {
		f.MediaID = id
	}
	if c.Version > 0 {
		f.Version = c.Version
	}
	return f
}

// copyFields are the form fields a working copy keeps.
var copyFields = []string{"headline", "summary", "body", "section", "bylines", "dateline", "tags", "credits",
	"alt", "caption", "credit", "media_id", "slug", "seo_title", "social_title", "social_description"}

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

func (n *Newsroom) showStory(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, f storyForm, a *kolokol.Article, fault error) {
	n.showStoryAs(w, r, u, status, f, a, fault, nil, false)
}

// showStoryHeld shows the editor with who holds the story; kept says that
// the form is the account's refused save, kept as its working copy.
func (n *Newsroom) showStoryHeld(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, f storyForm, a *kolokol.Article, held *desk.Editing, kept bool) {
	n.showStoryAs(w, r, u, status, f, a, nil, held, kept)
}

func (n *Newsroom) showStoryAs(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, f storyForm, a *kolokol.Article, fault error, held *desk.Editing, kept bool) {
	ctx := r.Context()
	msg := kolokol.ErrorMessage(fault)
	svc, err := n.store.FindServiceByCode(ctx, f.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if !u.Actor().CanTouch(svc.Code) {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "you do not work on service %q", svc.Code))
		return
	}
	p := &storyPage{Form: f, Article: a, Service: svc, CanPub: u.Actor().CanPublish(svc.Code), Dropped: render.Dropped(f.Body),
		Autosave: "/newsroom/stories/autosave", Words: wordsLine(f.Body), WordsPerMinute: desk.WordsPerMinute}
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
	var copyOf int64
	if a != nil {
		preview.ID, copyOf = a.ID, a.ID
		p.Autosave = storyURL(a.ID) + "/autosave"
		p.Heartbeat = storyURL(a.ID) + "/heartbeat"
		if err := desk.CanEdit(u.Actor(), a); err != nil {
			p.Locked = kolokol.ErrorMessage(err)
		}
		// One who may not edit the story is told why, not offered it.
		if p.Lock = viewOf(held, svc.Location()); p.Lock != nil && p.Locked != "" {
			p.Lock = nil
		} else if p.Lock != nil {
			p.Lock.Kept = kept
		}
	}
	if c, err := n.desk.WorkingCopy(ctx, u.ID, copyOf, svc.Code); err == nil && p.Locked == "" && p.Lock == nil && formOfCopy(c, f) != f {
		p.Copy = c
	}
	if kept := r.URL.Query().Get("kept"); kept != "" && msg == "" {
		p.Kept = strings.Split(kept, ",")
	}
	if a != nil {
		src, err := n.desk.WireSource(ctx, a.ID)
		if err != nil {
			n.fail(w, r, u, err)
			return
		}
		if src != nil {
			p.Wire = &wireSource{Item: src, Update: desk.WireUpdate(src)}
		}
		if p.Versions, err = n.versions(ctx, u, a, r.URL.Query()); err != nil {
			n.fail(w, r, u, err)
			return
		}
		preview.TranslationGroup = a.TranslationGroup
	}
	p.Preview = "/newsroom/preview" + preview.Path() // see preview.go
	// The story's times, and the schedule input, are in its service's
	// zone: the clock its desk and its readers keep.
	c := serviceClock(svc)
	p.Scheduled = c.Input(n.opts.Now().Add(time.Hour).Truncate(time.Hour))
	if a != nil && !a.ScheduledAt.IsZero() {
		p.Scheduled = c.Input(a.ScheduledAt)
		if when, err := desk.ReadLocal(p.Scheduled, c.zone()); err == nil && when.Twice {
			p.Twice = when.TwiceNote()
		}
	}
	if f.At != "" {
		p.Scheduled = f.At // what was typed, right or wrong, comes back as typed
	}
	title := "New story"
	if a != nil {
		title = "Edit: " + a.Headline
	}
	n.render(w, status, "story", pageData{Title: title, User: u, Error: msg, Story: p, Editor: p.Locked == "",
		Saved: msg == "" && r.URL.Query().Has("saved"), Clock: c, Field: storyFields[kolokol.ErrorField(fault)]})
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
		Tags: a.Tags, Credits: a.Credits, LeadImage: a.LeadImage,
		Slug: a.CustomSlug, SEOTitle: a.SEOTitle, SocialTitle: a.SocialTitle, SocialDescription: a.SocialDescription})
	if err != nil {
		n.storyError(w, r, u, f, nil, err)
		return
	}
	n.dropCopy(r, u, 0, a.Service)
	http.Redirect(w, r, storyURL(a.ID)+"?saved=1", http.StatusSeeOther)
}

// dropCopy forgets the person's working copy once what it held is saved.
func (n *Newsroom) dropCopy(r *http.Request, u *kolokol.User, id int64, service string) {
	if err := n.desk.DropWorkingCopy(r.Context(), u.ID, id, service); err != nil {
		n.log.Error("drop working copy", "err", err)
	}
}

func storyURL(id int64) string { return "/newsroom/stories/" + strconv.FormatInt(id, 10) }

// attachPhoto uploads the form's photo, if any, and makes it the lead
// image. The story is checked first (rights, fields, section), so a story
// refused for what it says stores no photo either. A missing alt text is
// the one fault that comes after the upload: the photo is kept in the
// media library and the form comes back showing it (f.MediaID is set), so
// the editor only describes it, rather than choosing the file again; the
// story itself is not saved until the alt text is there.
func (n *Newsroom) attachPhoto(r *http.Request, u *kolokol.User, f *storyForm, photo []byte, current *kolokol.Article) error {
	if photo == nil {
		return nil
	}
	actor := u.Actor()
	if !actor.CanTouch(f.Service) {
		return kolokol.FieldErrorf(kolokol.EFORBIDDEN, "service", "%s may not work on service %q", actor.Name, f.Service)
	}
	if current != nil {
		if err := desk.CanEdit(actor, current); err != nil {
			return err
		}
	}
	noAlt := strings.TrimSpace(f.Alt) == ""
	a := f.article()
	a.LeadImage = &kolokol.LeadImage{MediaID: 1, Alt: f.Alt, Caption: f.Caption, Credit: f.Credit} // stands in for the upload
	if noAlt {
		a.LeadImage.Alt = "-" // checked below, once the photo is kept
	}
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
	if noAlt {
		return kolokol.FieldErrorf(kolokol.EINVALID, "alt", "describe the photo in its alt text: readers who cannot see it hear that instead. The photo is kept: add its alt text and save again")
	}
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
	n.showStory(w, r, u, httperr.Status(code), f, a, err)
}

// saveStory stores an edit. An edit made from an older version than the
// stored one is merged with what changed meanwhile; fields both changed get
// the conflict page, never a silent overwrite.
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
	res, ok := n.saveForm(w, r, u, a, f, photo)
	if !ok {
		return
	}
	next := storyURL(a.ID) + "?saved=1"
	if len(res.Kept) > 0 {
		next += "&kept=" + url.QueryEscape(strings.Join(res.Kept, ","))
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// saveForm stores the editor's form over story a, uploading its photo
// first. When it cannot, it answers (the form with what was wrong, or the
// conflict page) and returns false.
func (n *Newsroom) saveForm(w http.ResponseWriter, r *http.Request, u *kolokol.User, a *kolokol.Article, f storyForm, photo []byte) (*desk.EditResult, bool) {
	if f.Version <= 0 {
		f.Version = a.Version
	}
	// A colleague holding the story is not overwritten, and the save is
	// not dropped either: it becomes this account's working copy.
	if err := n.desk.SaveLock(r.Context(), u, a); err != nil {
		var held *desk.Locked
		if errors.As(err, &held) {
			n.keepRefused(w, r, u, a, f, held)
		} else {
			n.storyError(w, r, u, f, a, err)
		}
		return nil, false
	}
	if err := n.attachPhoto(r, u, &f, photo, a); err != nil {
		n.storyError(w, r, u, f, a, err)
		return nil, false
	}
	res, err := n.desk.Edit(r.Context(), u.Actor(), a.ID, f.patch())
	var c *desk.Conflict
	if errors.As(err, &c) {
		n.conflict(w, r, u, f, c)
		return nil, false
	}
	if kolokol.ErrorCode(err) == kolokol.ECONFLICT {
		// Someone saved between the merge and the write: merge again.
		res, err = n.desk.Edit(r.Context(), u.Actor(), a.ID, f.patch())
		if errors.As(err, &c) {
			n.conflict(w, r, u, f, c)
			return nil, false
		}
	}
	if err != nil {
		n.storyError(w, r, u, f, a, err)
		return nil, false
	}
	n.dropCopy(r, u, a.ID, a.Service)
	return res, true
}

// patch is the form as an edit of every field it has.
func (f storyForm) patch() desk.ArticlePatch {
	in := f.article()
	li := in.LeadImage
	return desk.ArticlePatch{Version: f.Version, Section: &in.Section, Headline: &in.Headline, Summary: &in.Summary,
		Body: &in.Body, Dateline: &in.Dateline, Bylines: &in.Bylines, Tags: &in.Tags, Credits: &in.Credits,
		LeadImage: &li, Slug: &in.CustomSlug, SEOTitle: &in.SEOTitle,
		SocialTitle: &in.SocialTitle, SocialDescription: &in.SocialDescription}
}

// conflictPage shows the fields both the editor and a colleague changed,
// theirs beside the editor's, and a form that keeps the colleague's other
// changes and saves the editor's version of these.
type conflictPage struct {
	Fields  []conflictField
	Names   []string  // of Fields
	Merged  storyForm // every field: theirs where only they changed, the editor's elsewhere
	Theirs  *kolokol.Article
	Service *kolokol.Service
	Kept    []string // their fields kept as they are
	// SavedBy and SavedAt name the colleague whose save made the
	// conflict, and when, from its revision.
	SavedBy, SavedAt string
}

// conflictField is one field both changed.
type conflictField struct {
	Name, Label  string
	Theirs, Mine string
	Long         bool
	Diff         []desk.FieldDiff
}

var fieldLabels = map[string]string{"headline": "Headline", "summary": "Summary", "body": "Body", "section": "Section",
	"bylines": "Bylines", "dateline": "Dateline", "tags": "Tags", "credits": "Wire credits",
	"translation_group": "Translation group", "lead_image": "Lead photo", "slug": "Address (slug)",
	"seo_title": "Title for search engines", "social_title": "Title for social cards",
	"social_description": "Description for social cards"}

func (n *Newsroom) conflict(w http.ResponseWriter, r *http.Request, u *kolokol.User, mine storyForm, c *desk.Conflict) {
	svc, err := n.store.FindServiceByCode(r.Context(), c.Theirs.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	merged := *c.Theirs
	merged.LeadImage = c.Theirs.LeadImage
	c.Merged.Apply(&merged)
	// The form to save carries their version: saving it is a choice made
	// having seen both.
	mf := formOf(&merged)
	mf.Version = c.Theirs.Version
	theirs := formOf(c.Theirs)
	p := &conflictPage{Merged: mf, Theirs: c.Theirs, Service: svc, Names: c.Fields,
		SavedBy: c.Theirs.EditedBy, SavedAt: storyTime(c.Theirs.UpdatedAt, svc.Location())}
	if who, at, err := n.desk.SavedBy(r.Context(), u.Actor(), c.Theirs.ID, c.Theirs.Version); err == nil {
		p.SavedBy, p.SavedAt = who, storyTime(at, svc.Location())
	} else if !kolokol.IsNotFound(err) {
		n.fail(w, r, u, err)
		return
	}
	for _, name := range c.Fields {
		cf := conflictField{Name: name, Label: fieldLabels[name]}
		switch name {
		case "headline":
			cf.Theirs, cf.Mine = theirs.Headline, mine.Headline
		case "summary":
			cf.Theirs, cf.Mine, cf.Long = theirs.Summary, mine.Summary, true
		case "body":
			cf.Theirs, cf.Mine, cf.Long = theirs.Body, mine.Body, true
		case "section":
			cf.Theirs, cf.Mine = theirs.Section, mine.Section
		case "bylines":
			cf.Theirs, cf.Mine, cf.Long = theirs.Bylines, mine.Bylines, true
		case "dateline":
			cf.Theirs, cf.Mine = theirs.Dateline, mine.Dateline
		case "tags":
			cf.Theirs, cf.Mine = theirs.Tags, mine.Tags
		case "credits":
			cf.Theirs, cf.Mine = theirs.Credits, mine.Credits
		case "slug":
			cf.Theirs, cf.Mine = theirs.Slug, mine.Slug
		case "seo_title":
			cf.Theirs, cf.Mine = theirs.SEOTitle, mine.SEOTitle
		case "social_title":
			cf.Theirs, cf.Mine = theirs.SocialTitle, mine.SocialTitle
		case "social_description":
			cf.Theirs, cf.Mine = theirs.SocialDescription, mine.SocialDescription
		case "lead_image":
			cf.Theirs = strings.Join([]string{theirs.Alt, theirs.Caption, theirs.Credit}, " · ")
			cf.Mine = strings.Join([]string{mine.Alt, mine.Caption, mine.Credit}, " · ")
		}
		cf.Diff = desk.Diff(&kolokol.Revision{Body: cf.Theirs}, &kolokol.Revision{Body: cf.Mine})
		p.Fields = append(p.Fields, cf)
	}
	for _, name := range c.Kept {
		p.Kept = append(p.Kept, fieldLabels[name])
	}
	n.render(w, http.StatusConflict, "conflict", pageData{Title: "Someone else changed this story", User: u, Conflict: p,
		Clock: serviceClock(svc)})
}

// transition runs a workflow step from a button of the story form. The
// step acts on what is on screen: when the form carries the story and it
// differs from the stored one, the edit is saved first (merged as any
// save), and only then is the step taken. The buttons are part of the one
// form, so a click never throws away what was typed.
func (n *Newsroom) transition(op func(*Newsroom, *http.Request, *kolokol.User, int64) error) func(http.ResponseWriter, *http.Request, *kolokol.User) {
	return func(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
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
		saved := false
		if r.PostForm.Has("headline") && desk.CanEdit(u.Actor(), a) == nil {
			res, ok := n.saveForm(w, r, u, a, f, photo)
			if !ok {
				return
			}
			saved = res.Article.Version != a.Version
			a = res.Article
		}
		if err := op(n, r, u, a.ID); err != nil {
			if saved {
				err = kolokol.FieldErrorf(kolokol.ErrorCode(err), kolokol.ErrorField(err), "Your changes were saved, but the step was not taken: %s", kolokol.ErrorMessage(err))
			}
			if cur, ferr := n.desk.Article(r.Context(), u.Actor(), a.ID); ferr == nil {
				a = cur
			}
			kept := formOf(a)
			kept.At = f.At
			n.storyError(w, r, u, kept, a, err)
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
	at, err := desk.ReadLocal(r.PostFormValue("at"), svc.Location())
	if err != nil {
		return err
	}
	_, err = n.desk.Schedule(r.Context(), u.Actor(), id, at.Time)
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

// autosave keeps the editor's working copy, from its script: no revision,
// no history, one copy per person and story.
func (n *Newsroom) autosave(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	f, _, err := readStory(w, r)
	if err != nil {
		writeJSON(w, httperr.Status(kolokol.ErrorCode(err)), jsonAnswer{Error: kolokol.ErrorMessage(err)})
		return
	}
	c := &kolokol.Autosave{Service: f.Service, Version: f.Version, Fields: map[string]string{}}
	if id := r.PathValue("id"); id != "" {
		if c.ArticleID, err = strconv.ParseInt(id, 10, 64); err != nil || c.ArticleID <= 0 {
			writeJSON(w, http.StatusNotFound, jsonAnswer{Error: "there is no such story"})
			return
		}
	}
	for _, name := range copyFields {
		if r.PostForm.Has(name) {
			c.Fields[name] = r.PostFormValue(name)
		}
	}
	if err := n.desk.Autosave(r.Context(), u.Actor(), u.ID, c); err != nil {
		if kolokol.ErrorCode(err) == kolokol.EINTERNAL {
			n.log.Error("autosave", "err", err)
		}
		writeJSON(w, httperr.Status(kolokol.ErrorCode(err)), jsonAnswer{Error: kolokol.ErrorMessage(err)})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// discardWorkingCopy forgets the person's working copy of a story (id 0
// and a service: of a new story).
func (n *Newsroom) discardWorkingCopy(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.ENOTFOUND, "there is no story %q", r.PathValue("id")))
		return
	}
	svc, next := r.PostFormValue("service"), "/newsroom/stories/new?service="+url.QueryEscape(r.PostFormValue("service"))
	if id > 0 {
		a, ok := n.article(w, r, u)
		if !ok {
			return
		}
		svc, next = a.Service, storyURL(a.ID)
	}
	if err := n.desk.DropWorkingCopy(r.Context(), u.ID, id, svc); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
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
	svc, err := n.store.FindServiceByCode(r.Context(), a.Service)
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
	n.render(w, http.StatusOK, "history", pageData{Title: "History: " + a.Headline, User: u, History: p, Clock: serviceClock(svc)})
}
