package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/oembed"
)

// SetEmbeds gives the desk what fetches cards of posts on social networks.
// Without it, every card is written by hand. Call it while wiring.
func (d *Desk) SetEmbeds(c *oembed.Client) { d.embeds = c }

// FetchedCard is a card fetched for a post: the embed block's values, its
// Markdown, and what the editor must check before using it.
type FetchedCard struct {
	Embed    kolokol.Embed
	Markdown string
	// Note says what to review: a picture's description is only a
	// default, or why the post's picture was left out.
	Note string
}

// EmbedCard fetches the card of the post at address for a story of
// service, on an editor's request: the network is asked now, never by
// readers. The post's picture, if any, goes through the media pipeline
// for the service like any upload (metadata stripped, renditions made);
// when that fails the card has no picture rather than no card.
//
// An address of no known network is refused (EINVALID, naming why); a
// known network's post that cannot be fetched is an *oembed.Error, for the
// editor to write the card by hand. Each request the desk sends is
// audited as embed.fetch with the address, whether the network answered
// or not: the newsroom's server contacted it for this account.
func (d *Desk) EmbedCard(ctx context.Context, actor kolokol.Actor, service, address string) (card *FetchedCard, err error) {
	if service == "" && len(actor.Services) == 1 {
		service = actor.Services[0]
	}
	asked := false
	defer func() {
		detail := clipDetail(address)
		var oe *oembed.Error
		if asked && errors.As(err, &oe) {
			// Not an input mistake: the request went out. Recorded, with
			// why it failed.
			detail += " (not fetched: " + oe.Reason + ")"
			d.record(ctx, actor, "embed.fetch", service, 0, clipDetail(detail), nil)
			return
		}
		d.record(ctx, actor, "embed.fetch", service, 0, detail, err)
	}()
	if actor.Name == "" {
		return nil, kolokol.Errorf(kolokol.EUNAUTHORIZED, "sign in to fetch a card")
	}
	if service == "" {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "service", "name the service the story is for")
	}
	if err := canTouch(actor, service); err != nil {
		return nil, err
	}
	if _, err := d.store.FindServiceByCode(ctx, service); kolokol.IsNotFound(err) {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "service", "there is no service %q", service)
	} else if err != nil {
		return nil, fmt.Errorf("fetch a card for %s: %w", service, err)
	}
	provider, err := kolokol.EmbedProviderOf(address)
	if err != nil {
		return nil, kolokol.FieldErrorf(kolokol.EINVALID, "url", "%v", err)
	}
	if d.embeds == nil {
		return nil, &oembed.Error{Provider: provider, Reason: "this newsroom is not set up to fetch cards"}
	}
	asked = true
	got, err := d.embeds.Fetch(ctx, address)
	if err != nil {
		return nil, err
	}
	card = &FetchedCard{Embed: got.Embed, Note: got.ThumbnailNote}
	if len(got.Thumbnail) > 0 {
		m, _, err := d.UploadMedia(ctx, actor, service, got.Thumbnail)
		switch {
		case err == nil:
			card.Embed.Thumbnail = m.ID
			card.Embed.ThumbnailAlt = defaultThumbnailAlt(got.Embed)
			card.Note = "The picture's description is only a default: check thumbnail_alt says what the picture shows."
		case kolokol.ErrorCode(err) == kolokol.EINVALID || kolokol.ErrorCode(err) == kolokol.ETOOLARGE:
			card.Note = "The post's picture was not copied: " + kolokol.ErrorMessage(err)
		default:
			// The card stands without its picture; why is for operators.
			d.logger().Warn("embed thumbnail", "service", service, "err", err)
			card.Note = "The post's picture could not be stored; the card has none."
		}
	}
	if card.Markdown, err = EmbedMarkdown(card.Embed); err != nil {
		return nil, fmt.Errorf("fetch a card for %s: the fetched card is not a valid block: %w", address, err)
	}
	return card, nil
}

// EmbedMarkdown writes an embed block for e, checked as a story's body
// checks it. Its errors name the key at fault (url, author, title, text,
// date, thumbnail_alt) as the field.
func EmbedMarkdown(e kolokol.Embed) (string, error) {
	b := &kolokol.Block{Kind: kolokol.BlockEmbed, Embed: e}
	md := b.Markdown()
	first := strings.Index(md, "\n")
	last := strings.LastIndex(strings.TrimSuffix(md, "\n"), "\n")
	if _, err := kolokol.ParseBlock(kolokol.BlockEmbed, md[first+1:last+1]); err != nil {
		msg := err.Error()
		field := "url"
		for _, k := range []string{"url", "provider", "author", "title", "text", "date", "thumbnail_alt", "thumbnail"} {
			if strings.HasPrefix(msg, k+" ") || strings.HasPrefix(msg, k+":") {
				field = k
				break
			}
		}
		if field == "provider" {
			field = "url"
		}
		return "", kolokol.FieldErrorf(kolokol.EINVALID, field, "%s", msg)
	}
	return md, nil
}

// defaultThumbnailAlt describes a post's picture until the editor does.
func defaultThumbnailAlt(e kolokol.Embed) string {
	alt := "Picture from the " + kolokol.EmbedProviderNames[e.Provider] + " post"
	if e.Author != "" {
		alt += " by " + e.Author
	}
	return oembed.Cut(alt, kolokol.MaxBlockAlt)
}

func clipDetail(s string) string { return oembed.Cut(s, 2000) }
