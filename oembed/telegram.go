package oembed

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/kolokol/kolokol"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TelegramPost is what a public Telegram post's page shows: the channel's
// name, the text, the day and the address of its first picture. Values
// are as the page has them; Fetch cleans them.
type TelegramPost struct {
	Author, Text, Date, Image string
}

// telegram cards a post from its embeddable page (t.me/CHANNEL/ID?embed=1),
// which Telegram serves for exactly this: the post without the app around it.
func (c *Client) telegram(ctx context.Context, card *Card) (thumb string, err error) {
	channel, id, err := telegramPost(card.Embed.URL)
	if err != nil {
		return "", &Error{Provider: "telegram", Reason: err.Error()}
	}
	page := c.opts.Telegram + "/" + channel + "/" + id + "?embed=1&mode=tme"
	body, err := c.get(ctx, "telegram", page, MaxAnswerBytes, isHTML)
	if err != nil {
		return "", err
	}
	p, err := ParseTelegram(body)
	if err != nil {
		return "", &Error{Provider: "telegram", Reason: err.Error()}
	}
	e := &card.Embed
	e.Author = Clean(p.Author, kolokol.MaxEmbedAuthor)
	e.Text = Clean(p.Text, kolokol.MaxEmbedText)
	e.Date = day(p.Date)
	if p.Image == "" {
		return "", nil
	}
	base, _ := url.Parse(page)
	img, err := base.Parse(p.Image)
	if err != nil {
		return "", nil
	}
	return img.String(), nil
}

// telegramPost reads the channel and post number of a t.me address:
// t.me/CHANNEL/ID, or t.me/s/CHANNEL/ID as the web preview writes it.
func telegramPost(address string) (channel, id string, err error) {
	u, err := url.Parse(address)
	if err != nil {
		return "", "", fmt.Errorf("%q is not a web address", address)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 3 && parts[0] == "s" {
		parts = parts[1:]
	}
	if len(parts) != 2 || !channelName(parts[0]) || !postNumber(parts[1]) {
		return "", "", fmt.Errorf("the address is not that of a post in a public channel (t.me/CHANNEL/NUMBER)")
	}
	return parts[0], parts[1], nil
}

func channelName(s string) bool {
	if len(s) < 3 || len(s) > 64 || s == "c" || s == "s" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func postNumber(s string) bool {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseTelegram reads a post's page: the widget's own elements
// (tgme_widget_message_*) when it is the embeddable page, else the page's
// og: meta tags. A page that shows no post (Telegram's "post not found")
// is an error.
func ParseTelegram(page []byte) (TelegramPost, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return TelegramPost{}, fmt.Errorf("the post's page could not be read")
	}
	var p, og TelegramPost
	var notFound bool
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case hasClass(n, "tgme_widget_message_error"):
			notFound = true
		case hasClass(n, "tgme_widget_message_owner_name") && p.Author == "":
			p.Author = textOf(n)
		case hasClass(n, "tgme_widget_message_text") && p.Text == "":
			p.Text = textOf(n)
		case n.DataAtom == atom.Time && p.Date == "" && attr(n, "datetime") != "":
			p.Date = attr(n, "datetime")
		case hasClass(n, "tgme_widget_message_photo_wrap") && p.Image == "":
			p.Image = backgroundImage(attr(n, "style"))
		case n.DataAtom == atom.Meta:
			switch attr(n, "property") {
			case "og:title":
				og.Author = attr(n, "content")
			case "og:description":
				og.Text = attr(n, "content")
			case "og:image":
				og.Image = attr(n, "content")
			case "article:published_time":
				og.Date = attr(n, "content")
			}
		}
	}
	if p.Author == "" && p.Text == "" {
		p = og
	}
	if notFound || p.Author == "" && p.Text == "" {
		return TelegramPost{}, fmt.Errorf("the page shows no post: it may have been deleted, or the channel is not public")
	}
	return p, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for c := range strings.FieldsSeq(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// textOf is the text a reader sees in n: line breaks as spaces, scripts
// and styles left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
			return
		case n.Type == html.ElementNode && (hidden(n.Data) || n.DataAtom == atom.Br):
			b.WriteByte(' ')
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && block(n.Data) {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return b.String()
}

// backgroundImage is the address in a style's background-image:url(…).
func backgroundImage(style string) string {
	_, rest, ok := strings.Cut(style, "url(")
	if !ok {
		return ""
	}
	v, _, ok := strings.Cut(rest, ")")
	if !ok {
		return ""
	}
	return strings.Trim(strings.TrimSpace(v), `'"`)
}
