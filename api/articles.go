package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

type leadImageJSON struct {
	MediaID int64  `json:"media_id"`
	Alt     string `json:"alt"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
}

type correctionJSON struct {
	ID        int64     `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

type articleJSON struct {
	ID      int64  `json:"id"`
	Service string `json:"service"`
	Section string `json:"section,omitempty"`
	Slug    string `json:"slug"`
	// CustomSlug is the slug an editor set; absent, the slug follows the
	// headline.
	CustomSlug  string           `json:"custom_slug,omitempty"`
	Headline    string           `json:"headline"`
	Summary     string           `json:"summary"`
	Body        string           `json:"body"`
	Bylines     []string         `json:"bylines"`
	Dateline    string           `json:"dateline,omitempty"`
	Tags        []string         `json:"tags"`
	Credits     []string         `json:"credits"`
	Group       string           `json:"translation_group,omitempty"`
	SEOTitle    string           `json:"seo_title,omitempty"`
	SocialTitle string           `json:"social_title,omitempty"`
	SocialDesc  string           `json:"social_description,omitempty"`
	LeadImage   *leadImageJSON   `json:"lead_image"`
	Corrections []correctionJSON `json:"corrections"`
	Status      kolokol.Status   `json:"status"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	PublishedAt *time.Time       `json:"published_at"`
	ScheduledAt *time.Time       `json:"scheduled_at,omitempty"`
	SubmittedAt *time.Time       `json:"submitted_at,omitempty"`
	CreatedBy   string           `json:"created_by,omitempty"`
	Version     int              `json:"version"`
	URL         string           `json:"url"`
	// Warnings point out what the newsroom should fix but may publish
	// with; only the create and edit responses carry them.
	Warnings []string `json:"warnings,omitempty"`
}

// WarnAltRepeatsCaption is the warning of a lead image whose alt text says
// what its caption says.
const WarnAltRepeatsCaption = "alt text repeats the caption: describe what the picture shows"

// warnings lists what is worth fixing in a story that is valid as it is.
func (a *API) warnings(ar *kolokol.Article) []string {
	var w []string
	if ar.LeadImage.AltRepeatsCaption() {
		w = append(w, WarnAltRepeatsCaption)
	}
	if a.dropped != nil {
		for _, d := range a.dropped(ar.Body) {
			w = append(w, "readers will not see "+d)
		}
	}
	return w
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// withWarnings is one article as a response: with what is worth fixing.
// Lists leave warnings out.
func (a *API) withWarnings(ar *kolokol.Article) articleJSON {
	j := a.articleJSON(ar)
	j.Warnings = a.warnings(ar)
	return j
}

func (a *API) articleJSON(ar *kolokol.Article) articleJSON {
	j := articleJSON{
		ID: ar.ID, Service: ar.Service, Section: ar.Section, Slug: ar.Slug,
		Headline: ar.Headline, Summary: ar.Summary, Body: ar.Body,
		Bylines: nonNil(ar.Bylines), Dateline: ar.Dateline, Tags: nonNil(ar.Tags),
		Credits: nonNil(ar.Credits), Corrections: []correctionJSON{}, Status: ar.Status,
		CreatedAt: ar.CreatedAt, UpdatedAt: ar.UpdatedAt, Version: ar.Version,
		URL: a.baseURL + ar.Path(), Group: ar.TranslationGroup, CreatedBy: ar.CreatedBy,
		CustomSlug: ar.CustomSlug, SEOTitle: ar.SEOTitle, SocialTitle: ar.SocialTitle, SocialDesc: ar.SocialDescription,
	}
	if li := ar.LeadImage; li != nil {
		j.LeadImage = &leadImageJSON{MediaID: li.MediaID, Alt: li.Alt, Caption: li.Caption, Credit: li.Credit}
	}
	for _, c := range ar.Corrections {
		j.Corrections = append(j.Corrections, correctionJSON{ID: c.ID, Text: c.Text, CreatedAt: c.CreatedAt})
	}
	if !ar.PublishedAt.IsZero() {
		t := ar.PublishedAt
		j.PublishedAt = &t
	}
	if !ar.ScheduledAt.IsZero() {
		t := ar.ScheduledAt
		j.ScheduledAt = &t
	}
	if !ar.SubmittedAt.IsZero() {
		t := ar.SubmittedAt
		j.SubmittedAt = &t
	}
	return j
}

func (li *leadImageJSON) domain() *kolokol.LeadImage {
	if li == nil {
		return nil
	}
	return &kolokol.LeadImage{MediaID: li.MediaID, Alt: li.Alt, Caption: li.Caption, Credit: li.Credit}
}

type createArticleRequest struct {
	Service   string         `json:"service"`
	Section   string         `json:"section"`
	Headline  string         `json:"headline"`
	Summary   string         `json:"summary"`
	Body      string         `json:"body"`
	Bylines   []string       `json:"bylines"`
	Dateline  string         `json:"dateline"`
	Tags      []string       `json:"tags"`
	Credits   []string       `json:"credits"`
	LeadImage *leadImageJSON `json:"lead_image"`
	Group     string         `json:"translation_group"`
	// Slug sets the story's own slug; absent or "", it follows the
	// headline.
	Slug        string `json:"slug"`
	SEOTitle    string `json:"seo_title"`
	SocialTitle string `json:"social_title"`
	SocialDesc  string `json:"social_description"`
}

func (a *API) createArticle(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	var req createArticleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Service == "" {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "service is required")
	}
	if _, err := a.store.FindServiceByCode(r.Context(), req.Service); kolokol.IsNotFound(err) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "service", "unknown service %q", req.Service)
	} else if err != nil {
		return err
	}
	ar, err := a.desk.CreateArticle(r.Context(), actor, desk.ArticleInput{
		Service: req.Service, Section: req.Section, Headline: req.Headline, Summary: req.Summary,
		Body: req.Body, Bylines: req.Bylines, Dateline: req.Dateline, Tags: req.Tags,
		Credits: req.Credits, LeadImage: req.LeadImage.domain(), TranslationGroup: req.Group,
		Slug: req.Slug, SEOTitle: req.SEOTitle, SocialTitle: req.SocialTitle, SocialDescription: req.SocialDesc,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/articles/"+strconv.FormatInt(ar.ID, 10))
	j := a.withWarnings(ar)
	writeJSON(w, http.StatusCreated, j)
	return nil
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ar, err := a.desk.Article(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.withWarnings(ar))
	return nil
}

type listResponse struct {
	Articles   []articleJSON `json:"articles"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

func (a *API) listArticles(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	q := r.URL.Query()
	f := kolokol.ArticleFilter{Service: q.Get("service"), Status: kolokol.Status(q.Get("status")), Limit: 50}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return kolokol.FieldErrorf(kolokol.EINVALID, "limit", "limit must be a number from 1 to 200")
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return kolokol.FieldErrorf(kolokol.EINVALID, "cursor", "cursor must be a value from next_cursor")
		}
		f.Before = n
	}
	list, err := a.desk.Articles(r.Context(), actor, f)
	if err != nil {
		return err
	}
	resp := listResponse{Articles: []articleJSON{}}
	for _, ar := range list {
		resp.Articles = append(resp.Articles, a.articleJSON(ar))
	}
	if len(list) == f.Limit {
		resp.NextCursor = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// patchArticleRequest uses pointers so that absent fields stay as they are;
// lead_image is raw so that an explicit null can remove the image.
type patchArticleRequest struct {
	Version   int             `json:"version"`
	Section   *string         `json:"section"`
	Headline  *string         `json:"headline"`
	Summary   *string         `json:"summary"`
	Body      *string         `json:"body"`
	Bylines   *[]string       `json:"bylines"`
	Dateline  *string         `json:"dateline"`
	Tags      *[]string       `json:"tags"`
	Credits   *[]string       `json:"credits"`
	Group     *string         `json:"translation_group"`
	LeadImage json.RawMessage `json:"lead_image"`
	// Slug: "" makes the slug follow the headline again.
	Slug        *string `json:"slug"`
	SEOTitle    *string `json:"seo_title"`
	SocialTitle *string `json:"social_title"`
	SocialDesc  *string `json:"social_description"`
}

func (a *API) patchArticle(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req patchArticleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p := desk.ArticlePatch{
		Version: req.Version, Section: req.Section, Headline: req.Headline, Summary: req.Summary,
		Body: req.Body, Bylines: req.Bylines, Dateline: req.Dateline, Tags: req.Tags, Credits: req.Credits,
		TranslationGroup: req.Group, Slug: req.Slug, SEOTitle: req.SEOTitle, SocialTitle: req.SocialTitle,
		SocialDescription: req.SocialDesc,
	}
	if req.LeadImage != nil {
		var li *leadImageJSON
		if err := strictUnmarshal(req.LeadImage, &li); err != nil {
			return err
		}
		img := li.domain()
		p.LeadImage = &img
	}
	ar, err := a.desk.UpdateArticle(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	j := a.withWarnings(ar)
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (a *API) publish(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	return a.transition(w, r, actor, a.desk.Publish)
}

func (a *API) submit(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	return a.transition(w, r, actor, a.desk.Submit)
}

func (a *API) unpublish(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	return a.transition(w, r, actor, a.desk.Unpublish)
}

func (a *API) transition(w http.ResponseWriter, r *http.Request, actor kolokol.Actor, op func(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.Article, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ar, err := op(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.withWarnings(ar))
	return nil
}

type scheduleRequest struct {
	At string `json:"at"`
}

func (a *API) schedule(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req scheduleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	at, err := parseTime("at", req.At)
	if err != nil {
		return err
	} else if at.IsZero() {
		return kolokol.FieldErrorf(kolokol.EINVALID, "at", "at is required: the RFC 3339 time to publish at")
	}
	ar, err := a.desk.Schedule(r.Context(), actor, id, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.withWarnings(ar))
	return nil
}

type correctionRequest struct {
	Text string `json:"text"`
}

func (a *API) correct(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req correctionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ar, err := a.desk.AddCorrection(r.Context(), actor, id, req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a.withWarnings(ar))
	return nil
}
