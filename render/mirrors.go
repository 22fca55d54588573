package render

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
)

// Finding mirrors: each service's /{service}/mirrors/ page and the site's
// /mirrors.json list the live mirrors, the onion address and the signing
// key's fingerprint, so that a reader whose way to the site is blocked
// finds another, and can check it is the newsroom's. Of a mirror they show
// its name and public address alone: never where its files are pushed
// (a directory, a bucket, a host) or how.

// mirrorsView is the body of a mirrors page.
type mirrorsView struct {
	List        []mirrorLink
	Onion       string // the service's home at the onion origin
	KeyID       string
	Fingerprint string // the SHA-256 of kolokol.pub
	JSON        string // link to mirrors.json
	Bundles     []bundleLink
}

// bundleLink is an offline edition on its service's mirrors page.
type bundleLink struct {
	Name, Href, Sig, Type, Period, Size string
}

type mirrorLink struct {
	Name, URL string
}

// liveMirrors returns the live mirrors, by name then id, and the newest
// time among all of them (a retirement changes what the pages show).
func (b *Builder) liveMirrors(ctx context.Context) ([]mirrorLink, time.Time, error) {
	all, err := b.store.FindMirrors(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	var mod time.Time
	live := make([]*kolokol.Mirror, 0, len(all))
	for _, m := range all {
		mod = latest(mod, m.CreatedAt, m.UpdatedAt, m.RetiredAt)
		if m.Live() && kolokol.SafeLink(m.PublicURL) {
			live = append(live, m)
		}
	}
	slices.SortStableFunc(live, func(x, y *kolokol.Mirror) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	out := make([]mirrorLink, len(live))
	for i, m := range live {
		out[i] = mirrorLink{Name: m.Name, URL: m.PublicURL}
	}
	return out, mod, nil
}

// mirrors renders /{svc}/mirrors/: where else to read the site, and how to
// know a copy is the newsroom's. The safety page and every footer link
// here.
func (b *Builder) mirrors(ctx context.Context, ns []*kolokol.Notice, svc *kolokol.Service) (*Page, error) {
	sections, br, err := b.chrome(ctx, svc)
	if err != nil {
		return nil, err
	}
	list, mod, err := b.liveMirrors(ctx)
	if err != nil {
		return nil, err
	}
	from := mirrorsPath(svc.Code)
	v, err := b.serviceView(ctx, ns, from, svc, sections, "")
	if err != nil {
		return nil, err
	}
	shown, expires := v.setBreaking(br, from, b.now())
	v.Kind, v.Title = "mirrors", v.L.T(i18n.Mirrors)+" – "+v.Brand
	v.Canonical = b.absolute(from)
	mv := &mirrorsView{List: list, KeyID: b.opts.KeyID, Fingerprint: b.opts.KeyFingerprint, JSON: relPath(from, MirrorsJSONPath)}
	if b.opts.Onion != "" {
		mv.Onion = b.opts.Onion + homePath(svc.Code)
	}
	bundles, err := b.store.FindBundles(ctx, svc.Code)
	if err != nil {
		return nil, err
	}
	f := v.L.Formatter().In(b.location(svc)).WithGregorian(svc.ShowGregorian)
	var files []string
	for _, bu := range bundles {
		mod = latest(mod, bu.CreatedAt)
		period := f.Date(bu.From)
		if d := f.Date(bu.To.Add(-time.Second)); d != period {
			period += " – " + d
		}
		mv.Bundles = append(mv.Bundles, bundleLink{Name: bu.Name, Href: relPath(from, bu.Path()), Sig: relPath(from, bu.SigPath()),
			Type: BundleType(bu.Kind), Period: period, Size: f.Digits(byteSize(bu.Size))})
		files = append(files, bu.Path(), bu.SigPath())
	}
	v.MirrorList = mv
	p, err := b.page(v, []string{svcTag(svc.Code), mirrorsTag, bundlesTag(svc.Code)}, latest(svc.UpdatedAt, shown, mod), expires)
	if p != nil {
		// An export and every mirror carry the bundles beside the page.
		p.Files = append(p.Files, files...)
	}
	return p, err
}

// BundleType is the media type of an offline edition's file.
func BundleType(k kolokol.BundleKind) string {
	if k == kolokol.BundleEPUB {
		return "application/epub+zip"
	}
	return "application/octet-stream"
}

// byteSize writes a file's size for readers: "840 KB", "12.4 MB".
func byteSize(n int64) string {
	switch {
	case n < 1000*1000:
		return strconv.FormatInt((n+999)/1000, 10) + " KB"
	case n < 100*1000*1000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt((n+500*1000)/1e6, 10) + " MB"
}

// MirrorsJSON is the shape of /mirrors.json, documented in the README:
// fields are only ever added.
type MirrorsJSON struct {
	// Origin is the site's public origin, as manifests are signed for;
	// omitted when the site has none configured.
	Origin string `json:"origin,omitempty"`
	// Onion is the site's onion origin; omitted when there is none.
	Onion string `json:"onion,omitempty"`
	// Key names the signing key; omitted when not known.
	Key *MirrorsKey `json:"key,omitempty"`
	// Mirrors are the live mirrors, by name: never null.
	Mirrors []MirrorJSON `json:"mirrors"`
	// Services are the site's services with their mirrors pages.
	Services []MirrorsService `json:"services"`
}

// MirrorsKey is the newsroom's signing key as readers check it.
type MirrorsKey struct {
	ID string `json:"id,omitempty"`
	// Fingerprint is the SHA-256 of File, lower-case hex, as sha256sum
	// prints it.
	Fingerprint string `json:"fingerprint"`
	// File is the public key file's name at the root of every mirror.
	File string `json:"file"`
}

// MirrorJSON is one mirror: its name and the address readers reach it at.
type MirrorJSON struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// MirrorsService is a service and its mirrors page, relative to
// mirrors.json (so that it holds on every mirror, under any path).
type MirrorsService struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Lang string `json:"lang"`
	Dir  string `json:"dir"`
	Page string `json:"page"`
}

// mirrorsJSON renders /mirrors.json.
func (b *Builder) mirrorsJSON(ctx context.Context) (*Page, error) {
	list, mod, err := b.liveMirrors(ctx)
	if err != nil {
		return nil, err
	}
	services, err := b.store.FindServices(ctx)
	if err != nil {
		return nil, err
	}
	d := MirrorsJSON{Origin: b.opts.BaseURL, Onion: b.opts.Onion, Mirrors: make([]MirrorJSON, len(list)), Services: []MirrorsService{}}
	if b.opts.KeyFingerprint != "" {
		d.Key = &MirrorsKey{ID: b.opts.KeyID, Fingerprint: b.opts.KeyFingerprint, File: PublicKeyFile}
	}
	for i, m := range list {
		d.Mirrors[i] = MirrorJSON(m)
	}
	for _, s := range services {
		dir := string(kolokol.LTR)
		if s.Direction == kolokol.RTL {
			dir = string(kolokol.RTL)
		}
		d.Services = append(d.Services, MirrorsService{Code: s.Code, Name: s.Name, Lang: s.Tag, Dir: dir,
			Page: relPath("/", mirrorsPath(s.Code))})
		mod = latest(mod, s.UpdatedAt)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return &Page{Status: http.StatusOK, Path: MirrorsJSONPath, Body: buf.Bytes(), ContentType: jsonType,
		Deps: []string{mirrorsTag, portalTag}, LastModified: mod}, nil
}

// PublicKeyFile is the name of the newsroom's public key file at the root
// of every export (sign.PublicKeyFile; render does not import sign).
const PublicKeyFile = "kolokol.pub"

const jsonType = "application/json"
