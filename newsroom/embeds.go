package newsroom

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
	"github.com/kolokol/kolokol/oembed"
)

// embedsPage makes the block of a card for a post: fetched from the
// network, or written by hand when it cannot be. Either way the editor
// copies the block into the story's body.
type embedsPage struct {
	Service  *kolokol.Service
	Services []*kolokol.Service // to choose from, when none is chosen
	Address  string             // what the fetch form was given
	// Fetched is set when the card was fetched; Note says what to check.
	Fetched bool
	Note    string
	// Manual is set when fetching failed: the hand-written form is next.
	Manual bool
	Form   embedForm
	// Block is the Markdown of the card made; Picture its thumbnail's
	// path, for the preview.
	Block, Picture string
	Provider       string // its name as people write it
	Providers      string // every network's, for the page's text
}

// embedForm is the hand-written card, as typed.
type embedForm struct {
	URL, Author, Title, Text, Date string
	Thumbnail                      int64
	ThumbnailAlt                   string
}

func (f embedForm) embed() kolokol.Embed {
	p, _ := kolokol.EmbedProviderOf(f.URL)
	return kolokol.Embed{URL: f.URL, Provider: p, Author: f.Author, Title: f.Title, Text: f.Text, Date: f.Date,
		Thumbnail: f.Thumbnail, ThumbnailAlt: f.ThumbnailAlt}
}

func embedFormOf(e kolokol.Embed) embedForm {
	return embedForm{URL: e.URL, Author: e.Author, Title: e.Title, Text: e.Text, Date: e.Date, Thumbnail: e.Thumbnail, ThumbnailAlt: e.ThumbnailAlt}
}

// embedJSON is the card as the story editor's script reads it.
type embedJSON struct {
	URL          string `json:"url"`
	Provider     string `json:"provider"`
	Author       string `json:"author"`
	Title        string `json:"title"`
	Text         string `json:"text"`
	Date         string `json:"date"`
	Thumbnail    int64  `json:"thumbnail"`
	ThumbnailAlt string `json:"thumbnail_alt"`
	Markdown     string `json:"markdown"`
	// Note is what the editor must check (a default picture description).
	Note string `json:"note,omitempty"`
}

// embedFailure is why a card was not made; Manual says the address is a
// network's, so the card can be written by hand.
type embedFailure struct {
	Error    string `json:"error"`
	Provider string `json:"provider,omitempty"`
	Manual   bool   `json:"manual,omitempty"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// embedsPage shows the page for a service, or the services to choose.
func (n *Newsroom) embedsPage(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	p, ok := n.embedsFor(w, r, u, r.URL.Query().Get("service"))
	if !ok {
		return
	}
	n.showEmbeds(w, u, http.StatusOK, p, nil)
}

// embedsFor is the page for service, which the account must work on; ""
// is the account's one service, or a choice among them.
func (n *Newsroom) embedsFor(w http.ResponseWriter, r *http.Request, u *kolokol.User, service string) (*embedsPage, bool) {
	mine, err := n.myServices(r, u)
	if err != nil {
		n.fail(w, r, u, err)
		return nil, false
	}
	p := &embedsPage{Providers: providerList()}
	if service == "" && len(mine) == 1 {
		service = mine[0].Code
	}
	if service == "" {
		p.Services = mine
		return p, true
	}
	i := slices.IndexFunc(mine, func(s *kolokol.Service) bool { return s.Code == service })
	if i < 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "you do not work on a service %q", service))
		return nil, false
	}
	p.Service = mine[i]
	return p, true
}

// postedEmbeds reads a POST of the card page's forms: the page for the
// service it names, which the form must name.
func (n *Newsroom) postedEmbeds(w http.ResponseWriter, r *http.Request, u *kolokol.User) (*embedsPage, bool) {
	if !n.parseForm(w, r, u) {
		return nil, false
	}
	p, ok := n.embedsFor(w, r, u, r.PostFormValue("service"))
	if !ok {
		return nil, false
	}
	if p.Service == nil {
		n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.Errorf(kolokol.EINVALID, "choose the service the story is for"))
		return nil, false
	}
	return p, true
}

func providerList() string {
	names := []string{"YouTube", "Telegram", "X", "Instagram", "Facebook", "TikTok"}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// embedsFields maps the keys an embed's errors name to the page's inputs.
var embedsFields = map[string]string{"url": "card-url", "author": "card-author", "title": "card-title", "text": "card-text",
	"date": "card-date", "thumbnail_alt": "card-thumbnail_alt", "thumbnail": "card-thumbnail_alt"}

func (n *Newsroom) showEmbeds(w http.ResponseWriter, u *kolokol.User, status int, p *embedsPage, fault error) {
	n.render(w, status, "embeds", pageData{Title: "Make a card for a post", User: u, Embeds: p,
		Error: kolokol.ErrorMessage(fault), Field: embedsFields[kolokol.ErrorField(fault)]})
}

// fetchEmbed answers the story editor's script (Accept: application/json)
// with the card or why not, and the page's fetch form with the page.
func (n *Newsroom) fetchEmbed(w http.ResponseWriter, r *http.Request) {
	if !wantsJSON(r) {
		n.signedIn(n.fetchEmbedForm).ServeHTTP(w, r)
		return
	}
	u, err := n.sessionUser(r)
	if err != nil {
		switch kolokol.ErrorCode(err) {
		case kolokol.EUNAVAILABLE:
			w.Header().Set("Retry-After", "5")
			writeJSON(w, http.StatusServiceUnavailable, embedFailure{Error: kolokol.ErrorMessage(err)})
		case kolokol.EINTERNAL:
			n.log.Error("newsroom session", "err", err)
			writeJSON(w, http.StatusInternalServerError, embedFailure{Error: "Something went wrong on our side; try again shortly."})
		default:
			writeJSON(w, http.StatusUnauthorized, embedFailure{Error: "You are not signed in: sign in again to fetch the card."})
		}
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	// A script may send URLSearchParams or FormData: both are the form.
	parse := r.ParseForm
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		parse = func() error { return r.ParseMultipartForm(maxFormBytes) }
	}
	if err := parse(); err != nil {
		writeJSON(w, http.StatusBadRequest, embedFailure{Error: "The request could not be read: " + err.Error()})
		return
	}
	card, err := n.desk.EmbedCard(r.Context(), u.Actor(), r.PostFormValue("service"), strings.TrimSpace(r.PostFormValue("url")))
	var oe *oembed.Error
	switch code := kolokol.ErrorCode(err); {
	case err == nil:
		e := card.Embed
		writeJSON(w, http.StatusOK, embedJSON{URL: e.URL, Provider: e.Provider, Author: e.Author, Title: e.Title, Text: e.Text,
			Date: e.Date, Thumbnail: e.Thumbnail, ThumbnailAlt: e.ThumbnailAlt, Markdown: card.Markdown, Note: card.Note})
	case errors.As(err, &oe):
		writeJSON(w, http.StatusUnprocessableEntity, embedFailure{Error: manualMessage(oe), Provider: oe.Provider, Manual: true})
	case code == kolokol.EINVALID || code == kolokol.EMALFORMED:
		writeJSON(w, http.StatusBadRequest, embedFailure{Error: kolokol.ErrorMessage(err)})
	case code == kolokol.EINTERNAL:
		n.log.Error("embed card", "err", err)
		writeJSON(w, http.StatusInternalServerError, embedFailure{Error: "Something went wrong on our side; try again shortly, or write the card by hand."})
	default:
		writeJSON(w, httperr.Status(code), embedFailure{Error: kolokol.ErrorMessage(err)})
	}
}

// manualMessage is why a network's card was not fetched, and what to do.
func manualMessage(e *oembed.Error) string {
	msg := e.Error()
	return strings.ToUpper(msg[:1]) + msg[1:] + ". Write the card by hand instead."
}

// fetchEmbedForm fetches a card from the page's form, without JavaScript.
func (n *Newsroom) fetchEmbedForm(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	p, ok := n.postedEmbeds(w, r, u)
	if !ok {
		return
	}
	p.Address = strings.TrimSpace(r.PostFormValue("url"))
	card, err := n.desk.EmbedCard(r.Context(), u.Actor(), p.Service.Code, p.Address)
	var oe *oembed.Error
	switch {
	case err == nil:
		p.Fetched, p.Note, p.Block, p.Form = true, card.Note, card.Markdown, embedFormOf(card.Embed)
		p.Provider = kolokol.EmbedProviderNames[card.Embed.Provider]
		p.Picture = n.picture(r, u, card.Embed.Thumbnail)
		n.showEmbeds(w, u, http.StatusOK, p, nil)
	case errors.As(err, &oe):
		p.Manual, p.Form.URL = true, p.Address
		n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.Errorf(kolokol.EINVALID, "%s", manualMessage(oe)))
	case kolokol.ErrorCode(err) == kolokol.EINVALID:
		// The address is the fetch form's; the summary links to it.
		n.render(w, http.StatusUnprocessableEntity, "embeds", pageData{Title: "Make a card for a post", User: u, Embeds: p,
			Error: kolokol.ErrorMessage(err), Field: "embed-url"})
	default:
		n.fail(w, r, u, err)
	}
}

// picture is the path of media id for the preview, if the account may see
// it; "" otherwise.
func (n *Newsroom) picture(r *http.Request, u *kolokol.User, id int64) string {
	if id == 0 {
		return ""
	}
	m, err := n.desk.Media(r.Context(), u.Actor(), id)
	if err != nil {
		return ""
	}
	return m.Path()
}

// manualEmbed makes the block of a card written (or corrected) by hand.
func (n *Newsroom) manualEmbed(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	p, ok := n.postedEmbeds(w, r, u)
	if !ok {
		return
	}
	f := embedForm{URL: strings.TrimSpace(r.PostFormValue("url")), Author: strings.TrimSpace(r.PostFormValue("author")),
		Title: strings.TrimSpace(r.PostFormValue("title")), Text: strings.TrimSpace(r.PostFormValue("text")),
		Date: strings.TrimSpace(r.PostFormValue("date")), ThumbnailAlt: strings.TrimSpace(r.PostFormValue("thumbnail_alt"))}
	p.Form = f
	if t := r.PostFormValue("thumbnail"); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil || id <= 0 {
			n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.FieldErrorf(kolokol.EINVALID, "thumbnail", "the picture %q is not a media id", t))
			return
		}
		// The picture must be one the account may use: the preview shows it.
		if p.Picture = n.picture(r, u, id); p.Picture == "" {
			n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.FieldErrorf(kolokol.EINVALID, "thumbnail", "there is no picture %d you may use", id))
			return
		}
		f.Thumbnail, p.Form.Thumbnail = id, id
	}
	if f.URL == "" {
		n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.FieldErrorf(kolokol.EINVALID, "url", "url is required: the post's address"))
		return
	}
	if _, err := kolokol.EmbedProviderOf(f.URL); err != nil {
		n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, kolokol.FieldErrorf(kolokol.EINVALID, "url", "url: %v", err))
		return
	}
	e := f.embed()
	md, err := desk.EmbedMarkdown(e)
	if err != nil {
		n.showEmbeds(w, u, http.StatusUnprocessableEntity, p, err)
		return
	}
	p.Block, p.Provider = md, kolokol.EmbedProviderNames[e.Provider]
	n.showEmbeds(w, u, http.StatusOK, p, nil)
}
