// Package oembed fetches what a card for a post on a social network shows
// (author, title, text, date, a picture), on an editor's request, from the
// network's public oEmbed endpoint, or for Telegram, which has none, from
// the post's public page. Readers never contact the networks: the card is
// made once, in the newsroom, and stored as a block of the story.
//
// Every answer is treated as hostile: its size, type, time and redirects
// are bounded, no address inside our own networks is ever dialled, and
// HTML in a value is reduced to its text. The oEmbed "html" field, the
// network's own player or script, is never read.
package oembed

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
)

// The endpoints the networks publish.
const (
	DefaultYouTube  = "https://www.youtube.com/oembed"
	DefaultX        = "https://publish.twitter.com/oembed"
	DefaultTikTok   = "https://www.tiktok.com/oembed"
	DefaultGraph    = "https://graph.facebook.com/v26.0"
	DefaultTelegram = "https://t.me"
)

// Limits of what a network may send.
const (
	MaxAnswerBytes = 1 << 20
	MaxRedirects   = 3
	DefaultTimeout = 10 * time.Second
)

// Options configures a Client. The zero value asks the networks' own
// endpoints, with Instagram and Facebook left to the manual form.
type Options struct {
	// Endpoints, each an https URL; "" is the network's own (the Default
	// constants). Graph is the base of Meta's Graph API, under which
	// instagram_oembed and oembed_post are asked; Telegram is where t.me's
	// post pages are read.
	YouTube, X, TikTok, Graph, Telegram string
	// MetaToken is a Meta app access token ("APPID|TOKEN"). Without one,
	// Instagram and Facebook posts are carded by hand.
	MetaToken string
	// Timeout bounds each request, redirects and body included; zero is
	// DefaultTimeout.
	Timeout time.Duration
	// MaxThumbnailBytes bounds a post's picture; zero is media.MaxBytes,
	// the most the media pipeline takes.
	MaxThumbnailBytes int64
	// Allow lists addresses that may be dialled though they are loopback
	// or private: for tests, whose stand-in endpoints listen on 127.0.0.1.
	// Production leaves it empty.
	Allow []netip.AddrPort
	// RootCAs, when set, are the only certificate authorities trusted:
	// for tests, whose stand-ins use httptest's certificate.
	RootCAs *x509.CertPool
}

// Client fetches cards. It is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client
}

// New returns a Client, checking that every endpoint is an https URL.
func New(opts Options) (*Client, error) {
	for _, e := range []struct {
		v   *string
		def string
	}{{&opts.YouTube, DefaultYouTube}, {&opts.X, DefaultX}, {&opts.TikTok, DefaultTikTok}, {&opts.Graph, DefaultGraph}, {&opts.Telegram, DefaultTelegram}} {
		if *e.v == "" {
			*e.v = e.def
		}
		u, err := url.Parse(*e.v)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("oEmbed endpoint %q: give an https URL without a query", *e.v)
		}
		*e.v = strings.TrimRight(*e.v, "/")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxThumbnailBytes <= 0 {
		opts.MaxThumbnailBytes = media.MaxBytes
	}
	opts.MetaToken = strings.TrimSpace(opts.MetaToken)
	c := &Client{opts: opts}
	dialer := &net.Dialer{Timeout: opts.Timeout, Control: c.checkDial}
	tr := &http.Transport{
		// No proxy: the address check must see the address really dialled.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.http = &http.Client{Transport: tr, Timeout: opts.Timeout, CheckRedirect: checkRedirect}
	return c, nil
}

// Card is what a post's card shows, fetched. Embed.Thumbnail is 0: the
// picture is Thumbnail's bytes, for the caller to put through the media
// pipeline. ThumbnailNote says why there is no picture when the post had
// one that could not be fetched.
type Card struct {
	Embed         kolokol.Embed
	Thumbnail     []byte
	ThumbnailNote string
}

// Error says why a known network's post could not be carded: the editor
// then writes the card by hand. Offline is set when the network could not
// be reached at all, as when the newsroom's server has no way out.
type Error struct {
	Provider string
	Reason   string
	Offline  bool
}

func (e *Error) Error() string {
	name := kolokol.EmbedProviderNames[e.Provider]
	if e.Offline {
		return fmt.Sprintf("%s could not be reached from the newsroom's server (it may be offline): %s", name, e.Reason)
	}
	return fmt.Sprintf("the card could not be fetched from %s: %s", name, e.Reason)
}

// Fetch makes the card of the post at address. An address of no network
// is refused with EmbedProviderOf's reason (EINVALID); a network's post
// that cannot be carded is an *Error.
func (c *Client) Fetch(ctx context.Context, address string) (*Card, error) {
	provider, err := kolokol.EmbedProviderOf(address)
	if err != nil {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "url", "%v", err)
	}
	card := &Card{Embed: kolokol.Embed{URL: address, Provider: provider}}
	var thumb string
	switch provider {
	case "telegram":
		thumb, err = c.telegram(ctx, card)
	case "instagram", "facebook":
		if c.opts.MetaToken == "" {
			return nil, &Error{Provider: provider, Reason: "cards from Meta's networks need an app access token, and this newsroom has none configured"}
		}
		endpoint := c.opts.Graph + "/instagram_oembed"
		if provider == "facebook" {
			endpoint = c.opts.Graph + "/oembed_post"
		}
		thumb, err = c.oembed(ctx, card, endpoint, url.Values{"url": {address}, "omitscript": {"true"}, "access_token": {c.opts.MetaToken}})
	default:
		endpoint := map[string]string{"youtube": c.opts.YouTube, "x": c.opts.X, "tiktok": c.opts.TikTok}[provider]
		q := url.Values{"url": {address}, "format": {"json"}}
		if provider == "x" {
			q.Set("omit_script", "1")
			q.Set("dnt", "true")
		}
		thumb, err = c.oembed(ctx, card, endpoint, q)
	}
	if err != nil {
		return nil, err
	}
	if thumb != "" {
		card.Thumbnail, err = c.get(ctx, provider, thumb, c.opts.MaxThumbnailBytes, isImage)
		if err != nil {
			// A card without its picture is still a card.
			card.Thumbnail, card.ThumbnailNote = nil, "The post's picture was not copied: "+reason(err)
		}
	}
	return card, nil
}

// answer is the part of an oEmbed answer a card uses; "html" is left out
// on purpose, so the decoder never keeps it.
type answer struct {
	Title        string `json:"title"`
	AuthorName   string `json:"author_name"`
	Description  string `json:"description"`
	Date         string `json:"date"`
	ThumbnailURL string `json:"thumbnail_url"`
}

func (c *Client) oembed(ctx context.Context, card *Card, endpoint string, q url.Values) (thumb string, err error) {
	body, err := c.get(ctx, card.Embed.Provider, endpoint+"?"+q.Encode(), MaxAnswerBytes, isJSON)
	if err != nil {
		return "", err
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return "", &Error{Provider: card.Embed.Provider, Reason: "the answer is not the JSON of an oEmbed card"}
	}
	e := &card.Embed
	e.Author = Clean(a.AuthorName, kolokol.MaxEmbedAuthor)
	e.Title = Clean(a.Title, kolokol.MaxEmbedTitle)
	e.Text = Clean(a.Description, kolokol.MaxEmbedText)
	e.Date = day(a.Date)
	return a.ThumbnailURL, nil
}

// get reads url, at most max bytes, whose Content-Type ok accepts.
func (c *Client) get(ctx context.Context, provider, address string, max int64, ok func(string) bool) ([]byte, error) {
	fail := func(format string, args ...any) error {
		return &Error{Provider: provider, Reason: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fail("%q is not an https address", clip(address))
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, fail("%q is not an address to ask", clip(address))
	}
	req.Header.Set("Accept", "application/json, text/html;q=0.9, image/*;q=0.8")
	req.Header.Set("User-Agent", "Kolokol newsroom (card of a post)")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fetchError(provider, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fail("there is no such post, or it is not public (%s)", resp.Status)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fail("the post is not public, or the network refused the newsroom (%s)", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fail("the network answered %s", resp.Status)
	}
	ct := resp.Header.Get("Content-Type")
	if !ok(ct) {
		return nil, fail("the answer is %q, not what was asked for", clip(ct))
	}
	if resp.ContentLength > max {
		return nil, fail("the answer is %d bytes; the limit is %d", resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fetchError(provider, err)
	}
	if int64(len(body)) > max {
		return nil, fail("the answer is over %d bytes", max)
	}
	return body, nil
}

func mediaType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return t
}

func isJSON(ct string) bool {
	t := mediaType(ct)
	return t == "application/json" || t == "text/json" || t == "application/json+oembed"
}

func isHTML(ct string) bool { return mediaType(ct) == "text/html" }

func isImage(ct string) bool {
	return slices.Contains([]string{"image/jpeg", "image/png", "image/webp", "image/gif"}, mediaType(ct))
}

// fetchError says why a request failed, without the address asked: Meta's
// carries the access token.
func fetchError(provider string, err error) error {
	var refused *refusedError
	if errors.As(err, &refused) {
		return &Error{Provider: provider, Reason: refused.Error()}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ue != nil && ue.Timeout():
		return &Error{Provider: provider, Reason: "it did not answer in time", Offline: true}
	case errors.As(err, &dns):
		return &Error{Provider: provider, Reason: "its name could not be looked up", Offline: true}
	case errors.As(err, &op) && op.Op == "dial":
		return &Error{Provider: provider, Reason: "no connection could be made", Offline: true}
	case errors.Is(err, context.Canceled):
		return &Error{Provider: provider, Reason: "the request was cancelled"}
	}
	var x509err *tls.CertificateVerificationError
	if errors.As(err, &x509err) {
		return &Error{Provider: provider, Reason: "its certificate could not be verified"}
	}
	return &Error{Provider: provider, Reason: "the request failed: " + err.Error()}
}

// reason is what err says, for a note.
func reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return err.Error()
}

// day is the YYYY-MM-DD of a date a network gives, or "".
func day(v string) string {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, time.DateOnly, time.DateTime} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Format(time.DateOnly)
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	return s[:80] + "…"
}
