package epub

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on one fragment. A story body is a few kilobytes; these stop a
// runaway input from costing more than a bad book should.
const (
	maxFragment = 4 << 20
	maxDepth    = 256
)

// node is a fragment after cleaning: only elements and attributes an EPUB
// content document allows, in places the HTML content model allows them.
// Links are still raw here; they are resolved when the node is written,
// because whether a link stays depends on what else is in the book.
type node struct {
	tag   string // "" for text
	text  string
	attrs []attr
	kids  []*node
}

type attr struct{ key, val string }

func (n *node) get(key string) (string, bool) {
	for _, a := range n.attrs {
		if a.key == key {
			return a.val, true
		}
	}
	return "", false
}

// elementSpec says how an element kept may stand. A paragraph, heading
// or pre (block and phrasing) takes phrasing only: a block in it is
// unwrapped. An inline element (not block) takes its parent's content: in
// flow it may hold a block for a while, until fix moves it down into the
// block. A transparent one (a link) may hold blocks where its parent may.
type elementSpec struct {
	block       bool // flow content, not phrasing
	phrasing    bool // content is phrasing only
	transparent bool
	void        bool
	attrs       []string // besides the global ones
}

// elements lists what is kept; it is read, never written.
var elements = map[string]elementSpec{
	"p": {block: true, phrasing: true}, "h1": {block: true, phrasing: true},
	"h2": {block: true, phrasing: true}, "h3": {block: true, phrasing: true},
	"h4": {block: true, phrasing: true}, "h5": {block: true, phrasing: true},
	"h6": {block: true, phrasing: true}, "pre": {block: true, phrasing: true},
	"div": {block: true}, "blockquote": {block: true}, "section": {block: true},
	"article": {block: true}, "aside": {block: true},
	"ul": {block: true}, "ol": {block: true, attrs: []string{"start", "reversed", "type"}},
	"li": {block: true, attrs: []string{"value"}},
	"dl": {block: true}, "dt": {block: true}, "dd": {block: true},
	"figure": {block: true}, "figcaption": {block: true},
	"hr":    {block: true, void: true},
	"table": {block: true}, "caption": {block: true}, "thead": {block: true},
	"tbody": {block: true}, "tfoot": {block: true}, "tr": {block: true},
	"td": {block: true, attrs: []string{"colspan", "rowspan"}},
	"th": {block: true, attrs: []string{"colspan", "rowspan", "scope"}},

	"a":   {transparent: true, attrs: []string{"href"}},
	"ins": {transparent: true}, "del": {transparent: true},
	"abbr": {phrasing: true}, "b": {phrasing: true}, "bdi": {phrasing: true},
	"cite": {phrasing: true}, "code": {phrasing: true}, "dfn": {phrasing: true},
	"em": {phrasing: true}, "i": {phrasing: true}, "kbd": {phrasing: true},
	"mark": {phrasing: true}, "q": {phrasing: true}, "s": {phrasing: true},
	"samp": {phrasing: true}, "small": {phrasing: true}, "span": {phrasing: true},
	"strong": {phrasing: true}, "sub": {phrasing: true}, "sup": {phrasing: true},
	"u": {phrasing: true}, "var": {phrasing: true},
	"br": {void: true}, "wbr": {void: true},
	"img": {void: true, attrs: []string{"src", "alt", "width", "height"}},
}

// dropped elements (a table read, never written) go with everything inside them: their content is code,
// a form, an embedded object or metadata, never text for a reader.
var dropped = map[string]bool{
	"script": true, "style": true, "template": true, "noscript": true,
	"iframe": true, "object": true, "embed": true, "applet": true,
	"audio": true, "video": true, "canvas": true, "map": true,
	"form": true, "input": true, "button": true, "select": true,
	"textarea": true, "option": true, "datalist": true, "output": true,
	"head": true, "title": true, "meta": true, "link": true, "base": true,
	"frameset": true, "frame": true, "noembed": true, "noframes": true,
	"colgroup": true, "col": true, "param": true, "source": true, "track": true,
	"rp": true,
}

// cleaner holds what one fragment's cleaning must remember.
type cleaner struct {
	ids map[string]bool
}

// clean parses fragment and returns it as cleaned nodes under a root,
// with the ids it carries (links to them may keep their fragment).
func clean(fragment string) (*node, map[string]bool, error) {
	if len(fragment) > maxFragment {
		return nil, nil, fmt.Errorf("HTML fragment is %d bytes, more than the limit of %d", len(fragment), maxFragment)
	}
	fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), body)
	if err != nil {
		return nil, nil, fmt.Errorf("parse HTML fragment: %w", err)
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	c := &cleaner{ids: map[string]bool{}}
	root := &node{tag: "body"}
	if err := c.kids(root, body, false, 0); err != nil {
		return nil, nil, err
	}
	root.kids = fixAll(root.kids)
	return root, c.ids, nil
}

// fixAll gives a list of nodes whose inline elements hold no blocks.
//
// The HTML parser leaves an unclosed <b> open around the paragraphs and
// lists after it, as a browser shows them; XHTML wants phrasing content
// in a <b>. So the inline element moves down: <b>x<ul><li>y</li></ul></b>
// becomes <b>x</b><ul><li><b>y</b></li></ul>, which reads the same.
func fixAll(nodes []*node) []*node {
	var out []*node
	for _, n := range nodes {
		out = append(out, fix(n)...)
	}
	return out
}

func fix(n *node) []*node {
	if n.tag == "" {
		return []*node{n}
	}
	n.kids = fixAll(n.kids)
	spec := elements[n.tag]
	if spec.block || spec.transparent || !anyBlockish(n.kids) {
		return []*node{n}
	}
	first := true
	return pushDown(n, n.kids, &first)
}

// blockish says whether n is a block, or a link (transparent) holding one.
func blockish(n *node) bool {
	if n.tag == "" {
		return false
	}
	spec := elements[n.tag]
	return spec.block || spec.transparent && anyBlockish(n.kids)
}

func anyBlockish(nodes []*node) bool {
	for _, k := range nodes {
		if blockish(k) {
			return true
		}
	}
	return false
}

// pushDown wraps each run of inline nodes in a copy of the inline element
// n and goes into each block to do the same there. Only the first copy
// keeps n's id: ids are unique.
func pushDown(n *node, kids []*node, first *bool) []*node {
	var out, run []*node
	flush := func() {
		if len(run) == 0 {
			return
		}
		if allSpace(run) {
			// Whitespace between list items or rows stays as it is:
			// a list holds no <b>.
			out = append(out, run...)
		} else {
			attrs := n.attrs
			if !*first {
				attrs = with(attrs, "id", "")
			}
			*first = false
			out = append(out, &node{tag: n.tag, attrs: attrs, kids: run})
		}
		run = nil
	}
	for _, k := range kids {
		if !blockish(k) {
			run = append(run, k)
			continue
		}
		flush()
		if !elements[k.tag].void {
			k.kids = pushDown(n, k.kids, first)
		}
		out = append(out, k)
	}
	flush()
	return out
}

func allSpace(nodes []*node) bool {
	for _, k := range nodes {
		if k.tag != "" || strings.TrimSpace(k.text) != "" {
			return false
		}
	}
	return true
}

var errTooDeep = errors.New("HTML fragment nests elements deeper than the limit of " + strconv.Itoa(maxDepth))

// kids cleans n's children into dst. phrasing says dst takes phrasing
// content only.
func (c *cleaner) kids(dst *node, n *html.Node, phrasing bool, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		if err := c.child(dst, k, phrasing, depth); err != nil {
			return err
		}
	}
	switch dst.tag {
	case "figure":
		placeFigcaption(dst)
	case "dl":
		checkGroups(dst)
	case "table":
		orderTable(dst)
	}
	return nil
}

func (c *cleaner) child(dst *node, k *html.Node, phrasing bool, depth int) error {
	switch k.Type {
	case html.TextNode:
		c.text(dst, k.Data)
		return nil
	case html.ElementNode:
	default: // comments, doctypes
		return nil
	}
	tag := k.Data
	if k.Namespace != "" || dropped[tag] {
		return nil
	}
	spec, known := elements[tag]
	if !known || (phrasing && spec.block) || !fits(dst.tag, tag) {
		if spec.void {
			return nil
		}
		// Unwrap: the element goes, its content stays where it was.
		return c.kids(dst, k, phrasing, depth+1)
	}
	if wrap := wrapperFor(dst.tag, tag); wrap != "" {
		w := &node{tag: wrap}
		dst.kids = append(dst.kids, w)
		dst = w
	}
	el := &node{tag: tag, attrs: c.attrs(k, spec)}
	if tag == "li" && dst.tag != "ol" {
		el.attrs = with(el.attrs, "value", "") // an item's number is an ordered list's
	}
	dst.kids = append(dst.kids, el)
	if spec.void {
		return nil
	}
	// A paragraph or heading takes phrasing only, so a block in it is
	// unwrapped. An inline element takes its parent's: in flow, a block
	// in it is kept, and fix moves the element down into the block.
	inner := phrasing
	if spec.block {
		inner = spec.phrasing
	}
	return c.kids(el, k, inner, depth+1)
}

// text adds text to dst, where text is allowed there: a list or a table
// takes only its items and rows, so text in a list becomes an item.
func (c *cleaner) text(dst *node, s string) {
	if s == "" {
		return
	}
	switch dst.tag {
	case "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr":
		if strings.TrimSpace(s) == "" {
			dst.kids = append(dst.kids, &node{text: s})
			return
		}
		switch dst.tag {
		case "ul", "ol":
			dst.kids = append(dst.kids, &node{tag: "li", kids: []*node{{text: s}}})
		case "dl":
			dst.kids = append(dst.kids, &node{tag: "dd", kids: []*node{{text: s}}})
		}
		return
	}
	dst.kids = append(dst.kids, &node{text: s})
}

// fits says whether an element may stand in parent at all (the HTML
// content model); one that may not is unwrapped.
func fits(parent, tag string) bool {
	switch tag {
	case "li":
		return parent == "ul" || parent == "ol"
	case "dt", "dd":
		return parent == "dl"
	case "figcaption":
		return parent == "figure"
	case "caption", "thead", "tbody", "tfoot":
		return parent == "table"
	case "tr":
		return parent == "thead" || parent == "tbody" || parent == "tfoot"
	case "td", "th":
		return parent == "tr"
	}
	switch parent {
	case "table", "thead", "tbody", "tfoot", "tr":
		return false // only the parts above go in a table's parts
	}
	return true
}

// wrapperFor names the element a child needs around it in parent: a list
// holds only items, a definition list only terms and definitions.
func wrapperFor(parent, tag string) string {
	switch parent {
	case "ul", "ol":
		if tag != "li" {
			return "li"
		}
	case "dl":
		if tag != "dt" && tag != "dd" {
			return "dd"
		}
	}
	return ""
}

// placeFigcaption keeps one caption, first or last in its figure, as
// HTML requires; any other becomes a plain division.
func placeFigcaption(fig *node) {
	var els []*node // what the figure shows, text too
	for _, k := range fig.kids {
		if k.tag != "" || strings.TrimSpace(k.text) != "" {
			els = append(els, k)
		}
	}
	kept := false
	for i, k := range els {
		if k.tag != "figcaption" {
			continue
		}
		if !kept && (i == 0 || i == len(els)-1) {
			kept = true
			continue
		}
		k.tag = "div"
	}
}

// orderTable puts a table's parts in the order HTML wants (the parser
// keeps them in the order written): one caption first, one head, the
// bodies, one foot last. A second head or foot becomes a body; a second
// caption goes.
func orderTable(t *node) {
	var caption, head, foot *node
	var bodies []*node
	for _, k := range t.kids {
		switch k.tag {
		case "":
			// whitespace between parts; a table holds no other text
		case "caption":
			if caption == nil {
				caption = k
			}
		case "thead":
			if head == nil {
				head = k
			} else {
				k.tag = "tbody"
				bodies = append(bodies, k)
			}
		case "tfoot":
			if foot == nil {
				foot = k
			} else {
				k.tag = "tbody"
				bodies = append(bodies, k)
			}
		default:
			bodies = append(bodies, k)
		}
	}
	t.kids = t.kids[:0]
	for _, k := range []*node{caption, head} {
		if k != nil {
			t.kids = append(t.kids, k)
		}
	}
	t.kids = append(t.kids, bodies...)
	if foot != nil {
		t.kids = append(t.kids, foot)
	}
}

// checkGroups keeps a definition list whose items come as HTML wants
// them, terms then definitions, and makes any other into divisions.
func checkGroups(dl *node) {
	prev := ""
	ok := true
	for _, k := range dl.kids {
		if k.tag == "" {
			continue
		}
		if k.tag == "dd" && prev == "" {
			ok = false
		}
		prev = k.tag
	}
	if ok && prev != "dt" {
		return
	}
	dl.tag = "div"
	for _, k := range dl.kids {
		if k.tag != "" {
			k.tag = "div"
		}
	}
}

// attrs keeps the attributes an element may carry, with values it may
// carry: an EPUB checker rejects a bad value as it rejects a bad name.
func (c *cleaner) attrs(k *html.Node, spec elementSpec) []attr {
	var out []attr
	seen := map[string]bool{}
	for _, a := range k.Attr {
		if a.Namespace != "" || seen[a.Key] {
			continue
		}
		seen[a.Key] = true
		v := a.Val
		switch a.Key {
		case "id":
			if validID(v) && !c.ids[v] {
				c.ids[v] = true
				out = append(out, attr{"id", v})
			}
			continue
		case "class":
			if v = strings.Join(strings.Fields(v), " "); v != "" {
				out = append(out, attr{"class", v})
			}
			continue
		case "title":
			out = append(out, attr{"title", v})
			continue
		case "lang":
			if validLang(v) {
				// XHTML reads xml:lang, HTML reads lang; a checker wants both, alike.
				out = append(out, attr{"xml:lang", v}, attr{"lang", v})
			}
			continue
		case "dir":
			if v = strings.ToLower(v); v == "ltr" || v == "rtl" || v == "auto" {
				out = append(out, attr{"dir", v})
			}
			continue
		}
		if !contains(spec.attrs, a.Key) {
			continue
		}
		switch a.Key {
		case "href", "src", "alt":
			out = append(out, attr{a.Key, v})
		case "width", "height", "colspan", "rowspan":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 100000 && isDigits(v) {
				if (a.Key == "colspan" || a.Key == "rowspan") && n == 0 {
					continue
				}
				out = append(out, attr{a.Key, strconv.Itoa(n)})
			}
		case "start", "value":
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				out = append(out, attr{a.Key, strconv.Itoa(n)})
			}
		case "reversed":
			out = append(out, attr{"reversed", "reversed"})
		case "type":
			if v == "1" || v == "a" || v == "A" || v == "i" || v == "I" {
				out = append(out, attr{"type", v})
			}
		case "scope":
			if v = strings.ToLower(v); v == "row" || v == "col" || v == "rowgroup" || v == "colgroup" {
				out = append(out, attr{"scope", v})
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validID keeps ids to ASCII names: they must be XML names, and a link's
// fragment must reach them byte for byte.
func validID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// validLang checks the shape of a BCP 47 tag: subtags of 1 to 8 letters
// and digits, the first of letters only.
func validLang(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if sub == "" || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}
