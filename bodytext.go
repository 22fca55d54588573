package kolokol

import (
	"strings"

	"github.com/yuin/goldmark/ast"
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
	if !strings.Contains(body, "```") && !strings.Contains(body, "~~~") {
		return body
	}
	src := []byte(body)
	var out strings.Builder
	at := 0
	_ = ast.Walk(factMarkdown.Parser().Parse(text.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fc, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok || fc.Info == nil {
			return ast.WalkContinue, nil
		}
		info := strings.TrimSpace(string(fc.Info.Segment.Value(src)))
		if !IsBlockKind(info) {
			return ast.WalkSkipChildren, nil
		}
		var content strings.Builder
		cut := []text.Segment{fc.Info.Segment}
		lines := fc.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			content.Write(seg.Value(src))
			cut = append(cut, seg)
		}
		var words string
		if b, err := ParseBlock(BlockKind(info), content.String()); err == nil {
			words = b.Words()
		}
		for i, seg := range cut {
			if seg.Start < at {
				continue
			}
			out.Write(src[at:seg.Start])
			if i == 0 {
				out.WriteString("\n" + words + "\n")
			}
			at = seg.Stop
		}
		return ast.WalkSkipChildren, nil
	})
	out.Write(src[at:])
	return out.String()
}
