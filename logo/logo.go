// Package logo reduces an uploaded SVG masthead logo to plain shapes that can
// be inlined in the header of every reader page.
//
// The upload comes from an admin account, which may be stolen or careless, and
// the result goes to readers for whom a leaked request or a script is a
// danger. Reader pages carry no JavaScript, a strict CSP and no requests to
// other hosts, and they must stay tiny. So the sanitizer keeps what it can
// prove harmless and rebuilds the markup itself; it never copies input bytes.
//
// The rules, and why:
//
//   - At most 256 KiB of valid UTF-8, parsed strictly by encoding/xml: a logo
//     is small, and anything the parser has to guess about is refused.
//   - No DOCTYPE or other declarations: entities are how billion-laughs
//     expansion and XXE file reads happen. No processing instructions other
//     than the XML declaration: <?xml-stylesheet?> would load a style sheet.
//   - The root is <svg> in the SVG namespace (or none). Nesting deeper than 32
//     or more than 5,000 elements is refused, bounding the work on hostile
//     input; a real logo needs neither.
//   - The viewBox is kept (rewritten from its numbers) or made from a width and
//     height in px, because the page scales the logo to its header and needs
//     the aspect ratio; a size in cm or % has no meaning there.
//   - Only g, path, rect, circle, ellipse, line, polyline and polygon survive.
//     Everything else goes with its subtree: scripts, styles, links, images,
//     <use> and gradients/filters/masks can run code, fetch from other hosts or
//     reference things by URL; text needs fonts we do not ship; metadata and
//     titles are bytes no reader sees. Shapes do not contain elements.
//   - Only geometry attributes of the element and a fixed set of presentation
//     attributes survive, and each value must parse as plain numbers, colours
//     or keywords: event handlers, href, id/class (which would meet the page's
//     own CSS and fragment links) and url() references are how an SVG reaches
//     outside itself. A style attribute is read as declarations of those same
//     presentation properties, because editors such as Inkscape put every
//     colour there; its other properties are dropped.
//   - Presentation attributes on the root move onto a <g> around the drawing,
//     since the page writes its own <svg> element.
//   - Text, comments and CDATA are dropped: only shapes draw.
//   - The result must draw something and be at most 16 KiB, because it is in
//     every reader page.
//
// The output is serialized by us: self-closing elements, attributes in a
// fixed order, values HTML-escaped, so it is safe inside an <svg> element in
// an HTML page and sanitizing it again changes nothing.
package logo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the upload and the result.
const (
	MaxInput    = 256 << 10 // bytes of upload
	MaxInner    = 16 << 10  // bytes of sanitized shapes
	MaxDepth    = 32        // element nesting, the root counting as 1
	MaxElements = 5000      // elements, kept or not
)

// NS is the SVG namespace.
const NS = "http://www.w3.org/2000/svg"

// maxDropped bounds the list of what was removed, which people read.
const maxDropped = 100

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// SVG is a logo reduced to shapes.
type SVG struct {
	// ViewBox is "minX minY width height", numbers formatted compactly.
	ViewBox string
	// Width and Height are the viewBox's (both > 0), for the page to keep
	// the logo's aspect ratio.
	Width, Height float64
	// Inner is the sanitized children of <svg>, serialized by this package,
	// safe to insert as template.HTML inside an <svg> element.
	Inner []byte
	// Dropped says what was removed, de-duplicated, in document order, e.g.
	// "<script>", "attribute onclick", "url() reference in fill".
	Dropped []string
}

// frame is one open element of the input.
type frame struct {
	tag       string // what we wrote for it ("g", "path", ...), "" if nothing
	open      bool   // our start tag still lacks its ">" or "/>"
	container bool   // kept children may go inside (root or g)
	dropped   bool   // inside a removed subtree
}

type sanitizer struct {
	out      bytes.Buffer
	dropped  []string
	seen     map[string]bool
	prefixes map[string]string // namespace URL to the prefix the input used, for messages
	stack    []frame
	extra    int // 1 when the root's attributes became a <g>: it counts towards the limits
	elements int
	shapes   int
}

// Sanitize parses an uploaded SVG and returns it reduced to shapes, or an
// error saying why it cannot be used.
func Sanitize(data []byte) (*SVG, error) {
	if len(data) == 0 {
		return nil, errors.New("logo: empty file")
	}
	if len(data) > MaxInput {
		return nil, fmt.Errorf("logo: %d KB, at most %d KB", kb(len(data)), MaxInput>>10)
	}
	if i := invalidUTF8(data); i >= 0 {
		return nil, fmt.Errorf("logo: not UTF-8 at byte %d", i)
	}
	// encoding/xml would take a byte order mark for text before the root.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))

	s := &sanitizer{
		seen:     map[string]bool{},
		prefixes: map[string]string{xmlNS: "xml"},
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var logo *SVG
	rootDone := false
	for tokens := 0; ; tokens++ {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("logo: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errors.New("logo: <!DOCTYPE> and other declarations are not allowed: entities can expand without bound or read local files")
		case xml.ProcInst:
			if t.Target != "xml" || tokens != 0 {
				return nil, fmt.Errorf("logo: processing instruction <?%s?> not allowed", clip(t.Target))
			}
		case xml.Comment:
		case xml.CharData:
			if len(s.stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("logo: text outside <svg>")
			}
		case xml.StartElement:
			s.learnPrefixes(t)
			if rootDone {
				return nil, errors.New("logo: content after </svg>")
			}
			s.elements++
			if s.elements+s.extra > MaxElements {
				return nil, fmt.Errorf("logo: more than %d elements", MaxElements)
			}
			if len(s.stack) == 0 {
				logo, err = s.root(t)
				if err != nil {
					return nil, err
				}
				continue
			}
			if len(s.stack)+1+s.extra > MaxDepth {
				return nil, fmt.Errorf("logo: elements nested more than %d deep", MaxDepth)
			}
			s.start(t)
		case xml.EndElement:
			s.end()
			if len(s.stack) == 0 {
				rootDone = true
			}
		}
	}
	if logo == nil {
		return nil, errors.New("logo: no <svg> element")
	}
	if s.shapes == 0 {
		if len(s.dropped) == 0 {
			return nil, errors.New("logo: no shapes to draw")
		}
		list := s.dropped
		more := ""
		if len(list) > 5 {
			list, more = list[:5], ", …"
		}
		return nil, fmt.Errorf("logo: no shapes left after removing %s%s", strings.Join(list, ", "), more)
	}
	if s.out.Len() > MaxInner {
		return nil, fmt.Errorf("logo: %d KB of shapes, at most %d KB: simplify the drawing", kb(s.out.Len()), MaxInner>>10)
	}
	logo.Inner = s.out.Bytes()
	logo.Dropped = s.dropped
	return logo, nil
}

// root checks the root element, takes the viewBox from it and opens a <g> for
// its presentation attributes.
func (s *sanitizer) root(t xml.StartElement) (*SVG, error) {
	if t.Name.Local != "svg" {
		return nil, fmt.Errorf("logo: the root element is <%s>, not <svg>", s.display(t.Name))
	}
	if t.Name.Space != "" && t.Name.Space != NS {
		return nil, fmt.Errorf("logo: the root <svg> is in namespace %q, not %s", clip(t.Name.Space), NS)
	}
	var viewBox, width, height *string
	var rest []xml.Attr
	for i, a := range t.Attr {
		v := &t.Attr[i].Value
		switch {
		case isNSDecl(a.Name):
		case a.Name.Space != "":
			rest = append(rest, a)
		case a.Name.Local == "viewBox":
			viewBox = v
		case a.Name.Local == "width":
			width = v
		case a.Name.Local == "height":
			height = v
		// Meaningless once the page writes its own <svg>, and harmless.
		case a.Name.Local == "x", a.Name.Local == "y", a.Name.Local == "version", a.Name.Local == "baseProfile":
		default:
			rest = append(rest, a)
		}
	}
	logo := &SVG{}
	if viewBox != nil {
		f := strings.FieldsFunc(*viewBox, func(r rune) bool { return r == ',' || isSpace(r) })
		var n [4]float64
		ok := len(f) == 4
		for i := 0; ok && i < 4; i++ {
			n[i], ok = number(f[i])
		}
		if !ok || n[2] <= 0 || n[3] <= 0 {
			return nil, fmt.Errorf("logo: viewBox %q is not four numbers with a positive width and height", clip(*viewBox))
		}
		logo.ViewBox = formatNum(n[0]) + " " + formatNum(n[1]) + " " + formatNum(n[2]) + " " + formatNum(n[3])
		logo.Width, logo.Height = n[2], n[3]
	} else {
		if width == nil || height == nil {
			return nil, errors.New("logo: no viewBox, and no width and height to make one from")
		}
		for _, p := range []struct {
			name string
			v    string
			to   *float64
		}{{"width", *width, &logo.Width}, {"height", *height, &logo.Height}} {
			n, ok := length(p.v)
			if !ok || n <= 0 {
				return nil, fmt.Errorf("logo: no viewBox, and %s %q is not a positive number of px", p.name, clip(p.v))
			}
			*p.to = n
		}
		logo.ViewBox = "0 0 " + formatNum(logo.Width) + " " + formatNum(logo.Height)
	}

	t.Attr = rest
	f := frame{container: true}
	if attrs := s.attrs(t, "g"); len(attrs) > 0 {
		s.extra = 1
		s.write("g", attrs)
		f.tag, f.open = "g", true
	}
	s.stack = append(s.stack, f)
	return logo, nil
}

func (s *sanitizer) start(t xml.StartElement) {
	parent := &s.stack[len(s.stack)-1]
	switch {
	case parent.dropped:
		s.stack = append(s.stack, frame{dropped: true})
		return
	case !parent.container, !keptElement(t.Name):
		s.drop("<" + s.display(t.Name) + ">")
		s.stack = append(s.stack, frame{dropped: true})
		return
	}
	name := t.Name.Local
	attrs := s.attrs(t, name)
	if drawable(name, attrs) {
		s.shapes++
	}
	if parent.open {
		s.out.WriteByte('>')
		parent.open = false
	}
	s.write(name, attrs)
	s.stack = append(s.stack, frame{tag: name, open: true, container: name == "g"})
}

func (s *sanitizer) end() {
	f := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	switch {
	case f.tag == "":
	case f.open:
		s.out.WriteString("/>")
	default:
		s.out.WriteString("</" + f.tag + ">")
	}
}

type attr struct{ name, value string }

// write writes a start tag without its end, so that end can choose "/>".
func (s *sanitizer) write(name string, attrs []attr) {
	s.out.WriteString("<" + name)
	for _, a := range attrs {
		s.out.WriteString(" " + a.name + `="` + html.EscapeString(a.value) + `"`)
	}
}

// attrs returns the attributes of t that element kept as name may carry, in
// our order, and lists the rest as dropped.
func (s *sanitizer) attrs(t xml.StartElement, name string) []attr {
	kept := map[string]string{}
	var style *string
	for i, a := range t.Attr {
		switch {
		case isNSDecl(a.Name):
		case a.Name.Space == "" && a.Name.Local == "style":
			style = &t.Attr[i].Value
		case a.Name.Space != "" || !allowedAttr(name, a.Name.Local):
			s.drop("attribute " + s.display(a.Name))
		default:
			if v, ok := s.value(a.Name.Local, a.Value); ok {
				kept[a.Name.Local] = v
			}
		}
	}
	// A declaration in style outranks the attribute, as in CSS.
	if style != nil {
		for _, decl := range strings.Split(*style, ";") {
			if strings.TrimSpace(decl) == "" {
				continue
			}
			prop, v, ok := strings.Cut(decl, ":")
			prop = strings.ToLower(strings.TrimSpace(prop))
			switch {
			case !ok || !cssIdent(prop):
				s.drop("invalid style")
			case !presentation(prop):
				s.drop("style property " + prop)
			default:
				if v, ok := s.value(prop, v); ok {
					kept[prop] = v
				}
			}
		}
	}
	out := make([]attr, 0, len(kept))
	for k, v := range kept {
		out = append(out, attr{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return rank(out[i].name) < rank(out[j].name) })
	return out
}

// value returns the canonical form of a kept attribute's value, or lists the
// attribute as dropped.
func (s *sanitizer) value(name, v string) (string, bool) {
	if strings.Contains(strings.ToLower(v), "url(") {
		s.drop("url() reference in " + name)
		return "", false
	}
	v, ok := canonical(name, strings.TrimSpace(v))
	if !ok {
		s.drop("invalid " + name)
	}
	return v, ok
}

func (s *sanitizer) drop(what string) {
	if len(s.dropped) == maxDropped {
		// A hostile file can invent a new name per element.
		s.dropped = append(s.dropped, "and more")
	}
	if len(s.dropped) > maxDropped {
		return
	}
	if !s.seen[what] {
		s.seen[what] = true
		s.dropped = append(s.dropped, what)
	}
}

func (s *sanitizer) learnPrefixes(t xml.StartElement) {
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" {
			if _, ok := s.prefixes[a.Value]; !ok {
				s.prefixes[a.Value] = a.Name.Local
			}
		}
	}
}

// display names an element or attribute the way the input spelled it, as far
// as encoding/xml lets us see.
func (s *sanitizer) display(n xml.Name) string {
	return clip(s.name(n))
}

func (s *sanitizer) name(n xml.Name) string {
	if n.Space == "" || n.Space == NS {
		return n.Local
	}
	if p, ok := s.prefixes[n.Space]; ok {
		return p + ":" + n.Local
	}
	if !strings.ContainsAny(n.Space, ":/") { // an undeclared prefix
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func isNSDecl(n xml.Name) bool {
	return n.Space == "xmlns" || n.Space == "" && n.Local == "xmlns"
}

func keptElement(n xml.Name) bool {
	if n.Space != "" && n.Space != NS {
		return false
	}
	switch n.Local {
	case "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon":
		return true
	}
	return false
}

// drawable reports whether a shape has the geometry without which it draws
// nothing, so that a file of empty groups is refused.
func drawable(name string, attrs []attr) bool {
	has := func(n string) bool {
		for _, a := range attrs {
			if a.name == n {
				return true
			}
		}
		return false
	}
	switch name {
	case "path":
		return has("d")
	case "rect":
		return has("width") && has("height")
	case "circle":
		return has("r")
	case "ellipse":
		return has("rx") || has("ry")
	case "line":
		return true
	case "polyline", "polygon":
		return has("points")
	}
	return false
}

func presentation(name string) bool {
	switch name {
	case "transform", "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width",
		"stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
		"opacity", "clip-rule":
		return true
	}
	return false
}

func allowedAttr(elem, name string) bool {
	if presentation(name) {
		return true
	}
	switch elem {
	case "path":
		return name == "d"
	case "rect":
		return name == "x" || name == "y" || name == "width" || name == "height" || name == "rx" || name == "ry"
	case "circle":
		return name == "cx" || name == "cy" || name == "r"
	case "ellipse":
		return name == "cx" || name == "cy" || name == "rx" || name == "ry"
	case "line":
		return name == "x1" || name == "y1" || name == "x2" || name == "y2"
	case "polyline", "polygon":
		return name == "points"
	}
	return false
}

// rank fixes the order of attributes in the output: geometry, then paint.
func rank(name string) int {
	for i, n := range [...]string{
		"d", "points", "x", "y", "width", "height", "cx", "cy", "r", "rx", "ry",
		"x1", "y1", "x2", "y2", "transform", "fill", "fill-rule", "fill-opacity",
		"stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
		"stroke-miterlimit", "stroke-opacity", "opacity", "clip-rule",
	} {
		if n == name {
			return i
		}
	}
	return 100
}

// canonical validates v as the value of attribute name and returns the form
// we write.
func canonical(name, v string) (string, bool) {
	switch name {
	case "d":
		return pathData(v, "MmZzLlHhVvCcSsQqTtAa")
	case "points":
		return pathData(v, "")
	case "transform":
		return transform(v)
	case "fill", "stroke":
		return color(v)
	case "fill-rule", "clip-rule":
		return keyword(v, "nonzero", "evenodd")
	case "stroke-linecap":
		return keyword(v, "butt", "round", "square")
	case "stroke-linejoin":
		return keyword(v, "miter", "round", "bevel")
	case "fill-opacity", "stroke-opacity", "opacity":
		n, ok := number(v)
		return formatNum(n), ok
	case "x", "y", "cx", "cy", "x1", "y1", "x2", "y2":
		n, ok := length(v)
		return formatNum(n), ok
	case "width", "height", "r", "rx", "ry", "stroke-width":
		n, ok := length(v)
		return formatNum(n), ok && n >= 0
	case "stroke-miterlimit":
		n, ok := number(v)
		return formatNum(n), ok && n >= 1
	}
	return "", false
}

func keyword(v string, allowed ...string) (string, bool) {
	for _, a := range allowed {
		if v == a {
			return v, true
		}
	}
	return "", false
}

// pathData checks path data or a points list against a character set and
// collapses its white space; the browser parses the numbers.
func pathData(v, letters string) (string, bool) {
	var b strings.Builder
	space := false
	for _, r := range v {
		switch {
		case isSpace(r):
			space = true
			continue
		case r >= '0' && r <= '9', r == '.', r == ',', r == '+', r == '-', r == 'e', r == 'E',
			strings.ContainsRune(letters, r):
		default:
			return "", false
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String(), b.Len() > 0
}

// transform accepts a list of the six SVG transform functions with numeric
// arguments and writes it back with single spaces.
func transform(v string) (string, bool) {
	var out []string
	rest := v
	for {
		rest = strings.TrimLeftFunc(rest, func(r rune) bool { return r == ',' || isSpace(r) })
		if rest == "" {
			break
		}
		open := strings.IndexByte(rest, '(')
		shut := strings.IndexByte(rest, ')')
		if open < 0 || shut < open {
			return "", false
		}
		fn := strings.TrimRightFunc(rest[:open], isSpace)
		args := strings.FieldsFunc(rest[open+1:shut], func(r rune) bool { return r == ',' || isSpace(r) })
		rest = rest[shut+1:]
		var counts []int
		switch fn {
		case "matrix":
			counts = []int{6}
		case "translate", "scale":
			counts = []int{1, 2}
		case "rotate":
			counts = []int{1, 3}
		case "skewX", "skewY":
			counts = []int{1}
		default:
			return "", false
		}
		okCount := false
		for _, c := range counts {
			okCount = okCount || len(args) == c
		}
		if !okCount {
			return "", false
		}
		for i, a := range args {
			n, ok := number(a)
			if !ok {
				return "", false
			}
			args[i] = formatNum(n)
		}
		out = append(out, fn+"("+strings.Join(args, " ")+")")
	}
	return strings.Join(out, " "), len(out) > 0
}

// color accepts the colour syntaxes that cannot refer to anything: hex,
// rgb()/rgba() of numbers or percentages, and a few names.
func color(v string) (string, bool) {
	lower := strings.ToLower(v)
	if strings.HasPrefix(lower, "#") {
		hex := lower[1:]
		switch len(hex) {
		case 3, 4, 6, 8:
		default:
			return "", false
		}
		for _, c := range hex {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return "", false
			}
		}
		return lower, true
	}
	if fn, ok := strings.CutSuffix(lower, ")"); ok {
		name, args, ok := strings.Cut(fn, "(")
		parts := strings.Split(args, ",")
		if !ok || !(name == "rgb" && len(parts) == 3 || name == "rgba" && len(parts) == 4) {
			return "", false
		}
		var pcts int
		for i, p := range parts {
			p = strings.TrimSpace(p)
			pct := strings.HasSuffix(p, "%")
			n, ok := number(strings.TrimSuffix(p, "%"))
			if !ok {
				return "", false
			}
			if pct && i < 3 {
				pcts++
			}
			parts[i] = formatNum(n)
			if pct {
				parts[i] += "%"
			}
		}
		if pcts != 0 && pcts != 3 { // CSS has red, green and blue all numbers or all percentages
			return "", false
		}
		return name + "(" + strings.Join(parts, ",") + ")", true
	}
	switch lower {
	case "none", "transparent", "black", "white", "red", "green", "blue", "yellow",
		"orange", "purple", "gray", "grey", "silver", "maroon", "navy", "teal",
		"olive", "lime", "aqua", "fuchsia":
		return lower, true
	case "currentcolor":
		return "currentColor", true
	}
	return "", false
}

// length is a number, optionally in px: other units depend on a context the
// logo does not have.
func length(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if len(v) > 2 && strings.EqualFold(v[len(v)-2:], "px") {
		v = v[:len(v)-2]
	}
	return number(v)
}

// number accepts SVG's number syntax only (no hex, no Inf, no NaN, no
// underscores, all of which strconv would take) with a finite value.
func number(v string) (float64, bool) {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	digits := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(v) && v[i] == '.' {
		i++
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		exp := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(v) {
		return 0, false
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, false
	}
	return n, true
}

// formatNum writes a number as short as it can be read back exactly, plain
// decimal unless that would be long.
func formatNum(n float64) string {
	if n == 0 {
		return "0" // and not "-0"
	}
	if a := math.Abs(n); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	s := strconv.FormatFloat(n, 'g', -1, 64)
	// strconv writes at least two exponent digits and its sign: 1e-09, 1e+21.
	mant, exp, _ := strings.Cut(s, "e")
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	return mant + "e" + sign + strings.TrimLeft(exp[1:], "0")
}

func cssIdent(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

func kb(n int) int { return (n + 1023) / 1024 }

// clip shortens input quoted in an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
