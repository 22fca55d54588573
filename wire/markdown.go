package wire

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	// html-to-markdown v2 (MIT, pinned in go.mod): the maintained
	// HTML-to-CommonMark converter for Go, built on x/net/html which we
	// already use. Hand-writing one would mean re-learning its escaping
	// rules (a "1." or "#" at a paragraph's start, "*" in text, link
	// titles) one bug at a time. Its table and strikethrough plugins match
	// the goldmark extensions render/markdown.go turns on.
	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"

	"github.com/kolokol/kolokol"
)

// newConverter is called once per Parse rather than kept in a package
// variable: a Converter holds a mutex-guarded error and plugin state, and
// the package keeps no mutable state of its own.
func newConverter() *converter.Converter {
	return converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(),
		table.NewTablePlugin(),
		strikethrough.NewStrikethroughPlugin(),
	))
}

// htmlToMarkdown converts a body given as HTML (ninjs body_xhtml and
// bodies, or the HTML we make of an XHTML or NITF body) to Markdown. The
// converter renders recursively, so a tree deeper than maxDepth is refused
// here rather than left to grow the stack.
func htmlToMarkdown(conv *converter.Converter, src string) (string, error) {
	if len(src) > maxBody {
		return "", fmt.Errorf("the body is %s, at most %s", size(len(src)), size(maxBody))
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", fmt.Errorf("reading the body's HTML: %w", err)
	}
	if d := treeDepth(doc); d > maxDepth {
		return "", fmt.Errorf("the body's HTML is nested %d deep, at most %d", d, maxDepth)
	}
	md, err := conv.ConvertNode(doc)
	if err != nil {
		return "", fmt.Errorf("converting the body to Markdown: %w", err)
	}
	return noBlocks(string(bytes.TrimSpace(md))), nil
}

// blockParser reads Markdown as kolokol.FindBlocks does, to find what a
// story would take for a block.
var blockParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()

// noBlocks keeps an agency's code as code: a fenced code block whose info
// string names a kind of block (docs/blocks.md) would otherwise become a
// photo or a card on the story's page, by accident or by a hostile
// agency's design, so its info string is prefixed with "wire-". Segments
// are rewritten from the last, so earlier offsets stay right.
func noBlocks(md string) string {
	if !strings.Contains(md, "```") && !strings.Contains(md, "~~~") {
		return md
	}
	src := []byte(md)
	var infos []text.Segment
	_ = ast.Walk(blockParser.Parse(text.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fc, ok := n.(*ast.FencedCodeBlock); entering && ok && fc.Info != nil {
			if kolokol.IsBlockKind(strings.TrimSpace(string(fc.Info.Segment.Value(src)))) {
				infos = append(infos, fc.Info.Segment)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, seg := range slices.Backward(infos) {
		src = slices.Insert(src, seg.Start, []byte("wire-")...)
	}
	return string(src)
}

// treeDepth measures without recursion, since the tree is what is being
// checked for being too deep to recurse into.
func treeDepth(root *html.Node) int {
	type frame struct {
		n *html.Node
		d int
	}
	max := 0
	stack := []frame{{root, 0}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.d > max {
			max = f.d
		}
		if f.d > maxDepth {
			return f.d // no need to walk the rest of a tree already refused
		}
		for c := f.n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, frame{c, f.d + 1})
		}
	}
	return max
}

// textToMarkdown turns a plain-text body into paragraphs. Agencies end
// paragraphs with a blank line or, as often, with a single line break, so
// either separates them; going through the converter escapes what
// Markdown would otherwise read as markup (a line starting "1." or "#").
func textToMarkdown(conv *converter.Converter, text string) (string, error) {
	if len(text) > maxBody {
		return "", fmt.Errorf("the body is %s, at most %s", size(len(text)), size(maxBody))
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(line))
			b.WriteString("</p>\n")
		}
	}
	if b.Len() == 0 {
		return "", nil
	}
	return htmlToMarkdown(conv, b.String())
}

// htmlText is the text of an HTML fragment, for captions and summaries,
// which the newsroom keeps as plain text.
func htmlText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ') // "a<br>b" and "</p><p>" separate words
		}
	}
}

// collapse folds runs of white space, as XML and HTML readers do, into
// one space and trims the ends.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// dropHeadline removes a first heading that repeats the headline, as
// HTML bodies made for a web page (TT's) begin: the queue shows the
// headline on its own, and the draft would have it twice.
func dropHeadline(md, headline string) string {
	first, rest, _ := strings.Cut(md, "\n")
	if h := strings.TrimLeft(first, "#"); len(h) < len(first) && collapse(h) == headline && headline != "" {
		return strings.TrimSpace(rest)
	}
	return md
}
