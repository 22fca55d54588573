package render

import (
	"context"
	"fmt"

	"github.com/kolokol/kolokol"
)

// Tag pages: /{service}/t/{key}/ lists the live stories carrying a tag,
// newest first, paged as a section is, with the tag's feeds beside it
// (feed.xml, atom.xml, feed.json). The key (kolokol.TagKey) is the tag's
// text made canonical; another spelling of it is sent there. A tag with no
// live story has no page and no feeds.

// tagName is how the tag with key is spelt on its page: as the newest live
// story carrying it spells it; "" when no live story carries it.
func (b *Builder) tagName(ctx context.Context, svc *kolokol.Service, key string) (string, error) {
	arts, err := b.store.FindArticles(ctx, kolokol.ArticleFilter{Service: svc.Code, Tag: key, Status: kolokol.StatusPublished,
		ByPublished: true, WithoutBody: true, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("the tag %q of %s: %w", key, svc.Code, err)
	}
	for _, a := range arts {
		for _, t := range a.Tags {
			if kolokol.TagKey(t) == key {
				return t, nil
			}
		}
	}
	return "", nil
}

// tagLink is a tag on a story's page: its text, and its page's address
// ("" for a tag that has none, see kolokol.TagKey).
type tagLink struct {
	Text, Href string
}

// tagLinks are a story's tags, each leading to its page. The text-only
// edition has no tag pages of its own: its story pages lead to the full
// ones, as its banner does.
func tagLinks(from string, a *kolokol.Article) []tagLink {
	out := make([]tagLink, 0, len(a.Tags))
	for _, t := range a.Tags {
		l := tagLink{Text: t}
		if k := kolokol.TagKey(t); k != "" {
			l.Href = relPath(from, tagPath(a.Service, k))
		}
		out = append(out, l)
	}
	return out
}
