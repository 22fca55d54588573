package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/logo"
)

// ServiceSpec is a language service as a configuration file describes it.
type ServiceSpec struct {
	Code        string            `json:"code"`
	Tag         string            `json:"tag"`
	Script      string            `json:"script"`
	Direction   kolokol.Direction `json:"direction"`
	Name        string            `json:"name"`
	EnglishName string            `json:"english_name"`
	// Brand is the masthead's name; "" shows the network's.
	Brand       string `json:"brand"`
	TimeZone    string `json:"time_zone"`
	About       string `json:"about"`
	LegalStatus string `json:"legal_status"`
	// Safety is the "reading safely" page, in Markdown.
	Safety string `json:"safety"`
	// ShowGregorian: see kolokol.Service.
	ShowGregorian bool          `json:"show_gregorian"`
	Sections      []SectionSpec `json:"sections"`
}

// SectionSpec is a section in a ServiceSpec.
type SectionSpec struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func (s ServiceSpec) service() *kolokol.Service {
	return &kolokol.Service{Code: s.Code, Tag: s.Tag, Script: s.Script, Direction: s.Direction, Name: s.Name,
		EnglishName: s.EnglishName, Brand: s.Brand, TimeZone: s.TimeZone, About: s.About, LegalStatus: s.LegalStatus,
		ShowGregorian: s.ShowGregorian, Safety: s.Safety}
}

// ParseServiceSpecs reads a JSON array of services strictly and validates
// every entry, so that an import either has nothing wrong or does not start.
func ParseServiceSpecs(data []byte) ([]ServiceSpec, error) {
	if !utf8.Valid(data) {
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "the services file is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var specs []ServiceSpec
	if err := dec.Decode(&specs); err != nil {
		return nil, kolokol.Errorf(kolokol.EMALFORMED, "the services file is not a JSON array of services: %v", err)
	}
	seen := map[string]bool{}
	for i, s := range specs {
		if err := s.service().Validate(); err != nil {
			return nil, fmt.Errorf("service %d (%q): %w", i+1, s.Code, err)
		}
		if seen[s.Code] {
			return nil, kolokol.Errorf(kolokol.EINVALID, "service %q appears twice", s.Code)
		}
		seen[s.Code] = true
		slugs := map[string]bool{}
		for _, sec := range s.Sections {
			if err := (&kolokol.Section{Service: s.Code, Slug: sec.Slug, Name: sec.Name}).Validate(); err != nil {
				return nil, fmt.Errorf("service %q section %q: %w", s.Code, sec.Slug, err)
			}
			if slugs[sec.Slug] {
				return nil, kolokol.Errorf(kolokol.EINVALID, "service %q has section %q twice", s.Code, sec.Slug)
			}
			slugs[sec.Slug] = true
		}
	}
	return specs, nil
}

// ImportServices creates the services that do not exist and updates those
// that do; sections missing from a service are added (existing ones are
// left as the newsroom edited them). Only admins may import. The import is
// one transaction: a file refused halfway changes nothing.
func (d *Desk) ImportServices(ctx context.Context, actor kolokol.Actor, specs []ServiceSpec) (created, updated int, err error) {
	if !actor.Global() {
		return 0, 0, kolokol.Errorf(kolokol.EFORBIDDEN, "only an admin may import services")
	}
	err = d.store.InTx(ctx, func(tx kolokol.Store) error {
		created, updated = 0, 0
		for _, spec := range specs {
			if err := importService(ctx, tx, spec, &created, &updated); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	d.changed(ctx)
	return created, updated, nil
}

func importService(ctx context.Context, tx kolokol.Store, spec ServiceSpec, created, updated *int) error {
	svc := spec.service()
	switch old, err := tx.FindServiceByCode(ctx, svc.Code); {
	case kolokol.IsNotFound(err):
		if err := tx.CreateService(ctx, svc); err != nil {
			return fmt.Errorf("import service %q: %w", svc.Code, err)
		}
		*created++
	case err != nil:
		return fmt.Errorf("import service %q: %w", svc.Code, err)
	default:
		if svc.Safety == "" { // written in the newsroom; a file without one keeps it
			svc.Safety = old.Safety
		}
		if svc.Brand == "" {
			svc.Brand = old.Brand
		}
		svc.Logo = old.Logo // uploaded in the newsroom; a file has none
		if err := tx.UpdateService(ctx, svc); err != nil {
			return fmt.Errorf("import service %q: %w", svc.Code, err)
		}
		*updated++
	}
	existing, err := tx.FindSections(ctx, svc.Code)
	if err != nil {
		return fmt.Errorf("import service %q: %w", svc.Code, err)
	}
	have := map[string]bool{}
	for _, s := range existing {
		have[s.Slug] = true
	}
	for i, sec := range spec.Sections {
		if have[sec.Slug] {
			continue
		}
		if err := tx.CreateSection(ctx, &kolokol.Section{Service: svc.Code, Slug: sec.Slug, Name: sec.Name, Position: i}); err != nil {
			return fmt.Errorf("import section %s/%s: %w", svc.Code, sec.Slug, err)
		}
	}
	return nil
}

// ServicePatch changes some settings of a service; nil fields stay.
type ServicePatch struct {
	Tag           *string
	Script        *string
	Direction     *kolokol.Direction
	Name          *string
	EnglishName   *string
	Brand         *string
	TimeZone      *string
	About         *string
	LegalStatus   *string
	ShowGregorian *bool
	Safety        *string
	LatinSlugs    *bool
}

// UpdateService edits a service's settings. Admins only: the settings shape
// every page of the service.
func (d *Desk) UpdateService(ctx context.Context, actor kolokol.Actor, code string, p ServicePatch) (svc *kolokol.Service, err error) {
	var detail string
	defer func() { d.record(ctx, actor, "service.update", code, 0, detail, err) }()
	if !actor.AdminOf(code) {
		return nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only an admin may change the settings of %q", code)
	}
	svc, err = d.store.FindServiceByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	before := *svc
	for _, f := range []struct {
		dst *string
		src *string
	}{{&svc.Tag, p.Tag}, {&svc.Script, p.Script}, {&svc.Name, p.Name}, {&svc.EnglishName, p.EnglishName}, {&svc.Brand, p.Brand},
		{&svc.TimeZone, p.TimeZone}, {&svc.About, p.About}, {&svc.LegalStatus, p.LegalStatus}, {&svc.Safety, p.Safety}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if p.Direction != nil {
		svc.Direction = *p.Direction
	}
	if p.ShowGregorian != nil {
		svc.ShowGregorian = *p.ShowGregorian
	}
	if p.LatinSlugs != nil {
		svc.LatinSlugs = *p.LatinSlugs
	}
	if err := svc.Validate(); err != nil {
		return nil, err
	}
	detail = ServiceChanges(&before, svc)
	if err := d.store.UpdateService(ctx, svc); err != nil {
		return nil, fmt.Errorf("update service %q: %w", code, err)
	}
	d.changed(ctx)
	return svc, nil
}

// SetLogo gives a service's masthead a logo, or with no data takes it
// away. Admins only, as for the other settings. A drawing (SVG) is kept
// only as the shapes package logo reduces it to, and dropped names what
// the drawing lost; any other upload goes through the media pipeline, as
// every picture does, and the logo is its renditions.
func (d *Desk) SetLogo(ctx context.Context, actor kolokol.Actor, code string, data []byte) (svc *kolokol.Service, dropped []string, err error) {
	detail := "removed"
	defer func() { d.record(ctx, actor, "service.logo", code, 0, detail, err) }()
	if !actor.AdminOf(code) {
		return nil, nil, kolokol.Errorf(kolokol.EFORBIDDEN, "only an admin may change the logo of %q", code)
	}
	svc, err = d.store.FindServiceByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(data) == 0:
		svc.Logo = kolokol.Logo{}
	case isSVG(data):
		s, err := logo.Sanitize(data)
		if err != nil {
			return nil, nil, kolokol.FieldErrorf(kolokol.EINVALID, "logo", "%v", err)
		}
		svc.Logo, dropped = kolokol.Logo{SVG: string(s.Inner), ViewBox: s.ViewBox}, s.Dropped
		detail = fmt.Sprintf("drawing, %d bytes", len(s.Inner))
	default:
		m, _, err := d.UploadMedia(ctx, actor, code, data)
		if err != nil {
			return nil, nil, err
		}
		svc.Logo = kolokol.Logo{MediaID: m.ID}
		detail = fmt.Sprintf("media %d", m.ID)
	}
	if err := d.store.UpdateService(ctx, svc); err != nil {
		return nil, nil, fmt.Errorf("set the logo of %q: %w", code, err)
	}
	d.changed(ctx)
	return svc, dropped, nil
}

// isSVG tells a drawing from a picture by its first bytes: pictures start
// with their format's magic number, an SVG with markup (a byte order mark,
// space, an XML declaration or a comment may come first).
func isSVG(data []byte) bool {
	head := bytes.TrimLeft(bytes.TrimPrefix(data[:min(len(data), 512)], []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(head, []byte("<"))
}

// ServiceChanges says what an update changed in a service's settings, for
// the audit log: a short setting with its old and new values, a long text
// (about, legal status, safety page) by its length only, which is enough
// to find the change in the history of the setting without copying pages
// of text into every entry.
func ServiceChanges(old, new *kolokol.Service) string {
	var parts []string
	short := func(name, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s: %q → %q", name, a, b))
		}
	}
	long := func(name, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s changed (%d → %d characters)", name, utf8.RuneCountInString(a), utf8.RuneCountInString(b)))
		}
	}
	short("tag", old.Tag, new.Tag)
	short("script", old.Script, new.Script)
	short("direction", string(old.Direction), string(new.Direction))
	short("name", old.Name, new.Name)
	short("english_name", old.EnglishName, new.EnglishName)
	short("brand", old.Brand, new.Brand)
	short("time_zone", old.TimeZone, new.TimeZone)
	if old.ShowGregorian != new.ShowGregorian {
		parts = append(parts, fmt.Sprintf("show_gregorian: %t → %t", old.ShowGregorian, new.ShowGregorian))
	}
	if old.LatinSlugs != new.LatinSlugs {
		parts = append(parts, fmt.Sprintf("latin_slugs: %t → %t", old.LatinSlugs, new.LatinSlugs))
	}
	long("about", old.About, new.About)
	long("legal_status", old.LegalStatus, new.LegalStatus)
	long("safety", old.Safety, new.Safety)
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}
