package newsroom

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

// libraryPages are the media library's templates.
var libraryPages = []string{"library", "medium"}

// pickWidth is the width, in CSS pixels, at which the media page shows the
// picture that sets the focal point by a click. A click on an <input
// type=image> sends where it landed in the picture as shown, so the server
// must know the size it was shown at: fixed, and narrow enough for a phone.
const pickWidth = 320

// libraryPage is a page of a service's media library.
type libraryPage struct {
	Lib      *desk.Library
	Service  *kolokol.Service
	Services []*kolokol.Service // the switcher's: the account's services
	Items    []libraryItem
	// Story is the story a photo is being chosen for ("new" or its id);
	// each photo then offers itself as the lead photo.
	Story      string
	Prev, Next string
}

type libraryItem struct {
	M           *kolokol.Media
	Thumb       string
	TW, TH      int
	URL, UseURL string
}

// Range says which of the matches the page shows: "1–50 of 123".
func (p *libraryPage) Range() string {
	if p.Lib.Total == 0 {
		return "No photos"
	}
	return strconv.Itoa(p.Lib.First()) + "–" + strconv.Itoa(p.Lib.Last()) + " of " + thousands(p.Lib.Total)
}

// thumb is a small rendition of m for lists and the editor's picker, with
// its size; the master for media stored before renditions were made.
func thumb(m *kolokol.Media) (src string, w, h int) {
	if r, ok := m.Pick(kolokol.RatioOriginal, kolokol.FormatJPEG, 320); ok {
		return r.Path(), r.Width, r.Height
	}
	return m.Path(), m.Width, m.Height
}

// mediaJSON is one photo of the editor's picker (the media picker contract).
type mediaJSON struct {
	ID      int64  `json:"id"`
	Thumb   string `json:"thumb"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	Name    string `json:"name"`
}

type libraryJSON struct {
	Media []mediaJSON `json:"media"`
	Total int         `json:"total"`
}

// mediaLibrary answers GET /newsroom/media: the library page, or with
// format=json the editor's picker. The picker is answered in JSON whatever
// goes wrong, a missing session included, rather than with a sign-in page.
func (n *Newsroom) mediaLibrary(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("format") != "json" {
		n.signedIn(n.libraryPage).ServeHTTP(w, r)
		return
	}
	u, err := n.sessionUser(r)
	if err != nil {
		if c := kolokol.ErrorCode(err); c != kolokol.EINTERNAL && c != kolokol.EUNAVAILABLE {
			err = kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to see the media library")
		}
		n.libraryJSONError(w, r, err)
		return
	}
	lib, err := n.readLibrary(r, u)
	if err != nil {
		n.libraryJSONError(w, r, err)
		return
	}
	out := libraryJSON{Media: []mediaJSON{}, Total: lib.Total}
	for _, m := range lib.Media {
		src, _, _ := thumb(m)
		out.Media = append(out.Media, mediaJSON{ID: m.ID, Thumb: src, Width: m.Width, Height: m.Height,
			Alt: m.Alt, Caption: m.Caption, Credit: m.Credit, Name: m.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

func (n *Newsroom) libraryJSONError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := kolokol.ErrorCode(err), kolokol.ErrorMessage(err)
	if code == kolokol.EINTERNAL {
		n.log.Error("newsroom", "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side; try again shortly."
	}
	writeJSON(w, httperr.Status(code), jsonAnswer{Error: msg})
}

// readLibrary reads the library the query asks for: service (the first of
// the account's when none is named), q and page.
func (n *Newsroom) readLibrary(r *http.Request, u *kolokol.User) (*desk.Library, error) {
	q := r.URL.Query()
	svc := q.Get("service")
	if svc == "" {
		svc = firstService(u)
	}
	page := 1
	if s := q.Get("page"); s != "" {
		var err error
		if page, err = strconv.Atoi(s); err != nil {
			return nil, kolokol.FieldErrorf(kolokol.EINVALID, "page", "page %q is not a number", s)
		}
	}
	return n.desk.MediaLibrary(r.Context(), u.Actor(), svc, q.Get("q"), page)
}

func (n *Newsroom) libraryPage(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	lib, err := n.readLibrary(r, u)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.showLibrary(w, r, u, http.StatusOK, lib, r.URL.Query().Get("story"), nil)
}

func (n *Newsroom) showLibrary(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, lib *desk.Library, story string, fault error) {
	svc, err := n.store.FindServiceByCode(r.Context(), lib.Service)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	p := &libraryPage{Lib: lib, Service: svc, Story: storyParam(story)}
	if p.Services, err = n.myServices(r, u); err != nil {
		n.fail(w, r, u, err)
		return
	}
	for _, m := range lib.Media {
		it := libraryItem{M: m, URL: "/newsroom/media/" + strconv.FormatInt(m.ID, 10) + "?service=" + url.QueryEscape(svc.Code)}
		it.Thumb, it.TW, it.TH = thumb(m)
		switch p.Story {
		case "":
		case "new":
			it.UseURL = "/newsroom/stories/new?service=" + url.QueryEscape(svc.Code) + "&media=" + strconv.FormatInt(m.ID, 10)
		default:
			it.UseURL = "/newsroom/stories/" + p.Story + "?media=" + strconv.FormatInt(m.ID, 10)
		}
		p.Items = append(p.Items, it)
	}
	link := func(page int) string {
		v := url.Values{"service": {svc.Code}}
		if lib.Query != "" {
			v.Set("q", lib.Query)
		}
		if p.Story != "" {
			v.Set("story", p.Story)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return "/newsroom/media?" + v.Encode()
	}
	if lib.Page > 1 {
		p.Prev = link(min(lib.Page-1, lib.Pages()))
	}
	if lib.Page < lib.Pages() {
		p.Next = link(lib.Page + 1)
	}
	field := ""
	switch kolokol.ErrorField(fault) {
	case "image", "service":
		field = "image"
	}
	n.render(w, status, "library", pageData{Title: "Media library: " + svc.EnglishName, User: u, Library: p,
		Error: kolokol.ErrorMessage(fault), Field: field, Saved: fault == nil && r.URL.Query().Has("saved")})
}

// storyParam is the story a photo is chosen for, if the query names one
// well: "new", or a story's id.
func storyParam(s string) string {
	if s == "new" {
		return s
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return strconv.FormatInt(id, 10)
	}
	return ""
}

// uploadToLibrary takes a photo into a service's library and opens it, to
// be described.
func (n *Newsroom) uploadToLibrary(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	r.Body = http.MaxBytesReader(w, r.Body, maxStoryBytes)
	err := r.ParseMultipartForm(2 << 20)
	svc := r.FormValue("service")
	if svc == "" {
		svc = firstService(u)
	}
	story := r.FormValue("story")
	fail := func(err error) {
		code := kolokol.ErrorCode(err)
		if code == kolokol.EINTERNAL {
			n.fail(w, r, u, err)
			return
		}
		// What is wrong with the picture is said beside its field.
		if code != kolokol.EFORBIDDEN && code != kolokol.EUNAUTHORIZED {
			err = kolokol.FieldErrorf(code, "image", "%s", kolokol.ErrorMessage(err))
		}
		lib, lerr := n.desk.MediaLibrary(r.Context(), u.Actor(), svc, "", 1)
		if lerr != nil {
			n.fail(w, r, u, err)
			return
		}
		n.showLibrary(w, r, u, httperr.Status(kolokol.ErrorCode(err)), lib, story, err)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "request body too large") {
			fail(kolokol.FieldErrorf(kolokol.ETOOLARGE, "image", "the photo is over the limit of %d MiB", maxStoryBytes>>20))
			return
		}
		fail(kolokol.FieldErrorf(kolokol.EMALFORMED, "image", "the form could not be read: %v", err))
		return
	}
	fh := r.MultipartForm.File["image"]
	if len(fh) != 1 || fh[0].Size == 0 {
		fail(kolokol.FieldErrorf(kolokol.EINVALID, "image", "choose one photo to upload"))
		return
	}
	data, err := readFile(fh[0])
	if err != nil {
		fail(err)
		return
	}
	m, _, err := n.desk.UploadMediaFile(r.Context(), u.Actor(), svc, fh[0].Filename, data)
	if err != nil {
		fail(err)
		return
	}
	next := "/newsroom/media/" + strconv.FormatInt(m.ID, 10) + "?service=" + url.QueryEscape(svc) + "&saved=1"
	if s := storyParam(story); s != "" {
		next += "&story=" + s
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// mediaPage is one photo of the library: the picture, its defaults, the
// point its crops keep in view, and the stories that show it.
type mediaPage struct {
	M       *kolokol.Media
	Large   string
	LW, LH  int
	Pick    string // the picture to click, pickWidth wide
	PW, PH  int
	Service string // the library it was opened from
	Story   string // the story a photo is being chosen for, if any
	UseURL  string
	// Alt, Caption and Credit are as typed when a save is refused.
	Alt, Caption, Credit string
	// FX and FY are the focal point in percent of the width and height.
	FX, FY  string
	CanCrop bool
	Stories []storyLink
	BackURL string
}

// storyLink is a story that shows the photo, in its service's language.
type storyLink struct {
	ID                  int64
	Headline, Lang, Dir string
	Service, Status     string
}

// Marker is where the focal point's cross hairs are drawn, in a 1000 by
// 1000 box laid over the picture.
func (p *mediaPage) MarkerX() string { return strconv.FormatFloat(p.M.FocalX*1000, 'f', 1, 64) }

// MarkerY: see MarkerX.
func (p *mediaPage) MarkerY() string { return strconv.FormatFloat(p.M.FocalY*1000, 'f', 1, 64) }

// KB is the master's size, in kilobytes.
func (p *mediaPage) KB() string { return thousands(int((p.M.Size + 512) / 1024)) }

func percent(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) }

func (n *Newsroom) mediaItem(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showMedia(w, r, u, http.StatusOK, nil, nil)
}

// showMedia shows the media of the path's id; form, when a save was
// refused, is what was typed, and fault why it was refused.
func (n *Newsroom) showMedia(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, form url.Values, fault error) {
	id, ok := n.pathID(w, r, u, "media")
	if !ok {
		return
	}
	ctx := r.Context()
	actor := u.Actor()
	m, err := n.desk.Media(ctx, actor, id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	p := &mediaPage{M: m, Alt: m.Alt, Caption: m.Caption, Credit: m.Credit, FX: percent(m.FocalX), FY: percent(m.FocalY),
		Story: storyParam(r.FormValue("story"))}
	p.Service = r.FormValue("service")
	if !actor.CanTouch(p.Service) {
		p.Service = ""
		for _, s := range m.Services {
			if actor.CanTouch(s) {
				p.Service = s
				break
			}
		}
	}
	if p.Service == "" {
		p.Service = firstService(u)
	}
	switch p.Story {
	case "":
	case "new":
		p.UseURL = "/newsroom/stories/new?service=" + url.QueryEscape(p.Service) + "&media=" + strconv.FormatInt(m.ID, 10)
	default:
		p.UseURL = "/newsroom/stories/" + p.Story + "?media=" + strconv.FormatInt(m.ID, 10)
	}
	if form != nil {
		p.Alt, p.Caption, p.Credit = form.Get("alt"), form.Get("caption"), form.Get("credit")
		if form.Has("fx") {
			p.FX, p.FY = form.Get("fx"), form.Get("fy")
		}
	}
	p.Large, p.LW, p.LH = m.Path(), m.Width, m.Height
	if rd, ok := m.Pick(kolokol.RatioOriginal, kolokol.FormatJPEG, 1280); ok {
		p.Large, p.LW, p.LH = rd.Path(), rd.Width, rd.Height
	}
	p.Pick, _, _ = thumb(m)
	if rd, ok := m.Pick(kolokol.RatioOriginal, kolokol.FormatJPEG, 2*pickWidth); ok {
		p.Pick = rd.Path()
	}
	p.PW, p.PH = pickWidth, pickHeight(m)
	// Crops are for editors (see desk.SetFocalPoint); others are not
	// offered a form that would refuse them.
	p.CanCrop = len(m.Renditions) > 0 && (actor.Global() || slices.ContainsFunc(actor.Services, actor.CanPublish))
	using, err := n.desk.StoriesShowing(ctx, actor, id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(using) > 0 {
		all, err := n.store.FindServices(ctx)
		if err != nil {
			n.fail(w, r, u, err)
			return
		}
		langs := map[string]*kolokol.Service{}
		for _, s := range all {
			langs[s.Code] = s
		}
		for _, a := range using {
			l := storyLink{ID: a.ID, Headline: a.Headline, Lang: "und", Dir: "auto", Service: a.Service, Status: string(a.Status)}
			if s := langs[a.Service]; s != nil {
				l.Lang, l.Dir = s.Tag, string(s.Direction)
			}
			p.Stories = append(p.Stories, l)
		}
	}
	back := url.Values{"service": {p.Service}}
	if p.Story != "" {
		back.Set("story", p.Story)
	}
	p.BackURL = "/newsroom/media?" + back.Encode()
	title := "Photo " + strconv.FormatInt(m.ID, 10)
	if m.Name != "" {
		title += ": " + m.Name
	}
	field := ""
	switch f := kolokol.ErrorField(fault); f {
	case "alt", "caption", "credit", "focal_x", "focal_y", "focal":
		field = f
	case "x":
		field = "focal_x"
	case "y":
		field = "focal_y"
	}
	n.render(w, status, "medium", pageData{Title: title, User: u, Medium: p, Error: kolokol.ErrorMessage(fault), Field: field,
		Saved: fault == nil && r.URL.Query().Has("saved")})
}

// pickHeight is the height the picture to click is shown at.
func pickHeight(m *kolokol.Media) int {
	if m.Width <= 0 || m.Height <= 0 {
		return pickWidth
	}
	return max(1, int(math.Round(float64(pickWidth)*float64(m.Height)/float64(m.Width))))
}

// saveMedia saves one of the media page's forms: the defaults, the focal
// point clicked on the picture (focal.x and focal.y, in the pixels of the
// picture as shown), or the focal point typed in percent (fx, fy).
func (n *Newsroom) saveMedia(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	id, ok := n.pathID(w, r, u, "media")
	if !ok || !n.parseForm(w, r, u) {
		return
	}
	ctx := r.Context()
	actor := u.Actor()
	f := r.PostForm
	var err error
	switch {
	case f.Has("focal.x") || f.Has("focal.y"):
		var m *kolokol.Media
		if m, err = n.desk.Media(ctx, actor, id); err == nil {
			var x, y float64
			if x, y, err = clickedPoint(f.Get("focal.x"), f.Get("focal.y"), pickWidth, pickHeight(m)); err == nil {
				_, err = n.desk.SetFocalPoint(ctx, actor, id, x, y)
			}
		}
	case f.Has("fx") || f.Has("fy"):
		var x, y float64
		if x, y, err = typedPoint(f.Get("fx"), f.Get("fy")); err == nil {
			_, err = n.desk.SetFocalPoint(ctx, actor, id, x, y)
		}
		if err == nil {
			f = nil // show the point saved, not as typed
		}
	default:
		_, err = n.desk.UpdateMediaText(ctx, actor, id, f.Get("alt"), f.Get("caption"), f.Get("credit"))
	}
	if err != nil {
		if kolokol.ErrorCode(err) == kolokol.ENOTFOUND || kolokol.ErrorCode(err) == kolokol.EINTERNAL {
			n.fail(w, r, u, err)
			return
		}
		n.showMedia(w, r, u, httperr.Status(kolokol.ErrorCode(err)), f, err)
		return
	}
	v := url.Values{"saved": {"1"}}
	for _, k := range []string{"service", "story"} {
		if s := r.FormValue(k); s != "" {
			v.Set(k, s)
		}
	}
	http.Redirect(w, r, "/newsroom/media/"+strconv.FormatInt(id, 10)+"?"+v.Encode(), http.StatusSeeOther)
}

// clickedPoint turns a click on the picture, shown w by h pixels, into a
// focal point in fractions of its width and height. A click outside it
// (only a forged form sends one) is refused.
func clickedPoint(xs, ys string, w, h int) (x, y float64, err error) {
	px, errX := strconv.Atoi(xs)
	py, errY := strconv.Atoi(ys)
	if errX != nil || errY != nil {
		return 0, 0, kolokol.FieldErrorf(kolokol.EINVALID, "focal", "the click (%q, %q) is not a point in whole pixels", xs, ys)
	}
	if px < 0 || px > w || py < 0 || py > h {
		return 0, 0, kolokol.FieldErrorf(kolokol.EINVALID, "focal", "the click at (%d, %d) is outside the picture, which is shown %d × %d pixels", px, py, w, h)
	}
	return round4(float64(px) / float64(w)), round4(float64(py) / float64(h)), nil
}

// typedPoint reads the focal point typed in percent from the left and from
// the top.
func typedPoint(xs, ys string) (x, y float64, err error) {
	for _, c := range []struct {
		field, s, edge string
		dst            *float64
	}{{"focal_x", xs, "left", &x}, {"focal_y", ys, "top", &y}} {
		v, perr := strconv.ParseFloat(strings.TrimSpace(c.s), 64)
		if perr != nil || !(v >= 0 && v <= 100) {
			return 0, 0, kolokol.FieldErrorf(kolokol.EINVALID, c.field, "give the point's distance from the %s edge in percent, from 0 to 100, not %q", c.edge, c.s)
		}
		*c.dst = round4(v / 100)
	}
	return x, y, nil
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// chosenMedia puts the photo a story's ?media= names, chosen in the
// library, on the story form as its lead photo. A photo other than the one
// the form shows brings the library's alt text, caption and credit: the
// old photo's would describe the wrong picture. One the account may not
// see is not put on the form. Nothing is saved until the form is.
func (n *Newsroom) chosenMedia(r *http.Request, u *kolokol.User, f storyForm) storyForm {
	id, err := strconv.ParseInt(r.URL.Query().Get("media"), 10, 64)
	if err != nil || id <= 0 || id == f.MediaID {
		return f
	}
	m, err := n.desk.Media(r.Context(), u.Actor(), id)
	if err != nil {
		return f
	}
	f.MediaID, f.Alt, f.Caption, f.Credit = m.ID, m.Alt, m.Caption, m.Credit
	return f
}
