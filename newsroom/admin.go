package newsroom

import (
	"context"
	"errors"
	"html/template"
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

// pathID reads the {id} of the path, or answers that there is no such
// thing (what names it).
func (n *Newsroom) pathID(w http.ResponseWriter, r *http.Request, u *kolokol.User, what string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.ENOTFOUND, "there is no %s %q", what, r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// fail answers with a page saying what went wrong. Internal errors are
// logged and not described: their text is for operators.
func (n *Newsroom) fail(w http.ResponseWriter, r *http.Request, u *kolokol.User, err error) {
	code := kolokol.ErrorCode(err)
	msg := kolokol.ErrorMessage(err)
	if code == kolokol.EINTERNAL {
		n.log.Error("newsroom", "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side; try again shortly."
	}
	n.render(w, httperr.Status(code), "error", pageData{Title: "Not done", User: u, Error: msg})
}

func (n *Newsroom) parseForm(w http.ResponseWriter, r *http.Request, u *kolokol.User) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EMALFORMED, "the form could not be read: %v", err))
		return false
	}
	return true
}

// breaking sets or clears a service's banner from the dashboard: type the
// line, press the button.
func (n *Newsroom) breaking(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	svc := r.PostFormValue("service")
	var err error
	if r.PostFormValue("action") == "clear" {
		err = n.desk.ClearBreaking(r.Context(), u.Actor(), svc)
	} else {
		b := &kolokol.Breaking{Service: svc, Text: r.PostFormValue("text"), URL: r.PostFormValue("url")}
		if hours := r.PostFormValue("hours"); hours != "" && hours != "0" {
			h, perr := strconv.Atoi(hours)
			if perr != nil || h < 0 || h > 24*7 {
				n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "hours", "the banner runs for 0 (until cleared) to 168 hours, not %q", hours))
				return
			}
			b.ExpiresAt = time.Now().Add(time.Duration(h) * time.Hour).UTC()
		}
		err = n.desk.SetBreaking(r.Context(), u.Actor(), b)
	}
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/?service="+svc, http.StatusSeeOther)
}

// serviceSettings shows a service's settings to its admins.
func (n *Newsroom) serviceSettings(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showService(w, r, u, http.StatusOK, nil, nil)
}

func (n *Newsroom) showService(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, svc *kolokol.Service, fault error) {
	msg := kolokol.ErrorMessage(fault)
	code := r.PathValue("code")
	if u.Role != kolokol.RoleAdmin || !u.Actor().CanTouch(code) {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "only an admin may change the settings of %q", code))
		return
	}
	if svc == nil {
		var err error
		if svc, err = n.store.FindServiceByCode(r.Context(), code); err != nil {
			n.fail(w, r, u, err)
			return
		}
	}
	n.render(w, status, "service", pageData{Title: "Settings: " + svc.EnglishName, User: u, Error: msg, Settings: svc,
		Saved: msg == "" && r.URL.Query().Has("saved"), Logo: n.logoPreview(r.Context(), u.Actor(), svc),
		Field: serviceFields[kolokol.ErrorField(fault)]})
}

// serviceFields maps the fields errors name to the settings form's inputs.
var serviceFields = map[string]string{"name": "name", "brand": "brand", "logo": "logo", "about": "about",
	"legal_status": "legal_status", "time_zone": "time_zone", "safety": "safety"}

// logoPreview shows a service's logo as its pages do: the drawing inline
// (only ever stored sanitized), or the picture's smallest uncropped
// rendition.
func (n *Newsroom) logoPreview(ctx context.Context, actor kolokol.Actor, svc *kolokol.Service) template.HTML {
	const h = 40
	switch l := svc.Logo; {
	case l.SVG != "":
		return template.HTML(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="` + template.HTMLEscapeString(l.ViewBox) +
			`" height="` + strconv.Itoa(h) + `" width="` + strconv.Itoa(max(1, int(l.Aspect()*h+0.5))) + `" role="img" aria-label="The current logo">` + l.SVG + `</svg>`)
	case l.MediaID != 0:
		m, err := n.desk.Media(ctx, actor, l.MediaID)
		if err != nil {
			return "the current logo is picture " + template.HTML(strconv.FormatInt(l.MediaID, 10)) + ", which is missing from the library"
		}
		path := m.Path()
		if r, ok := m.Pick(kolokol.RatioOriginal, kolokol.FormatJPEG, 320); ok {
			path = r.Path()
		}
		return template.HTML(`<img src="` + template.HTMLEscapeString(path) + `" alt="The current logo" height="` + strconv.Itoa(h) + `">`)
	}
	return ""
}

func (n *Newsroom) saveService(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	logoData, err := readSettings(w, r)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	v := r.PostFormValue
	code := r.PathValue("code")
	name, brand, about, legal, zone, safety := v("name"), v("brand"), v("about"), v("legal_status"), v("time_zone"), v("safety")
	greg := v("show_gregorian") != ""
	patch := desk.ServicePatch{Name: &name, Brand: &brand,
		About: &about, LegalStatus: &legal, TimeZone: &zone, ShowGregorian: &greg, Safety: &safety}
	// The form offers Latin addresses to the scripts that have them (a
	// checkbox sends nothing when unticked, hence the marker).
	latin := v("latin_slugs") != ""
	if v("latin_slugs_offered") != "" {
		patch.LatinSlugs = &latin
	}
	_, err = n.desk.UpdateService(r.Context(), u.Actor(), code, patch)
	var dropped []string
	if err == nil && (logoData != nil || v("remove_logo") != "") {
		_, dropped, err = n.desk.SetLogo(r.Context(), u.Actor(), code, logoData)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.EMALFORMED || c == kolokol.ETOOLARGE {
			svc, ferr := n.store.FindServiceByCode(r.Context(), code)
			if ferr == nil {
				svc.Name, svc.Brand, svc.About, svc.LegalStatus, svc.TimeZone, svc.ShowGregorian, svc.Safety = name, brand, about, legal, zone, greg, safety
				if patch.LatinSlugs != nil {
					svc.LatinSlugs = latin
				}
				n.showService(w, r, u, httperr.Status(c), svc, err)
				return
			}
		}
		n.fail(w, r, u, err)
		return
	}
	if len(dropped) > 0 {
		// Said now, on the page: the admin should see what the drawing
		// lost before readers do.
		svc, err := n.store.FindServiceByCode(r.Context(), code)
		if err != nil {
			n.fail(w, r, u, err)
			return
		}
		n.render(w, http.StatusOK, "service", pageData{Title: "Settings: " + svc.EnglishName, User: u, Settings: svc, Saved: true,
			Logo: n.logoPreview(r.Context(), u.Actor(), svc), Dropped: dropped})
		return
	}
	http.Redirect(w, r, "/newsroom/services/"+code+"?saved=1", http.StatusSeeOther)
}

// maxSettingsBytes bounds the settings form: its texts and one logo.
const maxSettingsBytes = media.MaxBytes + 1<<20

// readSettings reads the settings form and the logo it carries, if any.
func readSettings(w http.ResponseWriter, r *http.Request) (logo []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSettingsBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(2 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "request body too large") {
			return nil, kolokol.Errorf(kolokol.ETOOLARGE, "the settings and the logo are over the limit of %d MiB", maxSettingsBytes>>20)
		}
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "the form could not be read: %v", err)
	}
	if r.MultipartForm == nil {
		return nil, nil
	}
	switch fh := r.MultipartForm.File["logo"]; {
	case len(fh) > 1:
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "logo", "send one logo")
	case len(fh) == 1 && fh[0].Size > 0:
		return readFile(fh[0])
	}
	return nil, nil
}

// accountsPage lists the accounts an admin manages, with the form to add
// one; Link is a new account's enrolment link, shown once.
type accountsPage struct {
	Users    []*kolokol.User
	Edit     *kolokol.User
	Link     string
	Roles    []kolokol.Role
	Services []*kolokol.Service
	Input    desk.UserInput
}

// EditRole is the edited account's role on a service, "" for none.
func (p *accountsPage) EditRole(code string) kolokol.Role { return roleIn(p.Edit.Desks, code) }

// InputRole is the role on a service in the form being corrected.
func (p *accountsPage) InputRole(code string) kolokol.Role { return roleIn(p.Input.Desks, code) }

// InputGlobal reports whether the form being corrected asked for a
// global admin.
func (p *accountsPage) InputGlobal() bool {
	return p.Input.Role == kolokol.RoleAdmin && len(p.Input.Desks) == 0 && len(p.Input.Services) == 0
}

func roleIn(desks []kolokol.Desk, code string) kolokol.Role {
	for _, d := range desks {
		if d.Service == code {
			return d.Role
		}
	}
	return ""
}

func (n *Newsroom) accountList(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showAccounts(w, r, u, http.StatusOK, &accountsPage{}, "")
}

func (n *Newsroom) showAccounts(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, p *accountsPage, msg string) {
	users, err := n.desk.Users(r.Context(), u.Actor())
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	p.Users = users
	p.Roles = []kolokol.Role{kolokol.RoleReporter, kolokol.RoleEditor, kolokol.RoleAdmin}
	if p.Services, err = n.myServices(r, u); err != nil {
		n.fail(w, r, u, err)
		return
	}
	// A row per desk the admin may give: those they are an admin of.
	p.Services = slices.DeleteFunc(p.Services, func(s *kolokol.Service) bool { return !u.Actor().AdminOf(s.Code) })
	n.render(w, status, "accounts", pageData{Title: "Accounts", User: u, Error: msg, Accounts: p,
		Saved: msg == "" && r.URL.Query().Has("saved")})
}

func (n *Newsroom) myServices(r *http.Request, u *kolokol.User) ([]*kolokol.Service, error) {
	all, err := n.store.FindServices(r.Context())
	if err != nil {
		return nil, err
	}
	var out []*kolokol.Service
	for _, s := range all {
		if u.Actor().CanTouch(s.Code) {
			out = append(out, s)
		}
	}
	return out, nil
}

// userInput reads the accounts form: a role per desk (desk-ru=editor,
// none left empty), or global=1 for a global admin. A form of one role
// and its services (role, services) is read as before desks.
func userInput(r *http.Request) (desk.UserInput, error) {
	in := desk.UserInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: kolokol.Role(r.PostFormValue("role")), Services: r.PostForm["services"], Disabled: r.PostFormValue("disabled") != ""}
	for key, vals := range r.PostForm {
		if code, ok := strings.CutPrefix(key, "desk-"); ok && len(vals) > 0 && vals[0] != "" {
			in.Desks = append(in.Desks, kolokol.Desk{Service: code, Role: kolokol.Role(vals[0])})
		}
	}
	if r.PostFormValue("global") != "" {
		if len(in.Desks) > 0 {
			return in, kolokol.FieldErrorf(kolokol.EINVALID, "desks", "a global admin works on every service: set every desk to “none”, or untick global admin")
		}
		in.Role, in.Services = kolokol.RoleAdmin, nil
	} else if _, ok := r.PostForm["role"]; !ok && len(in.Desks) == 0 {
		return in, kolokol.FieldErrorf(kolokol.EINVALID, "desks", "give the account a role on at least one desk")
	}
	return in, nil
}

func (n *Newsroom) addAccount(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	in, err := userInput(r)
	var added *kolokol.User
	var token string
	if err == nil {
		added, token, err = n.desk.AddUser(r.Context(), u.Actor(), in)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.showAccounts(w, r, u, httperr.Status(c), &accountsPage{Input: in}, kolokol.ErrorMessage(err))
			return
		}
		n.fail(w, r, u, err)
		return
	}
	n.showAccounts(w, r, u, http.StatusOK, &accountsPage{Edit: added, Link: n.enrolLink(r, token)}, "")
}

// enrolLink is the absolute link to send: the origin this admin uses.
func (n *Newsroom) enrolLink(r *http.Request, token string) string {
	scheme := "http"
	if n.opts.Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/newsroom/enrol/" + token
}

func (n *Newsroom) account(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	target, ok := n.accountOf(w, r, u)
	if !ok {
		return
	}
	n.showAccounts(w, r, u, http.StatusOK, &accountsPage{Edit: target}, "")
}

func (n *Newsroom) accountOf(w http.ResponseWriter, r *http.Request, u *kolokol.User) (*kolokol.User, bool) {
	id, ok := n.pathID(w, r, u, "account")
	if !ok {
		return nil, false
	}
	target, err := n.desk.User(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return nil, false
	}
	return target, true
}

func (n *Newsroom) saveAccount(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	target, ok := n.accountOf(w, r, u)
	if !ok {
		return
	}
	in, err := userInput(r)
	if err == nil {
		_, err = n.desk.UpdateUserAccess(r.Context(), u.Actor(), target.ID, in)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.showAccounts(w, r, u, httperr.Status(c), &accountsPage{Edit: target}, kolokol.ErrorMessage(err))
			return
		}
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/accounts/"+strconv.FormatInt(target.ID, 10)+"?saved=1", http.StatusSeeOther)
}

func (n *Newsroom) resetAccount(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	target, ok := n.accountOf(w, r, u)
	if !ok {
		return
	}
	token, err := n.desk.ResetUser(r.Context(), u.Actor(), target.ID)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.showAccounts(w, r, u, http.StatusOK, &accountsPage{Edit: target, Link: n.enrolLink(r, token)}, "")
}

// auditPage is the audit log, filtered, a page at a time.
type auditPage struct {
	Entries  []*kolokol.AuditEntry
	Filter   kolokol.AuditFilter
	Services []*kolokol.Service
	Next     string
}

func (n *Newsroom) auditLog(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	q := r.URL.Query()
	f := kolokol.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Service: q.Get("service"), Limit: 100}
	if len(u.Services) > 0 && f.Service == "" {
		f.Service = u.Services[0]
	}
	if s := q.Get("article"); s != "" {
		f.ArticleID, _ = strconv.ParseInt(s, 10, 64)
	}
	if s := q.Get("before"); s != "" {
		f.Before, _ = strconv.ParseInt(s, 10, 64)
	}
	entries, err := n.desk.Audit(r.Context(), u.Actor(), f)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	p := &auditPage{Entries: entries, Filter: f}
	if p.Services, err = n.myServices(r, u); err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(entries) == f.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		p.Next = "/newsroom/audit?" + next.Encode()
	}
	n.render(w, http.StatusOK, "audit", pageData{Title: "Audit log", User: u, Audit: p})
}
