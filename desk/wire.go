package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/wire"
)

// IngestResult is what became of one file of agency copy.
type IngestResult struct {
	Name string // the file's name, as given
	// Items are those stored new or as a newer version; Unchanged counts
	// those already stored at this version.
	Items     []*kolokol.WireItem
	Unchanged int
	// Skipped names items the queue does not keep (video, audio,
	// graphics, a package's references to items sent apart), by guid.
	Skipped []string
	Err     error // the file was refused whole: nothing of it is stored
}

// Beside returns the bytes of a file an item refers to by href (a picture's
// rendition), or an error when there is none it may read. Ingest never
// fetches from the network: a picture whose file did not come with the
// item stays without one.
type Beside func(href string) ([]byte, error)

// Ingest reads one file of agency copy into the service's wire queue.
// Anyone who works on the service may (agencies and scripts push with a
// reporter's token). A file that cannot be read, or any of whose items is
// unacceptable, is refused whole; the pictures of the others go through
// the media pipeline before the items are stored, in one transaction.
func (d *Desk) Ingest(ctx context.Context, actor kolokol.Actor, service, name string, data []byte, beside Beside) (res IngestResult) {
	res.Name = name
	defer func() {
		d.record(ctx, actor, "wire.ingest", service, 0, fmt.Sprintf("%s: %d stored, %d unchanged", name, len(res.Items), res.Unchanged), res.Err)
	}()
	if err := canTouch(actor, service); err != nil {
		res.Err = err
		return res
	}
	if _, err := d.store.FindServiceByCode(ctx, service); err != nil {
		res.Err = err
		return res
	}
	items, err := wire.Parse(data)
	if err != nil {
		res.Err = kolokol.Errorf(kolokol.EINVALID, "%s: %v", name, err)
		return res
	}
	var keep []*kolokol.WireItem
	var pictures []*wire.Picture
	for i := range items {
		it := &items[i]
		// A package's reference to an item sent elsewhere has no text
		// to work from: the item itself will come, or it will not.
		if it.Type != "text" && it.Type != "picture" || it.Reference {
			res.Skipped = append(res.Skipped, it.GUID)
			continue
		}
		w := wireItemOf(service, it)
		if err := w.Validate(); err != nil {
			res.Err = fmt.Errorf("%s: item %q: %w", name, it.GUID, err)
			return res
		}
		keep = append(keep, w)
		var p *wire.Picture
		if len(it.Pictures) > 0 {
			p = &it.Pictures[0]
			w.MediaCaption, w.MediaCredit, w.MediaAlt = p.Caption, p.Credit, p.Alt
		}
		pictures = append(pictures, p)
	}
	for i, w := range keep {
		if pictures[i] == nil || beside == nil {
			continue
		}
		if w.MediaID, err = d.wirePicture(ctx, actor, service, pictures[i], beside); err != nil {
			res.Err = fmt.Errorf("%s: the picture of item %q: %w", name, w.GUID, err)
			return res
		}
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		for _, w := range keep {
			changed, err := tx.SaveWireItem(ctx, w)
			if err != nil {
				return fmt.Errorf("item %q: %w", w.GUID, err)
			}
			if changed {
				res.Items = append(res.Items, w)
			} else {
				res.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		res.Items, res.Unchanged, res.Err = nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	return res
}

// wirePicture puts the first rendition of p that came with the item
// through the media pipeline; 0 when none did.
func (d *Desk) wirePicture(ctx context.Context, actor kolokol.Actor, service string, p *wire.Picture, beside Beside) (int64, error) {
	for _, r := range p.Renditions {
		data, err := beside(r.Href)
		if err != nil {
			continue // not here: another rendition may be
		}
		m, _, err := d.UploadMedia(ctx, actor, service, data)
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	}
	return 0, nil
}

func wireItemOf(service string, it *wire.Item) *kolokol.WireItem {
	return &kolokol.WireItem{Service: service, Provider: it.Provider, GUID: it.GUID, Version: it.Version, Type: it.Type,
		Language: it.Language, Headline: it.Headline, Summary: it.Summary, Body: it.Body, Bylines: it.Bylines,
		Dateline: it.Dateline, Subjects: it.Subjects, Urgency: it.Urgency, Embargo: it.Embargo.UTC(), Sent: it.Sent.UTC(), Source: it.Source}
}

// WireQueue lists a service's queue for someone who works on it.
func (d *Desk) WireQueue(ctx context.Context, actor kolokol.Actor, f kolokol.WireFilter) ([]*kolokol.WireItem, error) {
	if err := canTouch(actor, f.Service); err != nil {
		return nil, err
	}
	return d.store.FindWireItems(ctx, f)
}

// WireItem returns one item of a service the actor works on.
func (d *Desk) WireItem(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.WireItem, error) {
	w, err := d.store.FindWireItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if canTouch(actor, w.Service) != nil {
		return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no wire item %d", id)
	}
	return w, nil
}

// OpenWireItem makes a text item a draft of the actor's: its headline,
// summary, body, bylines, dateline and subjects (as tags), the provider in
// the wire credits, its picture as the lead photo with the item's caption,
// credit and alt text. The item is marked used, and keeps what the story
// was opened from; a story opened twice is the same story.
func (d *Desk) OpenWireItem(ctx context.Context, actor kolokol.Actor, id int64) (a *kolokol.Article, err error) {
	w, err := d.WireItem(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if w.Type != "text" {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "type", "wire item %d is a picture: it is in the media library, not a story", id)
	}
	if w.ArticleID != 0 {
		if a, err := d.Article(ctx, actor, w.ArticleID); err == nil {
			return a, nil
		}
	}
	in := ArticleInput{Service: w.Service, Headline: w.Headline, Summary: w.Summary, Body: w.Body, Bylines: w.Bylines,
		Dateline: w.Dateline, Tags: w.Subjects, Credits: []string{w.Provider}}
	if w.MediaID != 0 {
		in.LeadImage = &kolokol.LeadImage{MediaID: w.MediaID, Alt: w.MediaAlt, Caption: w.MediaCaption, Credit: w.MediaCredit}
		if strings.TrimSpace(in.LeadImage.Alt) == "" {
			in.LeadImage.Alt = w.MediaCaption
		}
	}
	a, err = d.CreateArticle(ctx, actor, in)
	if err != nil {
		return nil, fmt.Errorf("open wire item %d: %w", id, err)
	}
	w.Status, w.ArticleID, w.UsedVersion, w.UsedHeadline, w.UsedBody = kolokol.WireUsed, a.ID, w.Version, w.Headline, w.Body
	if err := d.store.SetWireStatus(ctx, w); err != nil {
		return nil, fmt.Errorf("open wire item %d: %w", id, err)
	}
	return a, nil
}

// DismissWireItem sets an item aside; its next version brings it back.
func (d *Desk) DismissWireItem(ctx context.Context, actor kolokol.Actor, id int64) (err error) {
	w, err := d.WireItem(ctx, actor, id)
	if err != nil {
		return err
	}
	if w.Status == kolokol.WireUsed {
		return kolokol.FieldErrorf(kolokol.ECONFLICT, "status", "wire item %d is already a story", id)
	}
	w.Status = kolokol.WireDismissed
	return d.store.SetWireStatus(ctx, w)
}

// WireSource returns the item a story was opened from, nil when it was
// not.
func (d *Desk) WireSource(ctx context.Context, articleID int64) (*kolokol.WireItem, error) {
	w, err := d.store.FindWireItemByArticle(ctx, articleID)
	if kolokol.IsNotFound(err) {
		return nil, nil
	}
	return w, err
}

// checkEmbargo refuses to publish story id at t before the embargo of the
// agency copy it was opened from: publishing, scheduling and the scheduler
// all come through here, so no path publishes early.
func (d *Desk) checkEmbargo(ctx context.Context, id int64, t time.Time) error {
	w, err := d.WireSource(ctx, id)
	if err != nil {
		return fmt.Errorf("the embargo of story %d: %w", id, err)
	}
	if w != nil && w.Embargoed(t) {
		return kolokol.FieldErrorf(kolokol.ECONFLICT, "embargo", "the agency copy of this story (%s, %s) is embargoed until %s",
			w.Provider, w.GUID, w.Embargo.UTC().Format(time.RFC3339))
	}
	return nil
}

// WireUpdate is the difference between the agency copy a story was opened
// from and the newer version the agency sent since, field by field; nil
// when there is none.
func WireUpdate(w *kolokol.WireItem) []FieldDiff {
	if w == nil || !w.UpdateAvailable() {
		return nil
	}
	var out []FieldDiff
	for _, f := range [][3]string{{"headline", w.UsedHeadline, w.Headline}, {"body", w.UsedBody, w.Body}} {
		if f[1] != f[2] {
			out = append(out, FieldDiff{Field: f[0], Ops: diffText(f[1], f[2])})
		}
	}
	return out
}
