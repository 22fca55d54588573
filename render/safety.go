package render

import (
	"context"
	"html/template"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// safetyView is the body of a safety page.
type safetyView struct {
	Body  template.HTML
	Onion string // the service's home at the onion origin, as text to copy
}

// safety renders /{svc}/safety/: how to read the service safely, as its
// newsroom wrote it, and the onion address. Every notice links here.
func (b *Builder) safety(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service) (*Page, error) {
	sections, br, err := b.chrome(ctx, svc)
	if err != nil {
		return nil, err
	}
	from := safetyPath(svc.Code)
	v, err := b.serviceView(ctx, ns, from, svc, sections, "")
	if err != nil {
		return nil, err
	}
	shown, expires := v.setBreaking(br, from, b.now())
	v.Kind, v.Title = "safety", v.L.T(i18n.Safety)+" – "+v.Brand
	v.Canonical = b.absolute(from)
	sv := &safetyView{}
	if sv.Body, err = b.md.render(svc.Safety, relPath(from, "/"), nil); err != nil {
		return nil, err
	}
	if b.opts.Onion != "" {
		sv.Onion = b.opts.Onion + homePath(svc.Code)
	}
	v.Page = sv
	return b.page(v, []string{svcTag(svc.Code)}, latest(svc.UpdatedAt, shown), expires)
}
