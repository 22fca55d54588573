package desk

import (
	"crypto/x509"
	"errors"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media/mediatest"
	"github.com/kolokol/kolokol/oembed"
)

// embedStand is a local https server answering as YouTube's oEmbed
// endpoint would, one video id per scenario, with the desk's client
// pointed at it.
func embedStand(t *testing.T, d *Desk) {
	t.Helper()
	pic := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range pic.Pix {
		pic.Pix[i] = uint8(i)
	}
	pic.Set(1, 1, color.White)
	jpeg := mediatest.EncodeJPEG(t, pic, 90)
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oembed":
			v := strings.TrimPrefix(r.URL.Query().Get("url"), "https://www.youtube.com/watch?v=")
			if v == "missing" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"type":"video","title":"Ferry <b>leaves</b>","author_name":"Kolokol TV","thumbnail_url":"%s/%s.jpg","html":"<iframe></iframe>"}`, srv.URL, v)
		case "/good.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpeg)
		default: // claims to be a picture, is not one
			w.Header().Set("Content-Type", "image/jpeg")
			fmt.Fprint(w, "GIF89a, or so it says")
		}
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := oembed.New(oembed.Options{YouTube: srv.URL + "/oembed", RootCAs: pool,
		Allow: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}})
	if err != nil {
		t.Fatal(err)
	}
	d.SetEmbeds(c)
}

func TestEmbedCard(t *testing.T) {
	f := newScoped(t)
	embedStand(t, f.Desk)
	const good = "https://www.youtube.com/watch?v=good"
	for _, tc := range []struct {
		name     string
		actor    kolokol.Actor
		service  string
		url      string
		code     string // "" : a card is made
		manual   bool   // an *oembed.Error: write the card by hand
		thumb    bool
		note     string
		audit    string // the action recorded, "" : none
		auditHas string
	}{
		{name: "editor of the service", actor: ruEditor, service: "ru", url: good, thumb: true,
			note: "only a default", audit: "embed.fetch", auditHas: good},
		{name: "reporter of one service, none named", actor: ruReporter, url: good, thumb: true, audit: "embed.fetch", auditHas: good},
		{name: "editor of another service", actor: faEditor, service: "ru", url: good, code: kolokol.EFORBIDDEN,
			audit: "embed.fetch.denied", auditHas: "may not work on service"},
		{name: "signed out", actor: kolokol.Actor{}, service: "ru", url: good, code: kolokol.EUNAUTHORIZED, audit: "embed.fetch.denied"},
		{name: "no such service", actor: globalAdmin, service: "xx", url: good, code: kolokol.EINVALID},
		{name: "no provider", actor: ruEditor, service: "ru", url: "https://example.org/p/1", code: kolokol.EINVALID},
		{name: "not fetched", actor: ruEditor, service: "ru", url: "https://www.youtube.com/watch?v=missing", manual: true,
			audit: "embed.fetch", auditHas: "(not fetched: there is no such post"},
		{name: "picture not a picture", actor: ruEditor, service: "ru", url: "https://www.youtube.com/watch?v=bad",
			note: "was not copied", audit: "embed.fetch", auditHas: "watch?v=bad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.entries(t, tc.audit))
			card, err := f.EmbedCard(t.Context(), tc.actor, tc.service, tc.url)
			var oe *oembed.Error
			switch {
			case tc.manual:
				if !errors.As(err, &oe) || oe.Provider != "youtube" {
					t.Fatalf("got %v, want an *oembed.Error", err)
				}
			case tc.code != "":
				wantCode(t, tc.name, err, tc.code)
				if tc.code == kolokol.EINVALID && tc.service == "ru" && (kolokol.ErrorField(err) != "url" || !strings.Contains(err.Error(), "example.org is not the address of a post")) {
					t.Errorf("got %v, want the url named and why", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				e := card.Embed
				if e.URL != tc.url || e.Provider != "youtube" || e.Title != "Ferry leaves" || e.Author != "Kolokol TV" {
					t.Errorf("card %+v", e)
				}
				if got := e.Thumbnail != 0; got != tc.thumb {
					t.Errorf("thumbnail %d, want one: %v (note %q)", e.Thumbnail, tc.thumb, card.Note)
				}
				if tc.thumb {
					m, err := f.store.FindMediaByID(t.Context(), e.Thumbnail)
					if err != nil || len(m.Renditions) == 0 || m.Width != 64 {
						t.Errorf("thumbnail media %+v, %v", m, err)
					}
					if e.ThumbnailAlt != "Picture from the YouTube post by Kolokol TV" {
						t.Errorf("thumbnail_alt %q", e.ThumbnailAlt)
					}
				}
				if !strings.Contains(card.Note, tc.note) {
					t.Errorf("note %q, want it to say %q", card.Note, tc.note)
				}
				blocks, err := kolokol.ParseBlocks(card.Markdown)
				if err != nil || len(blocks) != 1 || blocks[0].Embed != e {
					t.Errorf("markdown %q parses to %v, %v", card.Markdown, blocks, err)
				}
			}
			if tc.audit == "" {
				return
			}
			list := f.entries(t, tc.audit)
			if len(list) != before+1 {
				t.Fatalf("%d %s entries, want %d", len(list), tc.audit, before+1)
			}
			if !strings.Contains(list[0].Detail, tc.auditHas) || list[0].Actor != orElse(tc.actor.Name, "(unnamed)") {
				t.Errorf("audit entry %+v, want detail with %q", list[0], tc.auditHas)
			}
		})
	}
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestEmbedCardNotSetUp(t *testing.T) {
	f := newScoped(t)
	_, err := f.EmbedCard(t.Context(), ruEditor, "ru", "https://t.me/kolokol/1")
	var oe *oembed.Error
	if !errors.As(err, &oe) || oe.Provider != "telegram" || !strings.Contains(err.Error(), "not set up") {
		t.Fatalf("got %v", err)
	}
}

func TestEmbedMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name  string
		e     kolokol.Embed
		field string // "" : valid
		want  string
	}{
		{name: "minimal", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram"},
			want: "```embed\nurl: https://t.me/kolokol/1\nprovider: telegram\n```\n"},
		{name: "full", e: kolokol.Embed{URL: "https://x.com/k/status/1", Provider: "x", Author: "Kolokol", Title: "T", Text: "Words ``` here", Date: "2026-11-30"},
			want: "````embed\nurl: https://x.com/k/status/1\nprovider: x\nauthor: Kolokol\ntitle: T\ntext: Words ``` here\ndate: 2026-11-30\n````\n"},
		{name: "bad date", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram", Date: "30.11.2026"}, field: "date"},
		{name: "long author", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram", Author: strings.Repeat("a", 201)}, field: "author"},
		{name: "long text", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram", Text: strings.Repeat("a", 2001)}, field: "text"},
		{name: "override in title", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram", Title: "a\u202eb"}, field: "title"},
		{name: "no provider's", e: kolokol.Embed{URL: "https://example.org/", Provider: "telegram"}, field: "url"},
		{name: "wrong provider", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "x"}, field: "url"},
		{name: "alt without picture", e: kolokol.Embed{URL: "https://t.me/kolokol/1", Provider: "telegram", ThumbnailAlt: "x"}, field: "thumbnail_alt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md, err := EmbedMarkdown(tc.e)
			if tc.field != "" {
				if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != tc.field {
					t.Fatalf("got %q, %v; want an error of field %s", md, err, tc.field)
				}
				return
			}
			if err != nil || md != tc.want {
				t.Fatalf("got %q, %v; want %q", md, err, tc.want)
			}
		})
	}
}
