package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
)

// ninjsItem is the union of the fields of ninjs 1.x, 2.x and 3.x that an
// Item needs. The versions mostly rename by case ("versioncreated" in 1.x
// and 2.x, "versionCreated" in 3.x), which encoding/json's case-blind
// matching of keys covers; where a version renamed a field otherwise
// (1.x "headline", later "headlines"), both are here and the newer wins.
//
// Validation is by hand rather than against the published JSON schemas:
// the items agencies send, the published examples included, break the
// schemas in ways that carry no risk (Business Wire's repeated rendition
// names, TT's and AP's extension fields, 1.x and 2.x fields mixed), while
// what matters — the types of the fields read here, and the fields an
// Item cannot do without — is checked by the typed decoding and by
// ninjsToItem, with errors that name the field.
type ninjsItem struct {
	URI             string       `json:"uri"`
	Type            string       `json:"type"`
	Version         string       `json:"version"`
	VersionCreated  string       `json:"versioncreated"`
	FirstCreated    string       `json:"firstcreated"`
	Embargoed       string       `json:"embargoed"`      // 1.x, 2.x
	EmbargoedUntil  string       `json:"embargoeduntil"` // 3.x
	Urgency         *int         `json:"urgency"`
	Language        string       `json:"language"`
	Headline        string       `json:"headline"` // 1.x
	Headlines       []roled      `json:"headlines"`
	BodyXHTML       string       `json:"body_xhtml"` // 1.x
	BodyHTML        string       `json:"body_html"`  // 1.0
	BodyText        string       `json:"body_text"`  // 1.x
	Bodies          []roled      `json:"bodies"`
	DescriptionText string       `json:"description_text"`  // 1.x
	DescriptionHTML string       `json:"description_xhtml"` // 1.x
	Descriptions    []roled      `json:"descriptions"`
	Byline          string       `json:"byline"` // 1.x
	By              string       `json:"by"`
	Located         string       `json:"located"`
	Subject         []named      `json:"subject"` // 1.x
	Subjects        []named      `json:"subjects"`
	Place           []named      `json:"place"` // 1.x
	Places          []named      `json:"places"`
	Person          []named      `json:"person"` // 1.x
	People          []named      `json:"people"`
	InfoSources     []named      `json:"infosources"`
	CopyrightHolder string       `json:"copyrightholder"`
	Renditions      renditions   `json:"renditions"`
	Associations    associations `json:"associations"`
	// How the item says which version of ninjs it is.
	Standard       *ninjsStandard `json:"standard"`
	DollarStandard *ninjsStandard `json:"$standard"`
	Schema         string         `json:"$schema"`
}

type ninjsStandard struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Schema  string `json:"schema"`
}

// roled is a headline, body or description of ninjs 2.x and 3.x.
type roled struct {
	Role        string `json:"role"`
	ContentType string `json:"contenttype"`
	Value       string `json:"value"`
}

// named is a subject, place, person or info source.
type named struct {
	Name string `json:"name"`
	Rel  string `json:"rel"`
	Role string `json:"role"`
}

type ninjsRendition struct {
	Name        string `json:"name"`
	Href        string `json:"href"`
	ContentType string `json:"contenttype"`
	MIMEType    string `json:"mimetype"` // 1.x
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

// renditions reads both shapes: the 1.x object keyed by name (repeated
// names kept, see checkJSON) and the 2.x and 3.x array.
type renditions []ninjsRendition

func (rs *renditions) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]ninjsRendition)(rs))
	}
	return eachMember(b, func(name string, v json.RawMessage) error {
		var r ninjsRendition
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		r.Name = name
		*rs = append(*rs, r)
		return nil
	})
}

type association struct {
	Name string
	Item ninjsItem
}

// associations reads the 1.x object keyed by name and the later array.
type associations []association

func (as *associations) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var items []ninjsItem
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		for _, it := range items {
			*as = append(*as, association{Item: it})
		}
		return nil
	}
	return eachMember(b, func(name string, v json.RawMessage) error {
		var it ninjsItem
		if err := json.Unmarshal(v, &it); err != nil {
			return err
		}
		*as = append(*as, association{Name: name, Item: it})
		return nil
	})
}

// eachMember calls fn for each member of a JSON object in order, repeated
// names included, which a map would lose.
func eachMember(b []byte, fn func(string, json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		// The decoder puts the field's path in front.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[[]ninjsRendition]()}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	return nil
}

func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '"':
		return "string"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	case b[0] == 'n':
		return "null"
	case b[0] == '[':
		return "array"
	case b[0] == '{':
		return "object"
	}
	return "number"
}

func parseNinjs(data []byte) ([]Item, error) {
	if err := checkJSON(data); err != nil {
		return nil, fmt.Errorf("ninjs: %w", err)
	}
	if data[0] != '{' {
		return nil, errors.New("ninjs: the file is an array; a ninjs item is an object")
	}
	var n ninjsItem
	if err := json.Unmarshal(data, &n); err != nil {
		return nil, fmt.Errorf("ninjs: %s", describeJSONError(err))
	}
	if strings.Contains(n.Schema, "json-schema.org") {
		// The published ninjs schemas sit beside the examples; saying so
		// beats "uri is required" for someone who dropped the wrong file.
		return nil, errors.New("ninjs: the file is a JSON Schema, not a ninjs item")
	}
	p := &ninjsParser{conv: newConverter(), format: ninjsVersion(data, &n)}
	it, err := p.item(&n, "")
	if err != nil {
		return nil, fmt.Errorf("ninjs: %w", err)
	}
	return []Item{it}, nil
}

// describeJSONError says which field had the wrong type in the words of
// JSON, not of Go.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "another type"
		if te.Type != nil {
			switch te.Type.Kind() {
			case reflect.String:
				want = "a string"
			case reflect.Int, reflect.Int64:
				want = "a whole number"
			case reflect.Slice:
				want = "an array"
			case reflect.Struct, reflect.Map:
				want = "an object"
			case reflect.Pointer:
				want = "a number"
			}
		}
		if te.Field == "" {
			return fmt.Sprintf("the item is %s where the schema wants %s", article(te.Value), want)
		}
		return fmt.Sprintf("%q is %s where the schema wants %s", te.Field, article(te.Value), want)
	}
	return "reading the item: " + err.Error()
}

func article(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "null":
		return v
	}
	return "a " + v
}

// camel3 are keys that only ninjs 3.x spells with a capital, looked for
// as plain bytes: a regexp over the whole item cost a tenth of the parse.
var camel3 = [][]byte{
	[]byte(`"versionCreated"`), []byte(`"firstCreated"`), []byte(`"contentCreated"`),
	[]byte(`"pubStatus"`), []byte(`"embargoedUntil"`), []byte(`"contentType"`),
	[]byte(`"copyrightHolder"`), []byte(`"copyrightNotice"`), []byte(`"usageTerms"`),
	[]byte(`"edNote"`), []byte(`"infoSources"`), []byte(`"altIds"`), []byte(`"rightsInfo"`),
}

func hasCamel3(data []byte) bool {
	for _, k := range camel3 {
		if bytes.Contains(data, k) {
			return true
		}
	}
	return false
}

// ninjsVersion tells which major version of ninjs an item is: from what
// it says of itself ("standard", "$standard", "$schema"), else from the
// fields only one version has.
func ninjsVersion(data []byte, n *ninjsItem) string {
	for _, s := range []*ninjsStandard{n.Standard, n.DollarStandard} {
		if s == nil {
			continue
		}
		if v := majorOf(s.Version); v != "" {
			return "ninjs " + v
		}
		if v := majorOfSchema(s.Schema); v != "" {
			return "ninjs " + v
		}
	}
	if v := majorOfSchema(n.Schema); v != "" {
		return "ninjs " + v
	}
	switch {
	case hasCamel3(data):
		return "ninjs 3.x"
	case len(n.Headlines) > 0 || len(n.Bodies) > 0 || len(n.Descriptions) > 0 || n.By != "" || len(n.Subjects) > 0:
		return "ninjs 2.x"
	}
	return "ninjs 1.x"
}

var schemaVersion = regexp.MustCompile(`ninjs-schema_([0-9]+)\.`)

func majorOfSchema(s string) string {
	if m := schemaVersion.FindStringSubmatch(s); m != nil {
		return majorOf(m[1])
	}
	return ""
}

func majorOf(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	switch v {
	case "1", "2", "3":
		return v + ".x"
	}
	return ""
}

type ninjsParser struct {
	conv   *converter.Converter
	format string
}

// ninjsTypes are the values of "type" in every version; a composite is a
// story with its associated media, and is read as text.
var ninjsTypes = map[string]string{
	"text": "text", "picture": "picture", "graphic": "graphic", "video": "video",
	"audio": "audio", "composite": "text", "component": "component", "event": "event",
	"planning": "planning",
}

func (p *ninjsParser) item(n *ninjsItem, where string) (Item, error) {
	it := Item{Format: p.format}
	it.GUID = strings.TrimSpace(n.URI)
	if it.GUID == "" {
		return it, fmt.Errorf("%s\"uri\" is required", where)
	}
	typ := strings.ToLower(strings.TrimSpace(n.Type))
	if typ == "" {
		typ = "text" // the schemas' default
	}
	t, ok := ninjsTypes[typ]
	if !ok {
		return it, fmt.Errorf("%s\"type\" %q is not a ninjs type", where, prefixString(n.Type))
	}
	it.Type = t
	it.Version = strings.TrimSpace(n.Version)
	it.Language = strings.TrimSpace(n.Language)

	it.Headline = collapse(n.Headline)
	for _, h := range n.Headlines {
		if r := strings.ToLower(h.Role); r == "" || r == "main" {
			if v := collapse(h.Value); v != "" {
				it.Headline = v
				break
			}
		}
	}
	if it.Headline == "" && len(n.Headlines) > 0 {
		it.Headline = collapse(n.Headlines[0].Value)
	}
	if it.Type == "text" && it.Headline == "" {
		return it, fmt.Errorf("%s\"headline\" is required for a text item", where)
	}

	var err error
	if it.Sent, err = parseTime(firstNonEmpty(n.VersionCreated, n.FirstCreated)); err != nil {
		return it, fmt.Errorf("%s\"versioncreated\": %w", where, err)
	}
	if it.Embargo, err = parseTime(firstNonEmpty(n.EmbargoedUntil, n.Embargoed)); err != nil {
		return it, fmt.Errorf("%s\"embargoed\": %w", where, err)
	}
	if n.Urgency != nil {
		if it.Urgency, err = checkUrgency(*n.Urgency); err != nil {
			return it, fmt.Errorf("%s\"urgency\": %w", where, err)
		}
	}

	// Descriptions: the summary of a story, the caption and credit of a
	// picture; roles as AP, NTB, TT and SIPA use them.
	var caption, credit, alt string
	for _, d := range n.Descriptions {
		v := d.Value
		if isHTML(d.ContentType) {
			v = htmlText(v)
		}
		switch strings.ToLower(d.Role) {
		case "creditline", "credit":
			credit = firstNonEmpty(credit, v)
		case "caption":
			caption = firstNonEmpty(caption, v)
		case "alt", "alttext", "accessibility":
			alt = firstNonEmpty(alt, v)
		case "", "text", "summary", "abstract", "description":
			it.Summary = firstNonEmpty(it.Summary, v)
		}
	}
	it.Summary = firstNonEmpty(it.Summary, n.DescriptionText, htmlText(n.DescriptionHTML))
	caption = firstNonEmpty(caption, it.Summary)

	it.Bylines = appendUnique(it.Bylines, firstNonEmpty(n.By, n.Byline))
	if len(it.Bylines) == 0 {
		for _, pp := range slices.Concat(n.People, n.Person) {
			if isAuthor(pp.Rel) || isAuthor(pp.Role) {
				it.Bylines = appendUnique(it.Bylines, pp.Name)
			}
		}
	}
	it.Dateline = collapse(n.Located)
	if it.Dateline == "" {
		for _, pl := range slices.Concat(n.Places, n.Place) {
			if rel := strings.ToLower(pl.Rel); rel == "" || strings.Contains(rel, "located") || strings.Contains(rel, "dateline") {
				if it.Dateline = collapse(pl.Name); it.Dateline != "" {
					break
				}
			}
		}
	}
	for _, s := range slices.Concat(n.Subjects, n.Subject) {
		it.Subjects = appendUnique(it.Subjects, s.Name)
	}
	var source string
	for _, s := range n.InfoSources {
		if source = collapse(s.Name); source != "" {
			break
		}
	}
	it.Provider = firstNonEmpty(n.CopyrightHolder, credit, source, hostOf(n.URI))
	if isWebAddress(it.GUID) {
		it.Source = it.GUID
	}

	switch it.Type {
	case "text":
		if it.Body, err = p.body(n, it.Headline); err != nil {
			return it, fmt.Errorf("%sbody: %w", where, err)
		}
		for i, a := range n.Associations {
			if !strings.EqualFold(strings.TrimSpace(a.Item.Type), "picture") {
				continue // logos, video stills: not pictures of the story
			}
			name := a.Name
			if name == "" {
				name = fmt.Sprint(i)
			}
			pic, err := p.item(&a.Item, where+"associations["+prefixString(name)+"]: ")
			if err != nil {
				return it, err
			}
			for _, pc := range pic.Pictures {
				// A picture sent with the story and credited to no one
				// is the story's provider's.
				pc.Credit = firstNonEmpty(pc.Credit, it.Provider)
				it.Pictures = append(it.Pictures, pc)
			}
		}
	case "picture":
		var rs []Rendition
		for _, r := range n.Renditions {
			ct := firstNonEmpty(r.ContentType, r.MIMEType)
			if !isImage(ct) || strings.TrimSpace(r.Href) == "" {
				continue
			}
			if r.Width < 0 || r.Height < 0 {
				return it, fmt.Errorf("%srendition %q has a negative size", where, prefixString(r.Name))
			}
			rs = append(rs, Rendition{Href: strings.TrimSpace(r.Href), ContentType: ct, Width: r.Width, Height: r.Height})
		}
		sortRenditions(rs)
		if credit == "" && len(it.Bylines) > 0 {
			credit = it.Bylines[0]
		}
		it.Pictures = []Picture{{
			Renditions: rs,
			Caption:    caption,
			Credit:     firstNonEmpty(credit, n.CopyrightHolder),
			Alt:        firstNonEmpty(alt, it.Headline),
		}}
	}
	return it, nil
}

func isAuthor(rel string) bool {
	rel = strings.ToLower(rel)
	return strings.HasSuffix(rel, "author") || strings.HasSuffix(rel, "writer") || strings.HasSuffix(rel, "creator")
}

func isHTML(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.Contains(ct, "html")
}

// body picks the richest body the item gives: HTML (XHTML), then NITF,
// then plain text.
func (p *ninjsParser) body(n *ninjsItem, headline string) (string, error) {
	var htmlBody, nitfBody, textBody string
	for _, b := range n.Bodies {
		ct, role := strings.ToLower(b.ContentType), strings.ToLower(b.Role)
		switch {
		case strings.Contains(ct, "nitf") || role == "nitf":
			nitfBody = firstRaw(nitfBody, b.Value)
		case isHTML(ct) || role == "xhtml" || role == "html":
			htmlBody = firstRaw(htmlBody, b.Value)
		case ct == "" || strings.HasPrefix(ct, "text/plain"):
			textBody = firstRaw(textBody, b.Value)
		}
		// Other bodies (TT's own "ttnitf" XML) are an agency's private
		// formats, beside one of the above.
	}
	htmlBody = firstRaw(htmlBody, n.BodyXHTML, n.BodyHTML)
	textBody = firstRaw(textBody, n.BodyText)
	switch {
	case htmlBody != "":
		md, err := htmlToMarkdown(p.conv, htmlBody)
		return dropHeadline(md, headline), err
	case nitfBody != "":
		in, err := inlineFromString(nitfBody)
		if err != nil {
			return "", err
		}
		md, err := htmlToMarkdown(p.conv, in.HTML)
		return dropHeadline(md, headline), err
	case textBody != "":
		return textToMarkdown(p.conv, textBody)
	}
	return "", nil
}

func firstRaw(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
