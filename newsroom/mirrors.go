package newsroom

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

// mirrorsPage lists the mirrors with their health and the form to add one,
// or (Edit set) the form to change one. Keys are taken, never shown.
type mirrorsPage struct {
	Mirrors []mirrorRow
	Edit    *kolokol.Mirror
	Input   mirrorForm
	Kinds   []kolokol.MirrorKind
	Done    string // what the last action did, for the confirmation
}

// mirrorRow is a mirror as the list shows it.
type mirrorRow struct {
	ID                           int64
	Name, Kind, Where, PublicURL string
	Edition                      int64
	Pushed, Verified, Retired    template.HTML
	Error                        string
	ErrorAt                      template.HTML
	Live                         bool
}

// mirrorForm is what the admin typed, kept when the form comes back; the
// key fields never are.
type mirrorForm struct {
	Name, Kind, PublicURL                       string
	Dir                                         string
	Endpoint, Bucket, Prefix, Region, AccessKey string
	TLS                                         bool
	Host, Port, User, RemotePath, HostKey       string
}

func mirrorRowOf(m *kolokol.Mirror, c clock) mirrorRow {
	return mirrorRow{ID: m.ID, Name: m.Name, Kind: string(m.Kind), Where: m.Where(), PublicURL: m.PublicURL, Edition: m.Health.Edition,
		Pushed: c.stamp(m.Health.PushedAt, "never"), Verified: c.stamp(m.Health.VerifiedAt, "never"), Retired: c.stamp(m.RetiredAt, ""),
		Error: m.Health.Error, ErrorAt: c.stamp(m.Health.ErrorAt, ""), Live: m.Live()}
}

func mirrorFormOf(m *kolokol.Mirror) mirrorForm {
	f := mirrorForm{Name: m.Name, Kind: string(m.Kind), PublicURL: m.PublicURL, Dir: m.Dir, Endpoint: m.Endpoint, Bucket: m.Bucket,
		Prefix: m.Prefix, Region: m.Region, AccessKey: m.AccessKey, TLS: m.TLS, Host: m.Host, User: m.User, RemotePath: m.RemotePath, HostKey: m.HostKey}
	if m.Port != 0 {
		f.Port = strconv.Itoa(m.Port)
	}
	return f
}

func (n *Newsroom) mirrorList(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	p := &mirrorsPage{Input: mirrorForm{Kind: string(kolokol.MirrorS3), TLS: true}}
	switch r.URL.Query().Get("done") {
	case "added":
		p.Done = "The mirror is added: the next push fills it."
	case "saved":
		p.Done = "The mirror is saved."
	case "retired":
		p.Done = "The mirror is retired: it is no longer pushed to or listed for readers, and its key is removed."
	}
	n.showMirrors(w, r, u, http.StatusOK, p, "")
}

func (n *Newsroom) showMirrors(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, p *mirrorsPage, msg string) {
	list, err := n.desk.Mirrors(r.Context(), u.Actor())
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	for _, m := range list {
		p.Mirrors = append(p.Mirrors, mirrorRowOf(m, userClock(u)))
	}
	p.Kinds = []kolokol.MirrorKind{kolokol.MirrorS3, kolokol.MirrorSFTP, kolokol.MirrorDir}
	n.render(w, status, "mirrors", pageData{Title: "Mirrors", User: u, Error: msg, Mirrors: p})
}

// readMirrorForm reads the form and the key typed into it (empty: none).
func readMirrorForm(r *http.Request) (mirrorForm, []byte) {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := mirrorForm{Name: v("name"), Kind: v("kind"), PublicURL: v("public_url"), Dir: v("dir"), Endpoint: v("endpoint"),
		Bucket: v("bucket"), Prefix: v("prefix"), Region: v("region"), AccessKey: v("access_key"), TLS: r.PostFormValue("tls") != "",
		Host: v("host"), Port: v("port"), User: v("user"), RemotePath: v("remote_path"), HostKey: v("host_key")}
	secret := r.PostFormValue("secret_key")
	if f.Kind == string(kolokol.MirrorSFTP) {
		secret = r.PostFormValue("private_key")
	}
	return f, []byte(secret)
}

func (f mirrorForm) port() (int, error) {
	if f.Port == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(f.Port)
	if err != nil {
		return 0, kolokol.FieldErrorf(kolokol.EINVALID, "port", "the port is a number, such as 22")
	}
	return p, nil
}

// patch is the form as a change of every setting of the mirror's kind.
func (f mirrorForm) patch(kind kolokol.MirrorKind) (desk.MirrorPatch, error) {
	p := desk.MirrorPatch{Name: &f.Name, PublicURL: &f.PublicURL}
	switch kind {
	case kolokol.MirrorDir:
		p.Dir = &f.Dir
	case kolokol.MirrorS3:
		p.Endpoint, p.Bucket, p.Prefix, p.Region, p.AccessKey, p.TLS = &f.Endpoint, &f.Bucket, &f.Prefix, &f.Region, &f.AccessKey, &f.TLS
	case kolokol.MirrorSFTP:
		port, err := f.port()
		if err != nil {
			return p, err
		}
		p.Host, p.User, p.RemotePath, p.HostKey, p.Port = &f.Host, &f.User, &f.RemotePath, &f.HostKey, &port
	}
	return p, nil
}

func (n *Newsroom) addMirror(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	f, secret := readMirrorForm(r)
	m := kolokol.Mirror{Kind: kolokol.MirrorKind(f.Kind)}
	p, err := f.patch(m.Kind)
	if err == nil {
		p.Apply(&m)
		_, err = n.desk.CreateMirror(r.Context(), u.Actor(), m, secret)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.showMirrors(w, r, u, httperr.Status(c), &mirrorsPage{Input: f}, kolokol.ErrorMessage(err))
			return
		}
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/mirrors?done=added", http.StatusSeeOther)
}

func (n *Newsroom) editMirror(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	id, ok := n.pathID(w, r, u, "mirror")
	if !ok {
		return
	}
	m, err := n.desk.Mirror(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, http.StatusOK, "mirrors", pageData{Title: "Mirror " + m.Name, User: u,
		Mirrors: &mirrorsPage{Edit: m, Input: mirrorFormOf(m)}})
}

func (n *Newsroom) saveMirror(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, ok := n.pathID(w, r, u, "mirror")
	if !ok {
		return
	}
	m, err := n.desk.Mirror(r.Context(), u.Actor(), id)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	f, secret := readMirrorForm(r)
	f.Kind = string(m.Kind) // the kind does not change; the form does not offer it
	if m.Kind == kolokol.MirrorSFTP {
		secret = []byte(r.PostFormValue("private_key"))
	}
	p, err := f.patch(m.Kind)
	if err == nil {
		p.Secret = secret
		_, err = n.desk.UpdateMirror(r.Context(), u.Actor(), id, p)
	}
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.render(w, httperr.Status(c), "mirrors", pageData{Title: "Mirror " + m.Name, User: u, Error: kolokol.ErrorMessage(err),
				Mirrors: &mirrorsPage{Edit: m, Input: f}})
			return
		}
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/mirrors?done=saved", http.StatusSeeOther)
}

func (n *Newsroom) retireMirror(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, ok := n.pathID(w, r, u, "mirror")
	if !ok {
		return
	}
	if _, err := n.desk.RetireMirror(r.Context(), u.Actor(), id); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/mirrors?done=retired", http.StatusSeeOther)
}
