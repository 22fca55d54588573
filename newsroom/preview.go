package newsroom

import (
	"bytes"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
)

// The preview lives under /newsroom/preview/, a copy of the reader site's
// URL space: the story is rendered at its own path below the prefix, so the
// page's relative links (stylesheet, photos, sections, other stories)
// resolve under the prefix too and come back here, where they are answered
// by the reader site. The page is therefore exactly the reader page.

// previewGet answers a GET for a stored story's page (drafts included)
// and passes every other path to the reader site.
func (n *Newsroom) previewGet(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	path := "/" + r.PathValue("path")
	if id, ok := articleID(path); ok {
		a, err := n.desk.Article(r.Context(), u.Actor(), id)
		if err == nil { // the slug may be stale or escaped differently: the id decides
			n.servePreview(w, r, u, a)
			return
		}
	}
	if n.opts.Reader == nil {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	r2.Header.Del("Cookie") // the reader site never sees the newsroom's session
	n.opts.Reader.ServeHTTP(w, r2)
}

// previewPost renders the editor's unsaved form as the story's page.
func (n *Newsroom) previewPost(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	f, photo, err := readStory(w, r)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	var stored *kolokol.Article
	if f.ID > 0 {
		if stored, err = n.desk.Article(r.Context(), u.Actor(), f.ID); err != nil {
			n.fail(w, r, u, err)
			return
		}
		f.Service = stored.Service
	} else if !u.Actor().CanTouch(f.Service) {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "you do not work on service %q", f.Service))
		return
	}
	// The preview shows the photo, and the form may name another
	// service's, which the editor may not see; the one the stored story
	// shows is theirs to preview.
	if f.MediaID > 0 && (stored == nil || stored.LeadImage == nil || stored.LeadImage.MediaID != f.MediaID) {
		if _, err := n.desk.Media(r.Context(), u.Actor(), f.MediaID); err != nil {
			n.fail(w, r, u, err)
			return
		}
	}
	if photo != nil {
		// A photo chosen but not saved yet: the preview shows it, so it is
		// put in the media library (as Save would) and named by the
		// previewed story; the story itself is not touched.
		if strings.TrimSpace(f.Alt) == "" {
			n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "alt", "describe the photo in its alt text to preview it: readers who cannot see it hear that instead"))
			return
		}
		m, _, err := n.desk.UploadMedia(r.Context(), u.Actor(), f.Service, photo)
		if err != nil {
			n.fail(w, r, u, err)
			return
		}
		f.MediaID = m.ID
	}
	p := f.article()
	if stored != nil {
		p.Status, p.PublishedAt, p.UpdatedAt, p.Corrections = stored.Status, stored.PublishedAt, stored.UpdatedAt, stored.Corrections
		p.TranslationGroup = stored.TranslationGroup // chosen on the story page, not in the form
	}
	// The blocks of the body show pictures too: the same rule.
	if err := n.desk.CheckBodyMedia(r.Context(), u.Actor(), p, stored); err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.servePreview(w, r, u, p)
}

func (n *Newsroom) servePreview(w http.ResponseWriter, r *http.Request, u *kolokol.User, a *kolokol.Article) {
	if n.opts.Preview == nil {
		http.NotFound(w, r)
		return
	}
	if err := a.Validate(); err != nil {
		n.fail(w, r, u, err)
		return
	}
	p, err := n.opts.Preview(r.Context(), a)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", p.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(http.StatusOK)
	w.Write(withDropped(p.Body, render.Dropped(a.Body)))
}

// withDropped puts, at the top of a previewed page, what of the body
// readers will not see. The rest of the page is the reader page as is.
func withDropped(page []byte, dropped []string) []byte {
	i := bytes.Index(page, []byte("<body"))
	if len(dropped) == 0 || i < 0 {
		return page
	}
	end := bytes.IndexByte(page[i:], '>')
	if end < 0 {
		return page
	}
	at := i + end + 1
	var b bytes.Buffer
	b.Write(page[:at])
	b.WriteString("\n<div role=\"note\" lang=\"en\" dir=\"ltr\" id=\"preview-dropped\"><p><strong>Preview.</strong> Readers will not see these parts of the body:</p><ul>")
	for _, d := range dropped {
		b.WriteString("<li>" + html.EscapeString(d) + "</li>")
	}
	b.WriteString("</ul></div>")
	b.Write(page[at:])
	return b.Bytes()
}

// articleID reads the id of a reader article path, /{svc}/a/{id}-{slug}/.
func articleID(path string) (int64, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[1] != "a" {
		return 0, false
	}
	num, _, _ := strings.Cut(parts[2], "-")
	id, err := strconv.ParseInt(num, 10, 64)
	return id, err == nil && id > 0
}
