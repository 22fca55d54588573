package site

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/render"
)

// Newsletter is the email edition's operations the reader pages call
// (newsletter.Desk). Whatever a reader posts, its answers tell nothing of
// who else subscribes.
type Newsletter interface {
	// Subscribe refuses an address (EINVALID, field "address"), no choice
	// (EINVALID, field "choices") and too many requests (ETHROTTLED);
	// otherwise it answers nil, whether the address was new or known.
	Subscribe(ctx context.Context, service, address string, digest, alerts bool, client string) error
	CheckConfirm(ctx context.Context, token string) error
	Confirm(ctx context.Context, service, token string) error
	CheckManage(ctx context.Context, service, token string) error
	Unsubscribe(ctx context.Context, service, token string) error
	Export(ctx context.Context, service, token string) ([]byte, error)
}

// maxEmailBody bounds what the email pages read of a POST: the form's
// three fields fit in a few hundred bytes.
const maxEmailBody = 4 << 10

// oneClick is the one body RFC 8058 one-click unsubscribing posts.
const oneClick = "One-Click"

var (
	emailCacheControlV = []string{"private, no-store"}
	allowEmailV        = []string{"GET, HEAD, POST"}
	allowPostV         = []string{"POST"}
	jsonV              = []string{"application/json; charset=utf-8"}
)

// emailPath reports whether path is one of a service's email edition
// pages: /{service}/email/ (step "") or /{service}/email/{step}.
func emailPath(path string) (code, step string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return "", "", false
	}
	code, tail, ok := strings.Cut(rest, "/")
	if !ok || code == "" || len(code) > 16 {
		return "", "", false
	}
	step, ok = strings.CutPrefix(tail, "email/")
	if !ok {
		return "", "", false
	}
	switch step {
	case "", "confirm", "unsubscribe", "export":
		return code, step, true
	}
	return "", "", false
}

// email serves a service's email edition pages. Like search results, they
// are made per request and never kept (private, no-store, noindex); they
// set no cookie, and nothing a reader posts is logged. It reports false,
// having written nothing, when there is no such service.
func (s *Site) email(w http.ResponseWriter, r *http.Request, code, step string) bool {
	if !s.builder.HasService(r.Context(), code) {
		return false
	}
	h := w.Header()
	s.setHeaders(h, r)
	h["Cache-Control"] = emailCacheControlV
	h["X-Robots-Tag"] = noIndexV
	post := r.Method == http.MethodPost
	switch {
	case step == "export" && !post:
		h["Allow"] = allowPostV
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return true
	case !post && r.Method != http.MethodGet && r.Method != http.MethodHead:
		h["Allow"] = allowEmailV
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return true
	}
	var form url.Values
	if post {
		var status int
		if form, status = readForm(w, r); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return true
		}
	}
	token := r.URL.Query().Get("t")
	ctx := r.Context()
	page := render.EmailPage{Step: render.EmailForm}
	switch step {
	case "":
		if post {
			page = s.subscribe(ctx, r, code, form)
		}
	case "confirm":
		page = s.confirm(ctx, code, token, post, form)
	case "unsubscribe":
		page = s.unsubscribe(ctx, code, token, post, form)
	case "export":
		if form.Get("export") != "1" {
			http.Error(w, "the export is asked for with export=1", http.StatusBadRequest)
			return true
		}
		body, err := s.opts.Newsletter.Export(ctx, code, token)
		if err == nil {
			h["Content-Type"] = jsonV
			h["Content-Disposition"] = []string{`attachment; filename="subscription.json"`}
			h["Content-Length"] = []string{strconv.Itoa(len(body))}
			w.WriteHeader(http.StatusOK)
			w.Write(body)
			return true
		}
		page = s.badLink(code, "export", err)
	}
	p, err := s.builder.Email(ctx, code, page)
	if err != nil {
		s.log.Error("render email page", "service", code, "err", err)
		http.Error(w, "The page could not be rendered. Please try again shortly.", http.StatusInternalServerError)
		return true
	}
	h["Content-Type"] = []string{p.ContentType}
	h["Content-Length"] = []string{strconv.Itoa(len(p.Body))}
	w.WriteHeader(p.Status)
	if r.Method != http.MethodHead {
		w.Write(p.Body)
	}
	return true
}

// readForm reads a POST's form from its body alone (the token stays in the
// address), refusing a body over maxEmailBody (413) and one that is not a
// form (415) or cannot be read (400).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, int) {
	if r.ContentLength > maxEmailBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEmailBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		// RFC 8058 lets a mail client post the one-click body this way.
		err = r.ParseMultipartForm(maxEmailBody)
	default:
		return nil, http.StatusUnsupportedMediaType
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge
	} else if err != nil {
		return nil, http.StatusBadRequest
	}
	if r.MultipartForm != nil {
		if len(r.MultipartForm.File) > 0 {
			return nil, http.StatusBadRequest
		}
		return r.MultipartForm.Value, 0
	}
	return r.PostForm, 0
}

// checked reads a checkbox: absent, or "1" as the form sends it. Anything
// else is not from the form.
func checked(form url.Values, name string) (on, ok bool) {
	switch v := form[name]; {
	case len(v) == 0:
		return false, true
	case len(v) == 1 && v[0] == "1":
		return true, true
	}
	return false, false
}

func (s *Site) subscribe(ctx context.Context, r *http.Request, code string, form url.Values) render.EmailPage {
	addr := form.Get("address")
	digest, ok1 := checked(form, "digest")
	alerts, ok2 := checked(form, "alerts")
	page := render.EmailPage{Step: render.EmailForm, Digest: digest, Alerts: alerts, Status: http.StatusBadRequest}
	if len(addr) <= 254 && !strings.ContainsFunc(addr, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		// Refilled for the reader to correct, never with a line break.
		page.Address = addr
	}
	if !ok1 || !ok2 || len(form["address"]) > 1 {
		page.Problem = "email_invalid"
		return page
	}
	// The client as the trusted proxies say (--trusted-proxies), else
	// the peer: only counted in memory, under a keyed hash.
	client := ""
	if s.opts.Geo != nil {
		if a := s.opts.Geo.ClientAddr(r); a.IsValid() {
			client = a.String()
		}
	} else if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		client = ap.Addr().String()
	}
	err := s.opts.Newsletter.Subscribe(ctx, code, addr, digest, alerts, client)
	switch {
	case err == nil:
		return render.EmailPage{Step: render.EmailSent}
	case kolokol.ErrorCode(err) == kolokol.ETHROTTLED:
		return render.EmailPage{Step: render.EmailBusy, Status: http.StatusTooManyRequests}
	case kolokol.ErrorField(err) == "choices":
		page.Problem = "email_choose_one"
		return page
	case kolokol.ErrorCode(err) == kolokol.EINVALID:
		page.Problem = "email_invalid"
		return page
	}
	// Logged without what was posted: the error names no address.
	s.log.Error("subscribe", "service", code, "err", err)
	return render.EmailPage{Step: render.EmailBusy, Status: http.StatusServiceUnavailable}
}

func (s *Site) confirm(ctx context.Context, code, token string, post bool, form url.Values) render.EmailPage {
	if !post {
		// A GET only shows the button: mail scanners follow links.
		if err := s.opts.Newsletter.CheckConfirm(ctx, token); err != nil {
			return s.badLink(code, "confirm", err)
		}
		return render.EmailPage{Step: render.EmailConfirm, Token: token}
	}
	if form.Get("confirm") != "1" {
		return render.EmailPage{Step: render.EmailConfirm, Token: token, Status: http.StatusBadRequest}
	}
	if err := s.opts.Newsletter.Confirm(ctx, code, token); err != nil {
		return s.badLink(code, "confirm", err)
	}
	return render.EmailPage{Step: render.EmailConfirmed}
}

// unsubscribe answers the unsubscribe link: a GET shows one button; a
// POST whose body is List-Unsubscribe=One-Click (the button's, or a mail
// client's under RFC 8058) unsubscribes at once and answers 200 with the
// page, never a redirect.
func (s *Site) unsubscribe(ctx context.Context, code, token string, post bool, form url.Values) render.EmailPage {
	if !post {
		if err := s.opts.Newsletter.CheckManage(ctx, code, token); err != nil {
			return s.badLink(code, "unsubscribe", err)
		}
		return render.EmailPage{Step: render.EmailUnsubscribe, Token: token}
	}
	if v := form["List-Unsubscribe"]; len(v) != 1 || v[0] != oneClick {
		return render.EmailPage{Step: render.EmailBadLink, Status: http.StatusBadRequest}
	}
	if err := s.opts.Newsletter.Unsubscribe(ctx, code, token); err != nil {
		return s.badLink(code, "unsubscribe", err)
	}
	return render.EmailPage{Step: render.EmailUnsubscribed}
}

// badLink is the page of a token that leads nowhere (404), or of a
// failure behind it (503, logged without the token).
func (s *Site) badLink(code, doing string, err error) render.EmailPage {
	if kolokol.IsNotFound(err) {
		return render.EmailPage{Step: render.EmailBadLink, Status: http.StatusNotFound}
	}
	s.log.Error("email "+doing, "service", code, "err", err)
	return render.EmailPage{Step: render.EmailBusy, Status: http.StatusServiceUnavailable}
}
