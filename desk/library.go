package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/kolokol/kolokol"
)

// LibraryPageSize is how many media one page of a library lists.
const LibraryPageSize = 50

// Library is one page of a service's media library.
type Library struct {
	Service string
	Query   string
	Media   []*kolokol.Media
	// Total counts every media that matches; Page is 1-based.
	Total, Page int
}

// Pages is how many pages the library's matches fill (1 when none do).
func (l *Library) Pages() int {
	return max(1, (l.Total+LibraryPageSize-1)/LibraryPageSize)
}

// First and Last are the 1-based positions of the page's first and last
// media among all matches ("1–50 of 123"); both 0 when none match.
func (l *Library) First() int {
	if len(l.Media) == 0 {
		return 0
	}
	return (l.Page-1)*LibraryPageSize + 1
}

// Last: see First.
func (l *Library) Last() int { return (l.Page-1)*LibraryPageSize + len(l.Media) }

// MediaLibrary returns a page of a service's media library: the media the
// service uploaded or was given, and those its stories show (see
// mediaVisible), newest first, those whose name, alt text, caption or
// credit contain query, in any case. The actor must work on the service
// (a global admin works on all). page counts from 1.
func (d *Desk) MediaLibrary(ctx context.Context, actor kolokol.Actor, service, query string, page int) (*Library, error) {
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to see the media library")
	}
	if page < 1 || page > 100000 {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "page", "page %d does not exist; pages count from 1", page)
	}
	if err := canTouch(actor, service); err != nil {
		return nil, err
	}
	if _, err := d.store.FindServiceByCode(ctx, service); err != nil {
		return nil, fmt.Errorf("media library of %s: %w", service, err)
	}
	list, total, err := d.store.FindMedia(ctx, kolokol.MediaFilter{Service: service, Query: query,
		Limit: LibraryPageSize, Offset: (page - 1) * LibraryPageSize})
	if err != nil {
		return nil, fmt.Errorf("media library of %s: %w", service, err)
	}
	return &Library{Service: service, Query: query, Media: list, Total: total, Page: page}, nil
}

// UpdateMediaText sets a media's library defaults: the alt text, caption
// and credit a story that takes the photo starts with. Stories that took
// it already keep their own. Anyone who may see the media may describe
// it (see mediaVisible); one they may not see is answered as missing.
// Each is trimmed and must be one line; the edit is audited as media.edit
// with the fields it changed.
func (d *Desk) UpdateMediaText(ctx context.Context, actor kolokol.Actor, id int64, alt, caption, credit string) (m *kolokol.Media, err error) {
	var changed []string
	defer func() {
		if err == nil && len(changed) == 0 {
			return // nothing done, nothing to tell
		}
		detail := fmt.Sprintf("media %d", id)
		if len(changed) > 0 {
			detail += ": " + strings.Join(changed, ", ")
		}
		service := ""
		if m != nil && len(m.Services) > 0 {
			service = m.Services[0]
		}
		d.record(ctx, actor, "media.edit", service, 0, detail, err)
	}()
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to describe pictures")
	}
	m, err = d.mediaFor(ctx, actor, id, kolokol.AuditEntry{Action: "media.edit"})
	if err != nil {
		return nil, err
	}
	next := kolokol.Media{Alt: strings.TrimSpace(alt), Caption: strings.TrimSpace(caption), Credit: strings.TrimSpace(credit)}
	if err := next.ValidateText(); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name     string
		was, now string
	}{{"alt", m.Alt, next.Alt}, {"caption", m.Caption, next.Caption}, {"credit", m.Credit, next.Credit}} {
		if f.was != f.now {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return m, nil
	}
	if err := d.store.UpdateMediaText(ctx, id, next.Alt, next.Caption, next.Credit); err != nil {
		changed = nil
		return nil, fmt.Errorf("describe media %d: %w", id, err)
	}
	m.Alt, m.Caption, m.Credit = next.Alt, next.Caption, next.Credit
	return m, nil
}

// StoriesShowing lists the stories whose lead image is media id, for one
// who may see the media: the stories of other services are left out, as
// they are for every list of stories.
func (d *Desk) StoriesShowing(ctx context.Context, actor kolokol.Actor, id int64) ([]*kolokol.Article, error) {
	if _, err := d.Media(ctx, actor, id); err != nil {
		return nil, err
	}
	all, err := d.storiesShowing(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*kolokol.Article
	for _, a := range all {
		if actor.CanTouch(a.Service) {
			out = append(out, a)
		}
	}
	return out, nil
}
