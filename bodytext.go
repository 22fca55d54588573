package kolokol

import (
	"strings"

	"github.com/yuin/goldmark/text"
)

// Words lists what readers read of a block: a picture's caption, credit
// and alt text, a quote and who said it, a fact box's title and text, a
// card's author, title and text. Keys, media ids and addresses are not
// words anyone reads.
func (b *Block) Words() string {
	var parts []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" {
				parts = append(parts, v)
			}
		}
	}
	for _, p := range b.Pictures {
		add(p.Caption, p.Credit, p.Alt)
	}
	add(b.Quote, b.By, b.Title, b.Text)
	if b.Kind == BlockEmbed {
		add(b.Embed.Author, b.Embed.Title, b.Embed.Text, b.Embed.ThumbnailAlt)
	}
	return strings.Join(parts, "\n\n")
}

// BodyText is a body as words to count and index: each block's info
// string and lines give way to its Words (a block that is not right, which
// pages show as nothing, to nothing); the rest of the Markdown is as it
// was.
func BodyText(body string) string {
	if !mayHoldBlocks(body) {
		return body
	}
	var out strings.Builder
	at := 0
	eachFence(body, func(kind BlockKind, content string, spans []text.Segment) {
		var words string
		if b, err := ParseBlock(kind, content); err == nil {
			words = b.Words()
		}
		for i, seg := range spans {
			if seg.Start < at {
				continue
			}
			out.WriteString(body[at:seg.Start])
			if i == 0 {
				out.WriteString("\n" + words + "\n")
			}
			at = seg.Stop
		}
	})
	out.WriteString(body[at:])
	return out.String()
}
