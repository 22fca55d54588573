package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"golang.org/x/text/encoding/charmap"
)

// g2NS is the namespace of NewsML-G2 (and of the NAR it is built on).
const g2NS = "http://iptc.org/std/nar/2006-10-01/"

// singleByte are the encodings besides UTF-8 that a NewsML-G2 file may
// declare and still be read: the Western ones older agency systems (AP's
// among them) still emit. Each maps every byte, so converting cannot fail
// or smuggle anything in; anything else is refused rather than guessed.
var singleByte = map[string]*charmap.Charmap{
	"iso-8859-1":   charmap.ISO8859_1,
	"iso_8859-1":   charmap.ISO8859_1,
	"latin1":       charmap.ISO8859_1,
	"l1":           charmap.ISO8859_1,
	"windows-1252": charmap.Windows1252,
	"cp1252":       charmap.Windows1252,
	"iso-8859-15":  charmap.ISO8859_15,
	"latin-9":      charmap.ISO8859_15,
}

var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']`)

// toUTF8 converts a file in a declared single-byte encoding, and checks
// the rest is UTF-8. It returns the encoding's label when it converted.
func toUTF8(data []byte) ([]byte, string, error) {
	label := ""
	if m := xmlDecl.FindSubmatch(data); m != nil {
		label = strings.ToLower(strings.TrimSpace(string(m[1])))
	}
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if !utf8.Valid(data) {
			return nil, "", errors.New("the file is not UTF-8, and declares no encoding that it could be")
		}
		return data, "", nil
	}
	cm, ok := singleByte[label]
	if !ok {
		return nil, "", fmt.Errorf("the encoding %q is not read (UTF-8, ISO-8859-1, ISO-8859-15 and Windows-1252 are)", prefixString(label))
	}
	out, err := cm.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", fmt.Errorf("converting from %s: %w", label, err)
	}
	return out, label, nil
}

// newDecoder is encoding/xml in its strict mode, knowing no entities but
// XML's five; a file already converted to UTF-8 passes through its
// declared encoding's reader unchanged.
func newDecoder(data []byte, converted string) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if converted != "" && strings.EqualFold(label, converted) {
			return r, nil
		}
		return nil, fmt.Errorf("the encoding %q is not read", label)
	}
	return d
}

// g2Items are the elements of a newsMessage's itemSet, counted for the
// MaxItems limit before anything is decoded.
var g2Items = map[string]bool{
	"newsItem": true, "packageItem": true, "conceptItem": true,
	"knowledgeItem": true, "planningItem": true, "catalogItem": true,
}

// prescan walks the whole document once before anything is decoded, to
// refuse what the decoder would let through or spend on: a DOCTYPE (the
// only way to declare entities, so billion laughs and XXE both start
// there; encoding/xml would pass it over as a directive and then fail on
// the entity, with a less clear error), nesting beyond maxDepth, content
// after the root, and a newsMessage with too many items. It returns the
// root element.
func prescan(data []byte, converted string) (xml.Name, error) {
	d := newDecoder(data, converted)
	var (
		root     xml.Name
		depth    int
		items    int
		elements int
		done     bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return root, fmt.Errorf("not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			line, _ := d.InputPos()
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("ENTITY")) || bytes.Contains(t, []byte("<!ENTITY")) {
				return root, fmt.Errorf("line %d: entity declarations are refused", line)
			}
			return root, fmt.Errorf("line %d: DOCTYPE declarations are refused (they can declare entities)", line)
		case xml.StartElement:
			if done {
				return root, errors.New("not well-formed: content after the root element")
			}
			if depth == 0 {
				root = t.Name
			}
			depth++
			if elements++; elements > maxElements {
				return root, fmt.Errorf("more than %d elements", maxElements)
			}
			if depth > maxDepth {
				line, _ := d.InputPos()
				return root, fmt.Errorf("line %d: elements nested more than %d deep", line, maxDepth)
			}
			if depth == 3 && root.Local == "newsMessage" && g2Items[t.Name.Local] {
				if items++; items > MaxItems {
					return root, fmt.Errorf("the newsMessage carries more than %d items", MaxItems)
				}
			}
		case xml.EndElement:
			depth--
			done = depth == 0
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return root, errors.New("not well-formed: text outside the root element")
			}
		}
	}
	if root.Local == "" {
		return root, errors.New("not well-formed: no root element")
	}
	return root, nil
}

// The NewsML-G2 elements read. Element names are matched without their
// namespace, as encoding/xml does, but the root's is checked.

type g2Message struct {
	Header struct {
		Sender string `xml:"sender"`
	} `xml:"header"`
	ItemSet struct {
		Items []g2Item `xml:",any"`
	} `xml:"itemSet"`
}

type g2Item struct {
	XMLName     xml.Name
	GUID        string        `xml:"guid,attr"`
	Version     string        `xml:"version,attr"`
	Lang        string        `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Embargoed   string        `xml:"embargoed,attr"`
	RightsInfo  []g2Rights    `xml:"rightsInfo"`
	ItemMeta    *g2ItemMeta   `xml:"itemMeta"`
	ContentMeta g2ContentMeta `xml:"contentMeta"`
	Assert      []g2Flex      `xml:"assert"`
	ContentSet  g2ContentSet  `xml:"contentSet"`
	Groups      []g2Group     `xml:"groupSet>group"`
	ItemRefs    []g2ItemRef   `xml:"itemRef"` // as the abbreviated listings put them
}

type g2Rights struct {
	CopyrightHolder g2Flex `xml:"copyrightHolder"`
}

type g2ItemMeta struct {
	ItemClass      g2Flex   `xml:"itemClass"`
	Provider       g2Flex   `xml:"provider"`
	VersionCreated string   `xml:"versionCreated"`
	FirstCreated   string   `xml:"firstCreated"`
	Embargoed      string   `xml:"embargoed"`
	Links          []g2Link `xml:"link"`
}

type g2Link struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

type g2ContentMeta struct {
	Urgency     string   `xml:"urgency"`
	Located     []g2Flex `xml:"located"`
	Dateline    []g2Text `xml:"dateline"`
	By          []g2Text `xml:"by"`
	Creator     []g2Flex `xml:"creator"`
	InfoSource  []g2Flex `xml:"infoSource"`
	Language    []g2Flex `xml:"language"`
	Subject     []g2Flex `xml:"subject"`
	Headline    []g2Text `xml:"headline"`
	Description []g2Text `xml:"description"`
	Creditline  []g2Text `xml:"creditline"`
}

// g2Flex is a concept: a qcode, uri or literal, names in several
// languages, and broader concepts (a city's country).
type g2Flex struct {
	QCode   string   `xml:"qcode,attr"`
	URI     string   `xml:"uri,attr"`
	Literal string   `xml:"literal,attr"`
	Role    string   `xml:"role,attr"`
	Type    string   `xml:"type,attr"`
	Tag     string   `xml:"tag,attr"` // of <language>
	Names   []g2Text `xml:"name"`
	Broader []g2Flex `xml:"broader"`
}

// g2Text is a text element and all the text inside it, markup (a <span>
// in a headline) dropped.
type g2Text struct {
	Lang  string
	Role  string
	Value string
}

func (t *g2Text) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, a := range start.Attr {
		switch {
		case a.Name.Local == "lang" && a.Name.Space == "http://www.w3.org/XML/1998/namespace":
			t.Lang = a.Value
		case a.Name.Local == "role" && a.Name.Space == "":
			t.Role = a.Value
		}
	}
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch x := tok.(type) {
		case xml.StartElement:
			depth++
			if blockNames[strings.ToLower(x.Name.Local)] {
				b.WriteByte(' ')
			}
		case xml.EndElement:
			depth--
			if blockNames[strings.ToLower(x.Name.Local)] {
				b.WriteByte(' ')
			}
		case xml.CharData:
			b.Write(x)
		}
	}
	t.Value = collapse(b.String())
	return nil
}

type g2ContentSet struct {
	Inline     []g2Inline `xml:"inlineXML"`
	InlineData []g2Data   `xml:"inlineData"`
	Remote     []g2Remote `xml:"remoteContent"`
}

// g2Data is a plain-text body, its line breaks kept: they end paragraphs.
type g2Data struct {
	Value string `xml:",chardata"`
}

type g2Remote struct {
	Href        string `xml:"href,attr"`
	ContentType string `xml:"contenttype,attr"`
	Width       string `xml:"width,attr"`
	Height      string `xml:"height,attr"`
}

type g2Group struct {
	ItemRefs []g2ItemRef `xml:"itemRef"`
}

type g2ItemRef struct {
	Residref    string   `xml:"residref,attr"`
	Version     string   `xml:"version,attr"`
	ItemClass   g2Flex   `xml:"itemClass"`
	Provider    g2Flex   `xml:"provider"`
	Title       []g2Text `xml:"title"`
	Description []g2Text `xml:"description"`
}

// g2Inline is an inlineXML body, already made into HTML by walkInline.
type g2Inline struct{ inline }

func (g *g2Inline) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	in, err := walkInline(d, start)
	g.inline = in
	return err
}

func parseG2(data []byte) ([]Item, error) {
	data, converted, err := toUTF8(data)
	if err != nil {
		return nil, fmt.Errorf("newsml-g2: %w", err)
	}
	root, err := prescan(data, converted)
	if err != nil {
		return nil, fmt.Errorf("newsml-g2: %w", err)
	}
	if root.Space == "http://www.w3.org/2001/XMLSchema" {
		return nil, errors.New("wire: the file is an XML Schema, not news")
	}
	if root.Space != g2NS {
		return nil, fmt.Errorf("wire: <%s> in namespace %q is neither NewsML-G2 nor ninjs", prefixString(root.Local), prefixString(root.Space))
	}
	p := &g2Parser{conv: newConverter()}
	d := newDecoder(data, converted)
	switch root.Local {
	case "newsItem", "packageItem":
		var x g2Item
		if err := d.Decode(&x); err != nil {
			return nil, fmt.Errorf("newsml-g2: reading the %s: %w", root.Local, err)
		}
		return p.items([]g2Item{x}, "")
	case "newsMessage":
		var m g2Message
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("newsml-g2: reading the newsMessage: %w", err)
		}
		return p.items(m.ItemSet.Items, collapse(m.Header.Sender))
	}
	return nil, fmt.Errorf("newsml-g2: a <%s> is not news: only newsItem, packageItem and newsMessage are read", prefixString(root.Local))
}

type g2Parser struct {
	conv *converter.Converter
}

// items reads the items of a file in order. A package's references to
// items the file also carries are those items; the others become Items
// marked Reference, if they say enough to be listed (a GUID, and a title
// for text), and are otherwise skipped. Items other than news (concepts,
// planning) are skipped.
func (p *g2Parser) items(xs []g2Item, sender string) ([]Item, error) {
	carried := make(map[string]bool)
	for _, x := range xs {
		carried[collapse(x.GUID)] = true
	}
	var out []Item
	for i := range xs {
		x := &xs[i]
		where := fmt.Sprintf("<%s>", x.XMLName.Local)
		if len(xs) > 1 {
			where = fmt.Sprintf("item %d, <%s>", i+1, x.XMLName.Local)
		}
		switch x.XMLName.Local {
		case "newsItem":
			it, err := p.newsItem(x, sender)
			if err != nil {
				return nil, fmt.Errorf("newsml-g2: %s: %w", where, err)
			}
			out = append(out, it)
		case "packageItem":
			refs, err := p.references(x, sender, carried)
			if err != nil {
				return nil, fmt.Errorf("newsml-g2: %s: %w", where, err)
			}
			out = append(out, refs...)
		}
	}
	return out, nil
}

// g2Types are the IPTC news item natures; a newsItem without one (as the
// abbreviated listings of the NewsML-G2 guide have) is "unknown".
var g2Types = map[string]bool{
	"text": true, "picture": true, "graphic": true, "video": true, "audio": true,
	"composite": true, "interactive": true, "animation": true,
}

func itemType(class g2Flex) string {
	c := firstNonEmpty(class.QCode, class.URI)
	if i := strings.LastIndexAny(c, ":/"); i >= 0 {
		c = c[i+1:]
	}
	if c = strings.ToLower(c); g2Types[c] {
		return c
	}
	return "unknown"
}

// code is what a qcode says after its scheme ("REUTERS" of
// "nprov:REUTERS").
func code(qcode string) string {
	if i := strings.IndexByte(qcode, ':'); i >= 0 {
		return qcode[i+1:]
	}
	return qcode
}

func (p *g2Parser) newsItem(x *g2Item, sender string) (Item, error) {
	it := Item{Format: "newsml-g2", GUID: collapse(x.GUID)}
	if it.GUID == "" {
		return it, errors.New("the guid attribute is required")
	}
	it.Version = firstNonEmpty(x.Version, "1") // the schema's default
	meta := x.ItemMeta
	if meta == nil {
		meta = &g2ItemMeta{}
	}
	cm := &x.ContentMeta
	it.Type = itemType(meta.ItemClass)
	for _, l := range cm.Language {
		if it.Language = collapse(l.Tag); it.Language != "" {
			break
		}
	}
	it.Language = firstNonEmpty(it.Language, x.Lang)
	if h, ok := pickText(cm.Headline, it.Language, ""); ok {
		it.Headline = h.Value
		it.Language = firstNonEmpty(it.Language, h.Lang)
	}
	if it.Type == "text" && it.Headline == "" {
		return it, errors.New("<headline> is required for a text item")
	}

	var err error
	if it.Sent, err = parseTime(firstNonEmpty(meta.VersionCreated, meta.FirstCreated)); err != nil {
		return it, fmt.Errorf("<versionCreated>: %w", err)
	}
	if it.Embargo, err = parseTime(firstNonEmpty(meta.Embargoed, x.Embargoed)); err != nil {
		return it, fmt.Errorf("<embargoed>: %w", err)
	}
	if it.Urgency, err = parseUrgency(cm.Urgency); err != nil {
		return it, fmt.Errorf("<urgency>: %w", err)
	}

	var holder, isProvider string
	for _, r := range x.RightsInfo {
		holder = firstNonEmpty(holder, pickName(r.CopyrightHolder.Names, it.Language))
	}
	for _, s := range cm.InfoSource {
		if strings.HasSuffix(s.Role, "provider") {
			isProvider = firstNonEmpty(isProvider, pickName(s.Names, it.Language))
		}
	}
	it.Provider = firstNonEmpty(pickName(meta.Provider.Names, it.Language), isProvider,
		code(meta.Provider.QCode), meta.Provider.Literal, holder, hostOf(meta.Provider.URI), sender)

	if d, ok := pickText(cm.Dateline, it.Language, ""); ok {
		it.Dateline = d.Value
	}
	if it.Dateline == "" && len(cm.Located) > 0 {
		it.Dateline = place(cm.Located[0], it.Language)
	}
	for _, b := range cm.By {
		it.Bylines = appendUnique(it.Bylines, b.Value)
	}
	if len(it.Bylines) == 0 {
		for _, c := range cm.Creator {
			it.Bylines = appendUnique(it.Bylines, pickName(c.Names, it.Language))
		}
	}
	asserted := make(map[string]string)
	for _, a := range x.Assert {
		if n := pickName(a.Names, it.Language); n != "" {
			for _, k := range []string{a.QCode, a.Literal, a.URI} {
				if k != "" {
					asserted[k] = n
				}
			}
		}
	}
	for _, s := range cm.Subject {
		n := pickName(s.Names, it.Language)
		if n == "" {
			n = firstNonEmpty(asserted[s.QCode], asserted[s.Literal], asserted[s.URI])
		}
		it.Subjects = appendUnique(it.Subjects, n)
	}
	var caption, summary string
	for _, d := range cm.Description {
		switch {
		case strings.HasSuffix(d.Role, "caption"):
			caption = firstNonEmpty(caption, d.Value)
		case d.Role == "" || strings.HasSuffix(d.Role, "summary") || strings.HasSuffix(d.Role, "abstract"):
			summary = firstNonEmpty(summary, d.Value)
		}
	}
	for _, l := range meta.Links {
		if (strings.HasSuffix(l.Rel, ":self") || strings.HasSuffix(l.Rel, "canonical")) && isWebAddress(l.Href) {
			it.Source = l.Href
			break
		}
	}
	if it.Source == "" && isWebAddress(it.GUID) {
		it.Source = it.GUID
	}

	switch it.Type {
	case "picture":
		var rs []Rendition
		for _, r := range x.ContentSet.Remote {
			if strings.TrimSpace(r.Href) == "" || !isImage(r.ContentType) {
				continue
			}
			w, err := dimension(r.Width)
			if err != nil {
				return it, fmt.Errorf("<remoteContent> width: %w", err)
			}
			h, err := dimension(r.Height)
			if err != nil {
				return it, fmt.Errorf("<remoteContent> height: %w", err)
			}
			rs = append(rs, Rendition{Href: strings.TrimSpace(r.Href), ContentType: collapse(r.ContentType), Width: w, Height: h})
		}
		sortRenditions(rs)
		credit := ""
		if c, ok := pickText(cm.Creditline, it.Language, ""); ok {
			credit = c.Value
		}
		if credit == "" && len(it.Bylines) > 0 {
			credit = it.Bylines[0]
		}
		it.Summary = summary
		it.Pictures = []Picture{{
			Renditions: rs,
			Caption:    firstNonEmpty(caption, summary),
			Credit:     firstNonEmpty(credit, it.Provider),
			Alt:        it.Headline,
		}}
	default:
		it.Summary = firstNonEmpty(summary, caption)
		var in inline
		for _, c := range x.ContentSet.Inline {
			if strings.TrimSpace(c.HTML) != "" {
				in = c.inline
				break
			}
		}
		if in.HTML == "" {
			for _, c := range x.ContentSet.InlineData {
				if strings.TrimSpace(c.Value) != "" {
					in.Text = c.Value
					break
				}
			}
		}
		if in.HTML != "" {
			it.Body, err = htmlToMarkdown(p.conv, in.HTML)
			it.Body = dropHeadline(it.Body, it.Headline)
		} else if in.Text != "" {
			it.Body, err = textToMarkdown(p.conv, in.Text)
		}
		if err != nil {
			return it, fmt.Errorf("the body: %w", err)
		}
		it.Summary = firstNonEmpty(it.Summary, in.Abstract)
		it.Dateline = firstNonEmpty(it.Dateline, in.Dateline)
		if len(it.Bylines) == 0 {
			it.Bylines = appendUnique(it.Bylines, in.Byline)
		}
		it.Pictures = append(it.Pictures, in.Pictures...)
	}
	return it, nil
}

func dimension(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size in pixels", prefixString(s))
	}
	return n, nil
}

// references lists what a package refers to and the file does not carry.
func (p *g2Parser) references(x *g2Item, sender string, carried map[string]bool) ([]Item, error) {
	lang := x.Lang
	if h, ok := pickText(x.ContentMeta.Headline, lang, ""); ok {
		lang = firstNonEmpty(lang, h.Lang)
	}
	var pkgProvider string
	if x.ItemMeta != nil {
		pm := x.ItemMeta.Provider
		pkgProvider = firstNonEmpty(pickName(pm.Names, lang), code(pm.QCode), pm.Literal, hostOf(pm.URI))
	}
	refs := x.ItemRefs
	for _, g := range x.Groups {
		refs = append(refs, g.ItemRefs...)
	}
	var out []Item
	for _, r := range refs {
		guid := collapse(r.Residref)
		if guid == "" || carried[guid] {
			continue
		}
		// The package's language is not the references': a package
		// headed in English may list stories in French.
		it := Item{Format: "newsml-g2", GUID: guid, Version: collapse(r.Version), Type: itemType(r.ItemClass), Reference: true}
		if t, ok := pickText(r.Title, lang, ""); ok {
			it.Headline = t.Value
			it.Language = t.Lang
		}
		if it.Type == "text" && it.Headline == "" {
			continue // nothing an editor could recognize it by
		}
		if d, ok := pickText(r.Description, it.Language, ""); ok {
			it.Summary = d.Value
		}
		it.Provider = firstNonEmpty(pickName(r.Provider.Names, lang), code(r.Provider.QCode), r.Provider.Literal, pkgProvider, sender)
		carried[guid] = true // a reference in two groups is one item
		out = append(out, it)
	}
	return out, nil
}

// pickText chooses among an element given in several languages: the one
// in the item's language, else in the same primary language, else one
// without a language, else the first.
func pickText(ts []g2Text, lang, role string) (g2Text, bool) {
	var cands []g2Text
	for _, t := range ts {
		if t.Value != "" && (role == "" || strings.HasSuffix(t.Role, role)) {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return g2Text{}, false
	}
	primary := func(s string) string {
		s = strings.ToLower(s)
		if i := strings.IndexAny(s, "-_"); i >= 0 {
			s = s[:i]
		}
		return s
	}
	if lang != "" {
		for _, t := range cands {
			if strings.EqualFold(t.Lang, lang) {
				return t, true
			}
		}
		for _, t := range cands {
			if t.Lang != "" && primary(t.Lang) == primary(lang) {
				return t, true
			}
		}
	}
	for _, t := range cands {
		if t.Lang == "" {
			return t, true
		}
	}
	return cands[0], true
}

func pickName(ns []g2Text, lang string) string {
	t, _ := pickText(ns, lang, "")
	return t.Value
}

// place is a located concept as a dateline names it: the place, and its
// country when the item gives it ("Berlin, Germany").
func place(l g2Flex, lang string) string {
	name := pickName(l.Names, lang)
	for _, b := range l.Broader {
		if strings.HasSuffix(b.Type, "country") {
			if c := pickName(b.Names, lang); c != "" && c != name && name != "" {
				return name + ", " + c
			}
		}
	}
	return name
}
