package desk

import (
	"context"
	"fmt"
	"io"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
)

// UploadMedia checks an image, makes its master and renditions (crops
// centred until an editor sets a focal point) and stores them. The upload
// itself is never stored, nor its hash: it may carry the photographer's
// position, camera serial or name in its metadata, and the master and
// renditions are encoded afresh from its pixels. What the metadata says in
// words meant for publication (IPTC/XMP caption, credit, creator) is
// returned as suggestions for the form and kept nowhere.
//
// Files are written before the row, so a row never points at a missing
// file; a failure or crash between the two leaves only unreferenced files.
// An upload whose master is already stored returns that media, with its
// focal point and renditions as they are.
func (d *Desk) UploadMedia(ctx context.Context, actor kolokol.Actor, data []byte) (m *kolokol.Media, sug media.Suggestions, err error) {
	defer func() {
		var id string
		if m != nil {
			id = fmt.Sprintf("media %d", m.ID)
		}
		d.record(ctx, actor, "media.upload", "", 0, id, err)
	}()
	if actor.Name == "" {
		return nil, media.Suggestions{}, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to upload")
	}
	res, err := d.images.Process(ctx, data, media.Centre)
	if err != nil {
		return nil, media.Suggestions{}, err
	}
	m, err = mediaOf(res)
	if err != nil {
		return nil, media.Suggestions{}, err
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

// Media returns one media with its renditions. Media belong to no service:
// anyone signed in may see them.
func (d *Desk) Media(ctx context.Context, actor kolokol.Actor, id int64) (*kolokol.Media, error) {
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to see media")
	}
	return d.store.FindMediaByID(ctx, id)
}

// SetFocalPoint moves the point crops keep in view and makes the
// renditions again from the stored master. It is for editors, since the
// new crops go straight to readers, and only for those who may edit every
// story that shows the picture. Pages of those stories are re-rendered
// before it returns.
func (d *Desk) SetFocalPoint(ctx context.Context, actor kolokol.Actor, id int64, x, y float64) (m *kolokol.Media, err error) {
	defer func() { d.record(ctx, actor, "media.focal", "", 0, fmt.Sprintf("media %d", id), err) }()
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to crop pictures")
	}
	if !actor.CanPublish() {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "a %s cannot change the crops readers see; ask an editor", actor.Role)
	}
	if !(x >= 0 && x <= 1) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "x", "x must be from 0 (left edge) to 1 (right edge), got %g", x)
	}
	if !(y >= 0 && y <= 1) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "y", "y must be from 0 (top edge) to 1 (bottom edge), got %g", y)
	}
	m, err = d.store.FindMediaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	using, err := d.storiesShowing(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range using {
		if !actor.CanTouch(a.Service) {
			return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "media %d is the lead image of a story of service %q, which %s may not edit", id, a.Service, actor.Name)
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
	// Listed again after the update: a story that took the picture while
	// the crops were made rendered the old ones and must render again.
	if using, err = d.storiesShowing(ctx, id); err != nil {
		return nil, err
	}
	for _, a := range using {
		d.changed(ctx, kolokol.Change{Kind: kolokol.ChangeArticle, Service: a.Service, ArticleID: a.ID, Listed: a.IsLive()})
	}
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

// storiesShowing lists every story whose lead image is the media, paging
// through them by id.
func (d *Desk) storiesShowing(ctx context.Context, mediaID int64) ([]*kolokol.Article, error) {
	var out []*kolokol.Article
	f := kolokol.ArticleFilter{LeadMediaID: mediaID, Limit: 500}
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
