package oembed_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/oembed"
)

// stand is a local https server answering as the networks' endpoints do,
// each path a scenario.
type stand struct {
	srv  *httptest.Server
	seen chan *http.Request // every request the stand answered, newest last
}

// telegramPage is an embeddable post page as t.me serves it, trimmed.
const telegramPage = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="OG Channel"><meta property="og:description" content="og text">
<script>var x = "<div class='tgme_widget_message_text'>not this</div>";</script></head>
<body class="widget_frame_base tgme_widget body_widget_post emoji_image nodesc">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="kolokolnews/42">
<div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/kolokolnews"><span dir="auto">Kolokol &amp; Friends</span></a></div>
<a class="tgme_widget_message_photo_wrap blured" href="https://t.me/kolokolnews/42" style="width:800px;background-image:url('%s/thumb.jpg')"></a>
<div class="tgme_widget_message_text js-message_text" dir="auto">The ferry <b>left</b> Batumi<br/>at dawn. <a href="https://example.org">More</a><i class="emoji"><b>❤</b></i></div>
<div class="tgme_widget_message_footer"><a class="tgme_widget_message_date" href="https://t.me/kolokolnews/42"><time datetime="2026-11-30T06:10:00+00:00" class="datetime">06:10</time></a></div>
</div></div></body></html>`

func newStand(t *testing.T) *stand {
	t.Helper()
	s := &stand{seen: make(chan *http.Request, 64)}
	mux := http.NewServeMux()
	jsonAnswer := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			fmt.Fprintf(w, body, s.srv.URL)
		}
	}
	// YouTube and TikTok answer with a title; X with its author only (the
	// post's words are in its html, which is never read).
	mux.Handle("/youtube/oembed", jsonAnswer(`{"type":"video","version":"1.0","title":"Ferry leaves Batumi","author_name":"Kolokol TV","author_url":"https://www.youtube.com/@k","provider_name":"YouTube","thumbnail_url":"%s/thumb.jpg","html":"<iframe src=\"https://www.youtube.com/embed/x\"></iframe>"}`))
	mux.Handle("/x/oembed", jsonAnswer(`{"url":"https://twitter.com/k/status/1","author_name":"Kolokol","author_url":"https://twitter.com/k","html":"<blockquote class=\"twitter-tweet\"><p>words %s</p></blockquote><script src=\"https://platform.twitter.com/widgets.js\"></script>","type":"rich","provider_name":"Twitter"}`))
	mux.Handle("/tiktok/oembed", jsonAnswer(`{"version":"1.0","type":"video","title":"A  dance\non the pier #ferry","author_name":"kolokol.tt","provider_name":"TikTok","thumbnail_url":"%s/thumb.jpg","html":"<blockquote></blockquote>"}`))
	mux.HandleFunc("/graph/instagram_oembed", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "123|secret" {
			http.Error(w, `{"error":{"message":"Invalid OAuth access token"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":"1.0","type":"rich","title":"On deck","author_name":"kolokol.ig","provider_name":"Instagram","html":"<blockquote></blockquote>"}`)
	})
	mux.HandleFunc("/graph/oembed_post", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"type":"rich","version":"1.0","provider_name":"Facebook","html":"<div></div>"}`)
	})
	mux.HandleFunc("/tg/{channel}/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.PathValue("channel") {
		case "gone":
			fmt.Fprint(w, `<html><body><div class="tgme_widget_message_error">Post not found</div></body></html>`)
		case "ogonly":
			fmt.Fprintf(w, `<html><head><meta property="og:title" content="Only OG"><meta property="og:description" content="described &lt;b&gt;here&lt;/b&gt;"><meta property="og:image" content="%s/thumb.jpg"></head><body></body></html>`, s.srv.URL)
		default:
			fmt.Fprintf(w, telegramPage, s.srv.URL)
		}
	})
	mux.HandleFunc("/thumb.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		fmt.Fprint(w, "\xff\xd8\xff\xe0 not really a picture, the media pipeline checks that")
	})
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.seen <- r:
		default:
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// client is a Client whose endpoints are the stand's, allowed to dial it
// (and nothing else on loopback).
func (s *stand) client(t *testing.T, edit func(*oembed.Options)) *oembed.Client {
	t.Helper()
	ap := netip.MustParseAddrPort(s.srv.Listener.Addr().String())
	pool := x509.NewCertPool()
	pool.AddCert(s.srv.Certificate())
	o := oembed.Options{YouTube: s.srv.URL + "/youtube/oembed", X: s.srv.URL + "/x/oembed", TikTok: s.srv.URL + "/tiktok/oembed",
		Graph: s.srv.URL + "/graph", Telegram: s.srv.URL + "/tg", Allow: []netip.AddrPort{ap}, RootCAs: pool, MetaToken: "123|secret"}
	if edit != nil {
		edit(&o)
	}
	c, err := oembed.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchProviders(t *testing.T) {
	s := newStand(t)
	c := s.client(t, nil)
	for _, tc := range []struct {
		url   string
		want  kolokol.Embed
		thumb bool
	}{
		{"https://www.youtube.com/watch?v=abc", kolokol.Embed{Provider: "youtube", Author: "Kolokol TV", Title: "Ferry leaves Batumi"}, true},
		{"https://x.com/k/status/1", kolokol.Embed{Provider: "x", Author: "Kolokol"}, false},
		{"https://www.tiktok.com/@k/video/7", kolokol.Embed{Provider: "tiktok", Author: "kolokol.tt", Title: "A dance on the pier #ferry"}, true},
		{"https://www.instagram.com/p/Cx/", kolokol.Embed{Provider: "instagram", Author: "kolokol.ig", Title: "On deck"}, false},
		{"https://www.facebook.com/k/posts/1", kolokol.Embed{Provider: "facebook"}, false},
		{"https://t.me/kolokolnews/42", kolokol.Embed{Provider: "telegram", Author: "Kolokol & Friends",
			Text: "The ferry left Batumi at dawn. More❤", Date: "2026-11-30"}, true},
		{"https://t.me/s/ogonly/7", kolokol.Embed{Provider: "telegram", Author: "Only OG", Text: "described here"}, true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			card, err := c.Fetch(context.Background(), tc.url)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.URL = tc.url
			if card.Embed != tc.want {
				t.Errorf("card\n got %+v\nwant %+v", card.Embed, tc.want)
			}
			if got := len(card.Thumbnail) > 0; got != tc.thumb {
				t.Errorf("thumbnail fetched: %v, want %v (%s)", got, tc.thumb, card.ThumbnailNote)
			}
			b := kolokol.Block{Kind: kolokol.BlockEmbed, Embed: card.Embed}
			md := b.Markdown()
			inner := strings.TrimSuffix(strings.SplitN(md, "\n", 2)[1], "```\n")
			if _, err := kolokol.ParseBlock(kolokol.BlockEmbed, inner); err != nil {
				t.Errorf("the card's block does not parse: %v\n%s", err, md)
			}
		})
	}
}

// TestFetchAsks checks what is sent: the post's address, JSON asked for,
// the Meta token only to Meta.
func TestFetchAsks(t *testing.T) {
	s := newStand(t)
	c := s.client(t, nil)
	if _, err := c.Fetch(context.Background(), "https://youtu.be/abc"); err != nil {
		t.Fatal(err)
	}
	r := <-s.seen
	if q := r.URL.Query(); r.URL.Path != "/youtube/oembed" || q.Get("url") != "https://youtu.be/abc" || q.Get("format") != "json" || q.Has("access_token") {
		t.Errorf("asked %s", r.URL)
	}
}

func TestFetchRefuses(t *testing.T) {
	s := newStand(t)
	for _, tc := range []struct {
		name, url string
		opts      func(*oembed.Options)
		want      string
		provider  string // "" : not a provider's address at all
		offline   bool
	}{
		{name: "no provider", url: "https://example.org/post/1", want: "example.org is not the address of a post"},
		{name: "http", url: "http://t.me/a/1", want: "must start with https://"},
		{name: "meta without token", url: "https://www.instagram.com/p/Cx/", opts: func(o *oembed.Options) { o.MetaToken = "" },
			provider: "instagram", want: "need an app access token"},
		{name: "meta token refused", url: "https://www.instagram.com/p/Cx/", opts: func(o *oembed.Options) { o.MetaToken = "nope" },
			provider: "instagram", want: "answered 400"},
		{name: "telegram not a post", url: "https://t.me/kolokolnews", provider: "telegram", want: "not that of a post"},
		{name: "telegram private", url: "https://t.me/c/123/4", provider: "telegram", want: "not that of a post"},
		{name: "telegram deleted", url: "https://t.me/gone/4", provider: "telegram", want: "shows no post"},
		{name: "offline", url: "https://www.youtube.com/watch?v=a", opts: func(o *oembed.Options) {
			o.YouTube = "https://127.0.0.1:1/oembed"
			o.Allow = append(o.Allow, netip.MustParseAddrPort("127.0.0.1:1"))
		},
			provider: "youtube", want: "no connection could be made", offline: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.client(t, tc.opts).Fetch(context.Background(), tc.url)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			var oe *oembed.Error
			switch {
			case tc.provider == "" && (errors.As(err, &oe) || kolokol.ErrorCode(err) != kolokol.EINVALID):
				t.Errorf("got %#v, want EINVALID", err)
			case tc.provider != "" && (!errors.As(err, &oe) || oe.Provider != tc.provider || oe.Offline != tc.offline):
				t.Errorf("got %#v, want an *oembed.Error of %s, offline %v", err, tc.provider, tc.offline)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestHostileAnswers points the YouTube endpoint at answers no endpoint
// should give.
func TestHostileAnswers(t *testing.T) {
	s := newStand(t)
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"title":"from the other server"}`)
	}))
	defer other.Close()
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!DOCTYPE html><title>Sign in</title>`)
	})
	mux.HandleFunc("/json-as-html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `<!DOCTYPE html><title>Sign in</title>`)
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"title":"`)
		chunk := strings.Repeat("a", 64<<10)
		for range 5 << 20 / len(chunk) {
			fmt.Fprint(w, chunk)
		}
		fmt.Fprint(w, `"}`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	redirect := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
	}
	mux.HandleFunc("/to-loopback", redirect(other.URL+"/oembed"))
	mux.HandleFunc("/to-metadata", redirect("https://169.254.169.254/latest/meta-data/"))
	mux.HandleFunc("/to-http", redirect("http://www.youtube.com/oembed"))
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hop/"+r.PathValue("n")+"x", http.StatusFound)
	})
	mux.HandleFunc("/script", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"title":"<script>alert(1)</script><b>Bold</b> &amp; <img src=x onerror=alert(2)>plain\u202eevil","author_name":"`+strings.Repeat("word ", 100)+`"}`)
	})
	mux.HandleFunc("/thumb-huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"title":"t","thumbnail_url":"%s/huge.jpg"}`, "https://"+r.Host)
	})
	mux.HandleFunc("/huge.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		chunk := make([]byte, 1<<20)
		for range media.MaxBytes/len(chunk) + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/thumb-page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"title":"t","thumbnail_url":"%s/html"}`, "https://"+r.Host)
	})
	mux.HandleFunc("/thumb-http", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"title":"t","thumbnail_url":"http://i.ytimg.com/x.jpg"}`)
	})
	hostile := httptest.NewTLSServer(mux)
	defer hostile.Close()

	for _, tc := range []struct {
		path string
		want string // in the error; "" : the card is made
		note string // in the thumbnail's note
		card kolokol.Embed
	}{
		{path: "/html", want: `the answer is "text/html"`},
		{path: "/json-as-html", want: "not the JSON of an oEmbed card"},
		{path: "/huge", want: "over 1048576 bytes"},
		{path: "/slow", want: "did not answer in time"},
		{path: "/to-loopback", want: "inside private networks"},
		{path: "/to-metadata", want: "169.254.169.254, an address inside private networks"},
		{path: "/to-http", want: "redirected to a http address"},
		{path: "/hop/x", want: "redirected more than 3 times"},
		{path: "/script", card: kolokol.Embed{Title: "Bold & plainevil", Author: strings.TrimSpace(strings.Repeat("word ", 39)) + "…"}},
		{path: "/thumb-huge", note: "over 26214400 bytes", card: kolokol.Embed{Title: "t"}},
		{path: "/thumb-page", note: `"text/html", not what was asked for`, card: kolokol.Embed{Title: "t"}},
		{path: "/thumb-http", note: "not an https address", card: kolokol.Embed{Title: "t"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := s.client(t, func(o *oembed.Options) {
				o.YouTube = hostile.URL + tc.path
				o.Allow = []netip.AddrPort{netip.MustParseAddrPort(hostile.Listener.Addr().String())}
				o.RootCAs.AddCert(hostile.Certificate())
				o.RootCAs.AddCert(other.Certificate())
				if tc.path == "/slow" {
					o.Timeout = 100 * time.Millisecond
				}
			})
			card, err := c.Fetch(context.Background(), "https://www.youtube.com/watch?v=a")
			if tc.want != "" {
				var oe *oembed.Error
				if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &oe) {
					t.Fatalf("got %v, want an error saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.card.URL, tc.card.Provider = "https://www.youtube.com/watch?v=a", "youtube"
			if card.Embed != tc.card {
				t.Errorf("card\n got %+v\nwant %+v", card.Embed, tc.card)
			}
			if card.Thumbnail != nil || !strings.Contains(card.ThumbnailNote, tc.note) {
				t.Errorf("thumbnail %d bytes, note %q; want none, and a note saying %q", len(card.Thumbnail), card.ThumbnailNote, tc.note)
			}
		})
	}
}

func TestNewRefusesEndpoints(t *testing.T) {
	for _, e := range []string{"http://www.youtube.com/oembed", "ftp://x", "https://x/oembed?format=xml", "youtube.com"} {
		if _, err := oembed.New(oembed.Options{YouTube: e}); err == nil {
			t.Errorf("%q accepted", e)
		}
	}
}

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", true}, {"2001:4860:4860::8888", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"0.0.0.0", false}, {"::", false}, {"100.64.0.1", false},
		{"fd00::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:169.254.169.254", false}, {"224.0.0.1", false},
	} {
		if got := oembed.Public(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"two\nlines\r\n and\ttabs", 100, "two lines and tabs"},
		{"<p>One</p><p>Two</p>", 100, "One Two"},
		{"a <b>bold</b>word", 100, "a boldword"},
		{`<script>alert("x")</script>safe<style>p{}</style>`, 100, "safe"},
		{"&lt;script&gt; &amp; &#x41;", 100, "<script> & A"},
		{"r\u202eevil\u2066x\u0000y\u0085z", 100, "revilxy z"},
		{"the quick brown fox jumps", 12, "the quick…"},
		{"supercalifragilistic", 8, "superca…"},
		{"سلام دنیا، این یک متن است", 12, "سلام دنیا…"},
		{"bad\xffutf8", 100, "badutf8"},
	} {
		if got := oembed.Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestParseTelegram(t *testing.T) {
	p, err := oembed.ParseTelegram([]byte(fmt.Sprintf(telegramPage, "https://cdn.example")))
	if err != nil {
		t.Fatal(err)
	}
	if got := oembed.Clean(p.Text, 1000); got != "The ferry left Batumi at dawn. More❤" || p.Image != "https://cdn.example/thumb.jpg" ||
		oembed.Clean(p.Author, 100) != "Kolokol & Friends" || p.Date != "2026-11-30T06:10:00+00:00" {
		t.Errorf("got %+v", p)
	}
	for _, page := range []string{"", "<html></html>", "not html at all", `<div class="tgme_widget_message_error">Post not found</div><meta property="og:title" content="Telegram">`} {
		if _, err := oembed.ParseTelegram([]byte(page)); err == nil {
			t.Errorf("%q: no error", page)
		}
	}
}

func FuzzParseTelegram(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(telegramPage, "https://cdn.example")))
	f.Add([]byte(`<meta property="og:title" content="x"><meta property="og:image" content="//cdn/x.jpg">`))
	f.Add([]byte(`<a class="tgme_widget_message_photo_wrap" style="background-image:url(">`))
	f.Fuzz(func(t *testing.T, page []byte) {
		p, err := oembed.ParseTelegram(page)
		if err != nil {
			return
		}
		if p.Author == "" && p.Text == "" {
			t.Errorf("a post with neither author nor text: %+v", p)
		}
		for _, v := range []struct {
			s   string
			max int
		}{{p.Author, kolokol.MaxEmbedAuthor}, {p.Text, kolokol.MaxEmbedText}} {
			c := oembed.Clean(v.s, v.max)
			b := kolokol.Block{Kind: kolokol.BlockEmbed, Embed: kolokol.Embed{URL: "https://t.me/a_b/1", Provider: "telegram", Author: c, Text: c}}
			if len([]rune(c)) <= kolokol.MaxEmbedAuthor {
				md := b.Markdown()
				inner := md[strings.Index(md, "\n")+1 : strings.LastIndex(strings.TrimSuffix(md, "\n"), "\n")+1]
				if _, err := kolokol.ParseBlock(kolokol.BlockEmbed, inner); err != nil {
					t.Errorf("cleaned %q does not make a block: %v", c, err)
				}
			}
		}
	})
}
