package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

type revisionJSON struct {
	ID        int64          `json:"id"`
	Version   int            `json:"version"`
	Actor     string         `json:"actor"`
	CreatedAt time.Time      `json:"created_at"`
	Status    kolokol.Status `json:"status"`
	Headline  string         `json:"headline"`
	Summary   string         `json:"summary,omitempty"`
	Body      string         `json:"body,omitempty"`
	Section   string         `json:"section,omitempty"`
	Dateline  string         `json:"dateline,omitempty"`
	Bylines   []string       `json:"bylines,omitempty"`
	Tags      []string       `json:"tags,omitempty"`
	Credits   []string       `json:"credits,omitempty"`
	LeadImage *leadImageJSON `json:"lead_image,omitempty"`
	// CustomSlug is the slug an editor set ("" followed the headline).
	CustomSlug  string           `json:"custom_slug,omitempty"`
	SEOTitle    string           `json:"seo_title,omitempty"`
	SocialTitle string           `json:"social_title,omitempty"`
	SocialDesc  string           `json:"social_description,omitempty"`
	Against     *int64           `json:"against,omitempty"`
	Diff        []desk.FieldDiff `json:"diff,omitempty"`
}

func revisionOut(r *kolokol.Revision, full bool) revisionJSON {
	j := revisionJSON{ID: r.ID, Version: r.Version, Actor: r.Actor, CreatedAt: r.CreatedAt, Status: r.Status, Headline: r.Headline}
	if full {
		j.Summary, j.Body, j.Section, j.Dateline = r.Summary, r.Body, r.Section, r.Dateline
		j.Bylines, j.Tags, j.Credits = r.Bylines, r.Tags, r.Credits
		j.CustomSlug, j.SEOTitle, j.SocialTitle, j.SocialDesc = r.CustomSlug, r.SEOTitle, r.SocialTitle, r.SocialDescription
		if li := r.LeadImage; li != nil {
			j.LeadImage = &leadImageJSON{MediaID: li.MediaID, Alt: li.Alt, Caption: li.Caption, Credit: li.Credit}
		}
	}
	return j
}

func (a *API) listRevisions(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	revs, err := a.desk.Revisions(r.Context(), actor, id)
	if err != nil {
		return err
	}
	out := []revisionJSON{}
	for _, rev := range revs {
		out = append(out, revisionOut(rev, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": out})
	return nil
}

// getRevision returns a revision with its diff against another (?against=,
// by default the one before it).
func (a *API) getRevision(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	revID, err := pathRev(r)
	if err != nil {
		return err
	}
	rev, err := a.desk.Revision(r.Context(), actor, id, revID)
	if err != nil {
		return err
	}
	var base *kolokol.Revision
	if v := r.URL.Query().Get("against"); v != "" {
		other, err := strconv.ParseInt(v, 10, 64)
		if err != nil || other <= 0 {
			return kolokol.FieldErrorf(kolokol.EINVALID, "against", "against must be a revision id")
		}
		if base, err = a.desk.Revision(r.Context(), actor, id, other); err != nil {
			return err
		}
	} else {
		revs, err := a.desk.Revisions(r.Context(), actor, id)
		if err != nil {
			return err
		}
		for _, p := range revs { // newest first: the first older one
			if p.Version < rev.Version {
				base = p
				break
			}
		}
	}
	out := revisionOut(rev, true)
	if base != nil {
		out.Against = &base.ID
		out.Diff = desk.Diff(base, rev)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type restoreRequest struct {
	Version int `json:"version"`
}

func (a *API) restoreRevision(w http.ResponseWriter, r *http.Request, actor kolokol.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	revID, err := pathRev(r)
	if err != nil {
		return err
	}
	var req restoreRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ar, err := a.desk.Restore(r.Context(), actor, id, revID, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.withWarnings(ar))
	return nil
}

func pathRev(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kolokol.Errorf(kolokol.ENOTFOUND, "no revision %q", r.PathValue("rev"))
	}
	return id, nil
}
