package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/media"
)

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

type mediaJSON struct {
	MediaID     int64              `json:"media_id"`
	ContentType string             `json:"content_type"`
	Width       int                `json:"width"`
	Height      int                `json:"height"`
	Size        int64              `json:"size"`
	URL         string             `json:"url"`
	Focal       focalJSON          `json:"focal"`
	Renditions  []renditionJSON    `json:"renditions"`
	Suggestions *media.Suggestions `json:"suggestions,omitempty"`
}

type focalJSON struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type renditionJSON struct {
	URL    string `json:"url"`
	Ratio  string `json:"ratio"`
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Size   int64  `json:"size"`
}

// mediaJSON describes a media: url is its master, renditions the crops
// readers get. Suggestions, from the upload's IPTC/XMP metadata, come only
// with the upload's response: they are stored nowhere.
func (a *API) mediaJSON(m *kolokol.Media, sug *media.Suggestions) mediaJSON {
	j := mediaJSON{MediaID: m.ID, ContentType: m.ContentType, Width: m.Width, Height: m.Height, Size: m.Size,
		URL: a.baseURL + m.Path(), Focal: focalJSON{m.FocalX, m.FocalY}, Renditions: []renditionJSON{}}
	for _, r := range m.Renditions {
		j.Renditions = append(j.Renditions, renditionJSON{URL: a.baseURL + r.Path(), Ratio: r.Ratio, Format: r.Format,
			Width: r.Width, Height: r.Height, Size: r.Size})
	}
	if sug != nil && *sug != (media.Suggestions{}) {
		j.Suggestions = sug
	}
	return j
}

// uploadMedia takes a multipart form with one file field named "file" and
// the service the picture is for, as a field or a query parameter named
// "service" (a token of one service may leave it out). The part is read
// into memory under a hard limit; nothing touches disk until the image has
// passed its checks.
func (a *API) uploadMedia(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	service := r.URL.Query().Get("service")
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return kolokol.Errorf(kolokol.EMALFORMED, "send the image as multipart/form-data with a field named file")
	}
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return kolokol.Errorf(kolokol.EMALFORMED, "malformed multipart body: %v", err)
	}
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return multipartError(err)
		}
		if part.FormName() == "service" {
			v, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return multipartError(err)
			}
			if service != "" && service != string(v) {
				return kolokol.FieldErrorf(kolokol.EINVALID, "service", "the service is given twice, as %q and %q", service, v)
			}
			service = string(v)
			continue
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		if data != nil {
			return kolokol.FieldErrorf(kolokol.EINVALID, "file", "send one file per upload")
		}
		data, err = io.ReadAll(io.LimitReader(part, media.MaxBytes+1))
		if err != nil {
			return multipartError(err)
		}
		if data == nil {
			data = []byte{}
		}
	}
	if data == nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "file", "the form has no field named file")
	}
	m, sug, err := a.desk.UploadMedia(r.Context(), actor, service, data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/media/"+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, a.mediaJSON(m, &sug))
	return nil
}

func mediaID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "no media %q", r.PathValue("id"))
	}
	return id, nil
}

func (a *API) getMedia(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	m, err := a.desk.Media(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.mediaJSON(m, nil))
	return nil
}

// focalRequest uses pointers so that a missing coordinate is refused
// rather than taken as 0, the top or left edge.
type focalRequest struct {
	X *float64 `json:"x"`
	Y *float64 `json:"y"`
}

func (a *API) setFocal(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	var req focalRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.X == nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "x", "x is required: 0 is the left edge, 1 the right")
	}
	if req.Y == nil {
		return kolokol.FieldErrorf(kolokol.EINVALID, "y", "y is required: 0 is the top edge, 1 the bottom")
	}
	m, err := a.desk.SetFocalPoint(r.Context(), actor, id, *req.X, *req.Y)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.mediaJSON(m, nil))
	return nil
}

func multipartError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return kolokol.FieldErrorf(kolokol.ETOOLARGE, "file", "the upload is over the %d-byte limit", media.MaxBytes)
	}
	return kolokol.Errorf(kolokol.EMALFORMED, "malformed multipart body: %v", err)
}

type serviceJSON struct {
	Code        string            `json:"code"`
	Tag         string            `json:"tag"`
	Script      string            `json:"script"`
	Direction   kolokol.Direction `json:"direction"`
	Name        string            `json:"name"`
	EnglishName string            `json:"english_name"`
	Brand       string            `json:"brand"`
	TimeZone    string            `json:"time_zone"`
	URL         string            `json:"url"`
	// ShowGregorian: the Gregorian date beside the service's own calendar.
	ShowGregorian bool `json:"show_gregorian"`
	// LatinSlugs: story addresses in Latin letters (kolokol.Romanize).
	LatinSlugs bool `json:"latin_slugs"`
}

func (a *API) listServices(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	list, err := a.store.FindServices(r.Context())
	if err != nil {
		return err
	}
	out := []serviceJSON{}
	for _, s := range list {
		if actor.CanTouch(s.Code) {
			out = append(out, serviceJSON{s.Code, s.Tag, s.Script, s.Direction, s.Name, s.EnglishName, s.Brand, s.TimeZone, a.baseURL + "/" + s.Code + "/", s.ShowGregorian, s.LatinSlugs})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
	return nil
}

type servicePatchRequest struct {
	Tag         *string            `json:"tag"`
	Script      *string            `json:"script"`
	Direction   *kolokol.Direction `json:"direction"`
	Name        *string            `json:"name"`
	EnglishName *string            `json:"english_name"`
	Brand       *string            `json:"brand"`
	TimeZone    *string            `json:"time_zone"`
	About       *string            `json:"about"`
	LegalStatus *string            `json:"legal_status"`
	// ShowGregorian: the Gregorian date beside the service's own calendar.
	ShowGregorian *bool `json:"show_gregorian"`
	// LatinSlugs: story addresses in Latin letters from the next save.
	LatinSlugs *bool `json:"latin_slugs"`
}

// logoJSON describes a service's logo: "svg" (a drawing kept as shapes,
// inlined in pages) or "picture" (a media's renditions); "none".
type logoJSON struct {
	Type    string   `json:"type"`
	MediaID int64    `json:"media_id,omitempty"`
	ViewBox string   `json:"view_box,omitempty"`
	Dropped []string `json:"dropped,omitempty"`
}

func logoOf(l kolokol.Logo, dropped []string) logoJSON {
	switch {
	case l.SVG != "":
		return logoJSON{Type: "svg", ViewBox: l.ViewBox, Dropped: dropped}
	case l.MediaID != 0:
		return logoJSON{Type: "picture", MediaID: l.MediaID}
	}
	return logoJSON{Type: "none"}
}

// setLogo takes the logo as the request body: an SVG drawing, or a PNG,
// JPEG or WebP picture, told apart by its bytes rather than a header.
func (a *API) setLogo(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	data, err := readBody(w, r, media.MaxBytes)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return kolokol.FieldErrorf(kolokol.EINVALID, "logo", "the body is empty: send the logo's file, or DELETE to remove it")
	}
	svc, dropped, err := a.desk.SetLogo(r.Context(), actor, r.PathValue("code"), data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": svc.Code, "brand": svc.Brand, "logo": logoOf(svc.Logo, dropped)})
	return nil
}

func (a *API) clearLogo(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	svc, _, err := a.desk.SetLogo(r.Context(), actor, r.PathValue("code"), nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": svc.Code, "brand": svc.Brand, "logo": logoOf(svc.Logo, nil)})
	return nil
}

func (a *API) patchService(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	var req servicePatchRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.desk.UpdateService(r.Context(), actor, r.PathValue("code"), desk.ServicePatch{
		Tag: req.Tag, Script: req.Script, Direction: req.Direction, Name: req.Name, EnglishName: req.EnglishName, Brand: req.Brand,
		TimeZone: req.TimeZone, About: req.About, LegalStatus: req.LegalStatus, ShowGregorian: req.ShowGregorian,
		LatinSlugs: req.LatinSlugs,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": s.Code, "tag": s.Tag, "script": s.Script, "direction": s.Direction,
		"name": s.Name, "english_name": s.EnglishName, "brand": s.Brand, "logo": logoOf(s.Logo, nil), "time_zone": s.TimeZone, "about": s.About, "legal_status": s.LegalStatus,
		"show_gregorian": s.ShowGregorian, "latin_slugs": s.LatinSlugs})
	return nil
}

type breakingRequest struct {
	Text      string `json:"text"`
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

type breakingJSON struct {
	Service   string     `json:"service"`
	Text      string     `json:"text"`
	URL       string     `json:"url,omitempty"`
	ExpiresAt *time.Time `json:"expires_at"`
	CreatedAt time.Time  `json:"created_at"`
}

func (a *API) setBreaking(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	var req breakingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	exp, err := parseTime("expires_at", req.ExpiresAt)
	if err != nil {
		return err
	}
	b := &kolokol.Breaking{Service: r.PathValue("code"), Text: req.Text, URL: req.URL, ExpiresAt: exp.UTC()}
	if exp.IsZero() {
		b.ExpiresAt = time.Time{}
	}
	if err := a.desk.SetBreaking(r.Context(), actor, b); err != nil {
		return err
	}
	out := breakingJSON{Service: b.Service, Text: b.Text, URL: b.URL, CreatedAt: b.CreatedAt}
	if !b.ExpiresAt.IsZero() {
		out.ExpiresAt = &b.ExpiresAt
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) clearBreaking(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	if err := a.desk.ClearBreaking(r.Context(), actor, r.PathValue("code")); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
