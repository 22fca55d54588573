package wire

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"strings"
)

// inline is a body carried as XML (NewsML-G2 inlineXML, or a NITF body
// of ninjs) made into HTML for the Markdown converter, with what NITF's
// body.head says about the story taken out of the body.
type inline struct {
	HTML     string
	Text     string // a plain-text body (G2 inlineData)
	Byline   string
	Abstract string
	Dateline string
	Pictures []Picture
}

// htmlNames are the elements that mean the same in XHTML and NITF and go
// through as they are.
var htmlNames = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "dl": true, "dt": true, "dd": true,
	"a": true, "em": true, "strong": true, "b": true, "i": true, "u": true, "s": true,
	"del": true, "q": true, "blockquote": true, "pre": true, "code": true,
	"br": true, "hr": true, "sub": true, "sup": true, "img": true, "div": true,
	"section": true, "article": true, "figure": true, "figcaption": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true,
	"td": true, "th": true, "caption": true,
}

// nitfNames map NITF's own elements to HTML: subheads to headings,
// blocks to sections, its quotation to blockquote, end-of-story lines to
// paragraphs.
var nitfNames = map[string]string{
	"hl1": "h2", "hl2": "h2", "block": "div", "bq": "blockquote", "credit": "p",
	"tagline": "p", "bibliography": "p", "fn": "aside",
}

// dropped are elements whose content is not part of the story: NITF's
// head (document metadata), its repeated headline, and what a browser
// would not show.
var dropped = map[string]bool{
	"head": true, "hedline": true, "docdata": true, "nitf-table-metadata": true,
	"script": true, "style": true, "title": true, "object": true, "embed": true,
	"iframe": true, "form": true, "distributor": true, "series": true, "rights": true,
	"note": true,
}

var voidNames = map[string]bool{"br": true, "hr": true, "img": true}

// walkInline reads the element start to its end, making HTML of it.
// Elements not known pass their text through, so an agency's own markup
// loses its tags and keeps its words. Attributes other than a link's and
// an image's are left behind: the Markdown keeps nothing else.
func walkInline(d *xml.Decoder, start xml.StartElement) (inline, error) {
	var (
		in    inline
		b     strings.Builder
		open  []string // the HTML element each open XML element became, "" for none
		depth = 1
	)
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return in, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			switch {
			case dropped[name]:
				if err := d.Skip(); err != nil {
					return in, err
				}
				continue
			case name == "byline":
				txt, err := innerText(d)
				if err != nil {
					return in, err
				}
				in.Byline = firstNonEmpty(in.Byline, txt)
				continue
			case name == "abstract":
				txt, err := innerText(d)
				if err != nil {
					return in, err
				}
				in.Abstract = firstNonEmpty(in.Abstract, txt)
				continue
			case name == "dateline" && isNITFHead(open):
				txt, err := innerText(d)
				if err != nil {
					return in, err
				}
				in.Dateline = firstNonEmpty(in.Dateline, txt)
				continue
			case name == "media":
				pic, frag, err := media(d, t)
				if err != nil {
					return in, err
				}
				if len(pic.Renditions) > 0 {
					in.Pictures = append(in.Pictures, pic)
				}
				b.WriteString(frag)
				continue
			}
			depth++
			out := ""
			if htmlNames[name] {
				out = name
			} else if n, ok := nitfNames[name]; ok {
				out = n
			} else if name == "body.head" {
				out = "body.head" // kept on the stack for isNITFHead, never written
			}
			open = append(open, out)
			if out == "" || out == "body.head" {
				continue
			}
			b.WriteString("<" + out)
			for _, a := range t.Attr {
				if a.Name.Space != "" {
					continue
				}
				switch {
				case out == "a" && (a.Name.Local == "href" || a.Name.Local == "title"),
					out == "img" && (a.Name.Local == "src" || a.Name.Local == "alt" || a.Name.Local == "title"):
					b.WriteString(" " + a.Name.Local + `="` + html.EscapeString(a.Value) + `"`)
				}
			}
			b.WriteString(">")
		case xml.EndElement:
			depth--
			if depth == 0 {
				break
			}
			out := open[len(open)-1]
			open = open[:len(open)-1]
			if out != "" && out != "body.head" && !voidNames[out] {
				b.WriteString("</" + out + ">")
			}
		case xml.CharData:
			if !isNITFHead(open) {
				b.WriteString(html.EscapeString(string(t)))
			}
		}
	}
	if strings.TrimSpace(b.String()) != "" {
		in.HTML = b.String()
	}
	return in, nil
}

func isNITFHead(open []string) bool {
	for _, o := range open {
		if o == "body.head" {
			return true
		}
	}
	return false
}

// innerText reads the rest of an element as plain text.
func innerText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if blockNames[strings.ToLower(t.Name.Local)] {
				b.WriteByte(' ')
			}
		case xml.EndElement:
			depth--
			if blockNames[strings.ToLower(t.Name.Local)] {
				b.WriteByte(' ')
			}
		case xml.CharData:
			b.Write(t)
		}
	}
	return collapse(b.String()), nil
}

// blockNames separate words when markup is read as text; inline ones
// (NITF's person, location) do not: "By <person>Ann</person>, Kyiv".
var blockNames = map[string]bool{
	"p": true, "br": true, "li": true, "block": true, "hl1": true, "hl2": true,
	"div": true, "td": true, "th": true, "tr": true, "h1": true, "h2": true, "h3": true,
}

// media reads a NITF <media>: its references are the picture's
// renditions, its caption and producer the caption and credit. In the
// body it becomes the image and its caption.
func media(d *xml.Decoder, start xml.StartElement) (Picture, string, error) {
	var pic Picture
	isImg := true
	for _, a := range start.Attr {
		if a.Name.Local == "media-type" && !strings.EqualFold(a.Value, "image") {
			isImg = false
		}
	}
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return pic, "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "media-reference":
				var r Rendition
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "source":
						r.Href = strings.TrimSpace(a.Value)
					case "mime-type":
						r.ContentType = a.Value
					case "width":
						r.Width, _ = dimension(a.Value) // a size is a hint; a bad one is no size
					case "height":
						r.Height, _ = dimension(a.Value)
					case "alternate-text":
						pic.Alt = firstNonEmpty(pic.Alt, a.Value)
					}
				}
				if r.Href != "" && isImage(r.ContentType) {
					pic.Renditions = append(pic.Renditions, r)
				}
				if err := d.Skip(); err != nil {
					return pic, "", err
				}
			case "media-caption":
				txt, err := innerText(d)
				if err != nil {
					return pic, "", err
				}
				pic.Caption = firstNonEmpty(pic.Caption, txt)
			case "media-producer":
				txt, err := innerText(d)
				if err != nil {
					return pic, "", err
				}
				pic.Credit = firstNonEmpty(pic.Credit, txt)
			default:
				depth++
			}
		case xml.EndElement:
			depth--
		}
	}
	if !isImg {
		pic.Renditions = nil
	}
	sortRenditions(pic.Renditions)
	var b strings.Builder
	if len(pic.Renditions) > 0 {
		fmt.Fprintf(&b, `<p><img src="%s" alt="%s"></p>`, html.EscapeString(pic.Renditions[0].Href), html.EscapeString(pic.Alt))
	}
	if pic.Caption != "" {
		fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(pic.Caption))
	}
	return pic, b.String(), nil
}

// inlineFromString reads an XML body given as a string (a ninjs body
// whose content type is NITF), with the same refusals as a G2 file.
func inlineFromString(s string) (inline, error) {
	data := []byte(strings.TrimSpace(s))
	if _, err := prescan(data, ""); err != nil {
		return inline{}, fmt.Errorf("the NITF body: %w", err)
	}
	d := newDecoder(data, "")
	for {
		tok, err := d.Token()
		if err != nil {
			return inline{}, fmt.Errorf("the NITF body: %w", err)
		}
		if st, ok := tok.(xml.StartElement); ok {
			in, err := walkInline(d, st)
			if err != nil {
				return inline{}, fmt.Errorf("the NITF body: %w", err)
			}
			return in, nil
		}
		if _, ok := tok.(xml.ProcInst); !ok {
			if cd, ok := tok.(xml.CharData); !ok || strings.TrimSpace(string(cd)) != "" {
				return inline{}, errors.New("the NITF body: text before its root element")
			}
		}
	}
}
