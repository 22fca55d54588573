package desk

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
)

// UploadMedia checks an image, makes its master and renditions (crops
// centred until an editor sets a focal point) and stores them. The upload
// itself is never stored, nor its hash: it may carry the photographer's
// position, camera serial or name in its metadata, and the master and
// renditions are encoded afresh from its pixels. What the metadata says in
// words meant for publication (IPTC/XMP caption, credit, creator) is
// returned as suggestions, and a new media keeps the caption and credit
// as its library defaults (see UploadMediaFile).
//
// Files are written before the row, so a row never points at a missing
// file; a failure or crash between the two leaves only unreferenced files.
// An upload whose master is already stored returns that media, with its
// focal point and renditions as they are, and adds the service to it.
//
// The picture is uploaded for a service, which the actor must work on: the
// media belongs to it (see Media). An actor of exactly one service may
// leave it out.
func (d *Desk) UploadMedia(ctx context.Context, actor kolokol.Actor, service string, data []byte) (m *kolokol.Media, sug media.Suggestions, err error) {
	return d.UploadMediaFile(ctx, actor, service, "", data)
}

// UploadMediaFile is UploadMedia of a file with a name, which the media
// keeps, cleaned (see kolokol.MediaName), to be found by in the library.
// A new media's caption and credit start as the picture's metadata
// suggests, made single lines; its uploader is the actor. A picture
// already stored keeps its name and texts.
func (d *Desk) UploadMediaFile(ctx context.Context, actor kolokol.Actor, service, filename string, data []byte) (m *kolokol.Media, sug media.Suggestions, err error) {
	if service == "" && len(actor.Services) == 1 {
		service = actor.Services[0]
	}
	defer func() {
		var id string
		if m != nil {
			id = fmt.Sprintf("media %d", m.ID)
		}
		d.record(ctx, actor, "media.upload", service, 0, id, err)
	}()
	if actor.Name == "" {
		return nil, media.Suggestions{}, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to upload")
	}
	if service == "" {
		return nil, media.Suggestions{}, kolokol.FieldErrorf(kolokol.EINVALID, "service", "name the service the picture is for")
	}
	// Checked before the picture is: processing it is the expensive part.
	if err := canTouch(actor, service); err != nil {
		return nil, media.Suggestions{}, err
	}
	if _, err := d.store.FindServiceByCode(ctx, service); kolokol.IsNotFound(err) {
		return nil, media.Suggestions{}, kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", service)
	} else if err != nil {
		return nil, media.Suggestions{}, fmt.Errorf("upload media for %s: %w", service, err)
	}
	res, err := d.images.Process(ctx, data, media.Centre)
	if err != nil {
		return nil, media.Suggestions{}, err
	}
	m, err = mediaOf(res)
	if err != nil {
		return nil, media.Suggestions{}, err
	}
	m.Services = []string{service}
	m.Name, m.UploadedBy = kolokol.MediaName(filename), actor.Name
	m.Caption = suggestion(res.Suggestions.Caption)
	if m.Credit = suggestion(res.Suggestions.Credit); m.Credit == "" {
		m.Credit = suggestion(res.Suggestions.Creator)
	}
	if err := media.Store(ctx, d.blobs, res); err != nil {
		return nil, media.Suggestions{}, fmt.Errorf("upload media: %w", err)
	}
	if err := d.store.CreateMedia(ctx, m); err != nil {
		return nil, media.Suggestions{}, fmt.Errorf("upload media: %w", err)
	}
	return m, res.Suggestions, nil
}

// mediaOf is the row that describes a processed upload: its master, focal
// point and renditions.
func mediaOf(res *media.Result) (*kolokol.Media, error) {
	master := res.Master
	m := &kolokol.Media{
		ContentType: master.ContentType(), Size: int64(len(master.Data)),
		Width: master.Width, Height: master.Height,
		FocalX: res.Focal.X, FocalY: res.Focal.Y, Renditions: renditions(res),
	}
	if len(master.Key) > 64 {
		m.Hash = master.Key[:64]
	}
	if m.ContentType != "image/jpeg" || media.Key(m) != master.Key {
		return nil, fmt.Errorf("media master %q is not a content-addressed JPEG", master.Key)
	}
	return m, nil
}

func renditions(res *media.Result) []kolokol.Rendition {
	out := make([]kolokol.Rendition, 0, len(res.Renditions))
	for _, r := range res.Renditions {
		out = append(out, kolokol.Rendition{Key: r.Key, Ratio: r.Ratio, Format: r.Format,
			Width: r.Width, Height: r.Height, Size: int64(len(r.Data))})
	}
	return out
}

// Media returns one media with its renditions, if actor may see it (see
// mediaVisible); one they may not see is answered as one that does not
// exist, and the attempt is audited as media.view.denied.
func (d *Desk) Media(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.Media, error) {
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to see media")
	}
	return d.mediaFor(ctx, actor, id, kolokol.AuditEntry{Action: "media.view"})
}

// mediaVisible reports whether actor may see a media, given the services
// that uploaded it and those whose stories show it (lead image or body):
// they must work on one of them. Media of a service are as private as its
// drafts: an unpublished photo can say what a story will say, or who is in
// it. A global admin sees every media, those of no service too.
func mediaVisible(actor kolokol.Actor, uploaded, showing []string) bool {
	if actor.Global() {
		return true
	}
	return slices.ContainsFunc(uploaded, actor.CanTouch) || slices.ContainsFunc(showing, actor.CanTouch)
}

// mediaFor returns media id if actor may see it. A media they may not see
// is answered as the store answers for one that does not exist (ENOTFOUND),
// so that ids cannot be probed, and the attempt is recorded as e.Action
// followed by .denied (with the reason), under the media's service when e
// names none.
func (d *Desk) mediaFor(ctx context.Context, actor kolokol.Actor, id int64, e kolokol.AuditEntry) (*kolokol.Media, error) {
	m, err := d.store.FindMediaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if mediaVisible(actor, m.Services, nil) {
		return m, nil
	}
	using, err := d.storiesShowing(ctx, id)
	if err != nil {
		return nil, err
	}
	var showing []string
	for _, a := range using {
		if !slices.Contains(showing, a.Service) {
			showing = append(showing, a.Service)
		}
	}
	if mediaVisible(actor, m.Services, showing) {
		return m, nil
	}
	owners := append(slices.Clone(m.Services), showing...)
	reason := kolokol.Errorf(kolokol.EFORBIDDEN, "media %d belongs to no service; only a global admin may use it", id)
	if len(owners) > 0 {
		reason = kolokol.Errorf(kolokol.EFORBIDDEN, "media %d is of services %v, none of which %s works on", id, owners, actor.Name)
		if e.Service == "" {
			e.Service = owners[0]
		}
	}
	d.write(ctx, actor, e, reason)
	return nil, kolokol.Errorf(kolokol.ENOTFOUND, "there is no media %d", id)
}

// checkLeadImage refuses a lead image the actor may not see, as if the
// media did not exist: otherwise anyone could put another service's
// embargoed photo in a story and read it in the preview or on the site.
// kept are media the story may keep whoever edits it: the one it shows,
// and the one of the revision being restored. The attempt is recorded as
// action.denied, under the story's service.
func (d *Desk) checkLeadImage(ctx context.Context, actor kolokol.Actor, action string, a *kolokol.Article, kept ...int64) error {
	if a.LeadImage == nil || slices.Contains(kept, a.LeadImage.MediaID) {
		return nil
	}
	id := a.LeadImage.MediaID
	_, err := d.mediaFor(ctx, actor, id, kolokol.AuditEntry{Action: action, Service: a.Service, ArticleID: a.ID})
	if kolokol.IsNotFound(err) {
		return kolokol.FieldErrorf(kolokol.EINVALID, "lead_image.media_id", "there is no media %d", id)
	}
	return err
}

// checkBodyMedia refuses, as checkLeadImage does a lead image, a block of
// the body showing a media the actor may not see, as if the media did not
// exist, naming the block. kept are media the story may keep whoever
// edits it: those it shows, and those of the revision being restored.
func (d *Desk) checkBodyMedia(ctx context.Context, actor kolokol.Actor, action string, a *kolokol.Article, kept ...int64) error {
	for _, f := range kolokol.FindBlocks(a.Body) {
		if f.Err != nil {
			continue // Validate refused it already
		}
		for _, id := range f.Block.Media() {
			if slices.Contains(kept, id) {
				continue
			}
			_, err := d.mediaFor(ctx, actor, id, kolokol.AuditEntry{Action: action, Service: a.Service, ArticleID: a.ID})
			if kolokol.IsNotFound(err) {
				return kolokol.FieldErrorf(kolokol.EINVALID, "body", "block %d of the body (%s): there is no media %d", f.N, f.Kind, id)
			} else if err != nil {
				return err
			}
			kept = append(kept, id) // checked once however often it is shown
		}
	}
	return nil
}

// CheckBodyMedia refuses, for a preview of unsaved text, a block showing a
// media the actor may not see, as every save does: the preview would
// show it. stored is the story as saved, whose pictures the actor may
// keep; nil for a new one.
func (d *Desk) CheckBodyMedia(ctx context.Context, actor kolokol.Actor, a, stored *kolokol.Article) error {
	var kept []int64
	if stored != nil {
		kept = shownMedia(stored)
	}
	return d.checkBodyMedia(ctx, actor, "article.preview", a, kept...)
}

// shownMedia lists the media a story shows: its lead image and those of
// its body's blocks.
func shownMedia(a *kolokol.Article) []int64 {
	ids := kolokol.BodyMedia(a.Body)
	if a.LeadImage != nil {
		ids = append(ids, a.LeadImage.MediaID)
	}
	return ids
}

// SetFocalPoint moves the point crops keep in view and makes the
// renditions again from the stored master. It is for editors, since the
// new crops go straight to readers, and only for those who may see the
// picture and edit every story that shows it. Pages of those stories are re-rendered
// before it returns.
func (d *Desk) SetFocalPoint(ctx context.Context, actor kolokol.Actor, id int64, x, y float64) (m *kolokol.Media, err error) {
	defer func() { d.record(ctx, actor, "media.focal", "", 0, fmt.Sprintf("media %d", id), err) }()
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to crop pictures")
	}
	if !slices.ContainsFunc(actor.Services, actor.CanPublish) && !actor.Global() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "a reporter cannot change the crops readers see; ask an editor")
	}
	if !(x >= 0 && x <= 1) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "x", "x must be from 0 (left edge) to 1 (right edge), got %g", x)
	}
	if !(y >= 0 && y <= 1) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "y", "y must be from 0 (top edge) to 1 (bottom edge), got %g", y)
	}
	m, err = d.mediaFor(ctx, actor, id, kolokol.AuditEntry{Action: "media.focal"})
	if err != nil {
		return nil, err
	}
	using, err := d.storiesShowing(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range using {
		if !actor.CanPublish(a.Service) {
			return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "media %d is the lead image of a story of service %q, where %s is not an editor", id, a.Service, actor.Name)
		}
	}
	if len(m.Renditions) == 0 {
		return nil, kolokol.Errorf(kolokol.EINVALID, "media %d was stored before crops were made on upload and has no master to crop from: upload the picture again", id)
	}
	if m.FocalX == x && m.FocalY == y {
		return m, nil
	}
	master, err := d.readMaster(ctx, m)
	if err != nil {
		return nil, err
	}
	res, err := d.images.Rerender(ctx, master, media.FocalPoint{X: x, Y: y})
	if err != nil {
		return nil, fmt.Errorf("crop media %d: %w", id, err)
	}
	if res.Master.Key != media.Key(m) {
		return nil, fmt.Errorf("crop media %d: the stored master does not match its name %s", id, media.Key(m))
	}
	if err := media.Store(ctx, d.blobs, res); err != nil {
		return nil, fmt.Errorf("crop media %d: %w", id, err)
	}
	if err := d.store.UpdateMediaFocal(ctx, id, x, y, renditions(res)); err != nil {
		return nil, fmt.Errorf("crop media %d: %w", id, err)
	}
	// The change log names the picture: every page showing it renders
	// again, the pages of stories that took it while the crops were made
	// included.
	d.changed(ctx)
	return d.store.FindMediaByID(ctx, id)
}

// readMaster reads a media's master.
func (d *Desk) readMaster(ctx context.Context, m *kolokol.Media) ([]byte, error) {
	key := media.Key(m)
	f, err := d.blobs.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("open master of media %d: %w", m.ID, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, media.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read master of media %d: %w", m.ID, err)
	}
	return data, nil
}

// storiesShowing lists every story that shows the media, as its lead
// image or in its body, paging through them by id.
func (d *Desk) storiesShowing(ctx context.Context, mediaID int64) ([]*kolokol.Article, error) {
	var out []*kolokol.Article
	f := kolokol.ArticleFilter{ShowsMediaID: mediaID, Limit: 500}
	for {
		list, err := d.store.FindArticles(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("find stories showing media %d: %w", mediaID, err)
		}
		if len(list) == 0 {
			return out, nil
		}
		out = append(out, list...)
		f.Before = list[len(list)-1].ID
	}
}

// suggestion makes a metadata suggestion a library default: one line
// (runs of space, line breaks and tabs are one space), without control or
// bidirectional control characters, cut to the length a default may have.
// The metadata is the photographer's, not ours: it may hold anything.
func suggestion(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > kolokol.MaxSummary {
		s = strings.TrimSpace(string(r[:kolokol.MaxSummary]))
	}
	return s
}
