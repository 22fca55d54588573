package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// mirrorJSON is a mirror as the API shows it: its settings and health,
// never its key (which the API takes, and never returns).
type mirrorJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	PublicURL  string     `json:"public_url"`
	Dir        string     `json:"dir,omitempty"`
	Endpoint   string     `json:"endpoint,omitempty"`
	Bucket     string     `json:"bucket,omitempty"`
	Prefix     string     `json:"prefix,omitempty"`
	Region     string     `json:"region,omitempty"`
	TLS        bool       `json:"tls,omitempty"`
	AccessKey  string     `json:"access_key,omitempty"`
	Host       string     `json:"host,omitempty"`
	Port       int        `json:"port,omitempty"`
	User       string     `json:"user,omitempty"`
	RemotePath string     `json:"remote_path,omitempty"`
	HostKey    string     `json:"host_key,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	RetiredAt  *time.Time `json:"retired_at,omitempty"`
	Health     healthJSON `json:"health"`
}

type healthJSON struct {
	Edition    int64      `json:"edition"`
	PushedAt   *time.Time `json:"pushed_at,omitempty"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	Error      string     `json:"error,omitempty"`
	ErrorAt    *time.Time `json:"error_at,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toMirrorJSON(m *kolokol.Mirror) mirrorJSON {
	return mirrorJSON{ID: m.ID, Name: m.Name, Kind: string(m.Kind), PublicURL: m.PublicURL, Dir: m.Dir, Endpoint: m.Endpoint,
		Bucket: m.Bucket, Prefix: m.Prefix, Region: m.Region, TLS: m.TLS, AccessKey: m.AccessKey, Host: m.Host, Port: m.Port,
		User: m.User, RemotePath: m.RemotePath, HostKey: m.HostKey, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		RetiredAt: optTime(m.RetiredAt), Health: healthJSON{Edition: m.Health.Edition, PushedAt: optTime(m.Health.PushedAt),
			VerifiedAt: optTime(m.Health.VerifiedAt), Error: m.Health.Error, ErrorAt: optTime(m.Health.ErrorAt)}}
}

// mirrorRequest creates (POST) or changes (PATCH) a mirror: absent fields
// stay as they are on PATCH. secret_key (S3) or private_key (SFTP) sets
// the mirror's key; neither is ever shown again.
type mirrorRequest struct {
	Name       *string `json:"name"`
	Kind       *string `json:"kind"`
	PublicURL  *string `json:"public_url"`
	Dir        *string `json:"dir"`
	Endpoint   *string `json:"endpoint"`
	Bucket     *string `json:"bucket"`
	Prefix     *string `json:"prefix"`
	Region     *string `json:"region"`
	TLS        *bool   `json:"tls"`
	AccessKey  *string `json:"access_key"`
	Host       *string `json:"host"`
	Port       *int    `json:"port"`
	User       *string `json:"user"`
	RemotePath *string `json:"remote_path"`
	HostKey    *string `json:"host_key"`
	SecretKey  *string `json:"secret_key"`
	PrivateKey *string `json:"private_key"`
}

func (r mirrorRequest) secret() []byte {
	switch {
	case r.SecretKey != nil:
		return []byte(*r.SecretKey)
	case r.PrivateKey != nil:
		return []byte(*r.PrivateKey)
	}
	return nil
}

func (r mirrorRequest) patch() desk.MirrorPatch {
	return desk.MirrorPatch{Name: r.Name, PublicURL: r.PublicURL, Dir: r.Dir, Endpoint: r.Endpoint, Bucket: r.Bucket,
		Prefix: r.Prefix, Region: r.Region, TLS: r.TLS, AccessKey: r.AccessKey, Host: r.Host, User: r.User,
		RemotePath: r.RemotePath, HostKey: r.HostKey, Port: r.Port, Secret: r.secret()}
}

func mirrorID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "no mirror %q", r.PathValue("id"))
	}
	return id, nil
}

func (a *API) listMirrors(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	list, err := a.desk.Mirrors(r.Context(), actor)
	if err != nil {
		return err
	}
	out := struct {
		Mirrors []mirrorJSON `json:"mirrors"`
	}{Mirrors: []mirrorJSON{}}
	for _, m := range list {
		out.Mirrors = append(out.Mirrors, toMirrorJSON(m))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createMirror(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	var req mirrorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var m kolokol.Mirror
	if req.Kind != nil {
		m.Kind = kolokol.MirrorKind(*req.Kind)
	}
	p := req.patch()
	p.Apply(&m)
	created, err := a.desk.CreateMirror(r.Context(), actor, m, p.Secret)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toMirrorJSON(created))
	return nil
}

func (a *API) patchMirror(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := mirrorID(r)
	if err != nil {
		return err
	}
	var req mirrorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Kind != nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "kind", "a mirror's kind does not change; retire it and add a new one")
	}
	m, err := a.desk.UpdateMirror(r.Context(), actor, id, req.patch())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMirrorJSON(m))
	return nil
}

// retireMirror answers DELETE: a mirror is retired, never forgotten (the
// audit log and its history name it).
func (a *API) retireMirror(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := mirrorID(r)
	if err != nil {
		return err
	}
	m, err := a.desk.RetireMirror(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMirrorJSON(m))
	return nil
}
