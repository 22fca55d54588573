package newsroom

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/httperr"
)

// noticesPage lists a service's safety notices with forms to change them.
type noticesPage struct {
	Service  *kolokol.Service
	Services []*kolokol.Service
	Notices  []noticeForm
	New      noticeForm
}

type noticeForm struct {
	ID        int64
	Text      string
	Link      string
	Countries string // comma-separated
	Default   bool
	Mirrors   bool
}

func formOfNotice(n *kolokol.Notice) noticeForm {
	return noticeForm{ID: n.ID, Text: n.Text, Link: n.Link, Countries: strings.Join(n.Countries, ", "), Default: n.Default, Mirrors: n.Mirrors}
}

func (n *Newsroom) notices(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showNotices(w, r, u, http.StatusOK, r.URL.Query().Get("service"), nil, "")
}

func (n *Newsroom) showNotices(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, code string, draft *noticeForm, msg string) {
	services, err := n.myServices(r, u)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	if len(services) == 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "your account works on no service"))
		return
	}
	p := &noticesPage{Services: services, Service: services[0]}
	for _, s := range services {
		if s.Code == code {
			p.Service = s
		}
	}
	list, err := n.desk.Notices(r.Context(), u.Actor(), p.Service.Code)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	for _, x := range list {
		f := formOfNotice(x)
		if draft != nil && draft.ID == x.ID {
			f = *draft
		}
		p.Notices = append(p.Notices, f)
	}
	if draft != nil && draft.ID == 0 {
		p.New = *draft
	}
	n.render(w, status, "notices", pageData{Title: "Safety notices: " + p.Service.EnglishName, User: u, Error: msg,
		Notices: p, Saved: msg == "" && r.URL.Query().Has("saved")})
}

func (n *Newsroom) saveNotice(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	v := r.PostFormValue
	code := v("service")
	f := noticeForm{Text: v("text"), Link: v("link"), Countries: v("countries"), Default: v("default") != "", Mirrors: v("mirrors") != ""}
	if s := v("id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			n.fail(w, r, u, kolokol.Errorf(kolokol.EMALFORMED, "notice id %q is not a number", s))
			return
		}
		f.ID = id
	}
	notice := &kolokol.Notice{ID: f.ID, Service: code, Text: f.Text, Link: f.Link, Countries: strings.FieldsFunc(f.Countries, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}), Default: f.Default, Mirrors: f.Mirrors}
	var err error
	if v("action") == "delete" && f.ID != 0 {
		err = n.desk.DeleteNotice(r.Context(), u.Actor(), code, f.ID)
	} else {
		err = n.desk.SaveNotice(r.Context(), u.Actor(), notice)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.showNotices(w, r, u, httperr.Status(c), code, &f, kolokol.ErrorMessage(err))
			return
		}
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/notices?saved=1&service="+code, http.StatusSeeOther)
}

// securityTxtPage edits /.well-known/security.txt (global admins).
func (n *Newsroom) securityTxtPage(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if u.Role != kolokol.RoleAdmin || len(u.Services) > 0 {
		n.fail(w, r, u, kolokol.Errorf(kolokol.EFORBIDDEN, "only a global admin may change security.txt"))
		return
	}
	text, err := n.desk.SecurityTxt(r.Context())
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, http.StatusOK, "securitytxt", pageData{Title: "security.txt", User: u, Text: text, Saved: r.URL.Query().Has("saved")})
}

func (n *Newsroom) saveSecurityTxt(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	text := r.PostFormValue("text")
	if err := n.desk.SetSecurityTxt(r.Context(), u.Actor(), text); err != nil {
		if kolokol.ErrorCode(err) == kolokol.EINVALID {
			n.render(w, http.StatusUnprocessableEntity, "securitytxt", pageData{Title: "security.txt", User: u, Text: text,
				Error: kolokol.ErrorMessage(err)})
			return
		}
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/security-txt?saved=1", http.StatusSeeOther)
}
