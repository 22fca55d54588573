package render

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/i18n"
	"golang.org/x/net/html"
)

// variant renders a page of a service's script variant ("/sr-cyrl/...") as
// the transliteration of the same page of the service ("/sr/..."). The
// newsroom writes once; readers choose their script. ok is false when code
// names no variant.
func (b *Builder) variant(ctx context.Context, ns []*kolokol.Notice, code, path string) (p *Page, ok bool, err error) {
	svc, v, ok, err := b.variantOf(ctx, code)
	if !ok || err != nil {
		return nil, false, err
	}
	from, to := "/"+svc.Code+"/", "/"+code+"/"
	base, err := b.route(ctx, ns, from+strings.TrimPrefix(path, to))
	if err != nil {
		return nil, true, err
	}
	out := *base
	if out.Location != "" && strings.HasPrefix(out.Location, from) {
		out.Location = to + strings.TrimPrefix(out.Location, from)
	}
	if out.Path != "" {
		out.Path = to + strings.TrimPrefix(out.Path, from)
	}
	if out.Status == http.StatusNotFound {
		out.Service = code // the variant's own 404 page, in its script
	}
	if out.Body != nil {
		body, err := transliteratePage(out.Body, v, svc.Tag, b.opts.BaseURL+from, b.opts.BaseURL+to)
		if err != nil {
			return nil, true, fmt.Errorf("render %s: %w", path, err)
		}
		out.Body = body
	}
	return &out, true, nil
}

// variantOf finds the service and script variant a code such as
// "sr-cyrl" names; ok is false when it names none.
func (b *Builder) variantOf(ctx context.Context, code string) (*kolokol.Service, i18n.ScriptVariant, bool, error) {
	i := strings.LastIndexByte(code, '-')
	if i < 0 {
		return nil, i18n.ScriptVariant{}, false, nil
	}
	svc, err := b.store.FindServiceByCode(ctx, code[:i])
	if kolokol.IsNotFound(err) {
		return nil, i18n.ScriptVariant{}, false, nil
	} else if err != nil {
		return nil, i18n.ScriptVariant{}, false, fmt.Errorf("render the %s pages: %w", code, err)
	}
	v, has := i18n.VariantOf(svc.Tag)
	if !has || v.Suffix != code[i:] {
		return nil, i18n.ScriptVariant{}, false, nil
	}
	return svc, v, true, nil
}

// variantNotFound renders the 404 page of a script variant: the service's,
// transliterated. Its links are root-relative (see NotFound), so they are
// led to the variant's pages by their path. ok is false when code names no
// variant.
func (b *Builder) variantNotFound(ctx context.Context, code string, file bool, ns []*kolokol.Notice) (p *Page, ok bool, err error) {
	svc, v, ok, err := b.variantOf(ctx, code)
	if !ok || err != nil {
		return nil, false, err
	}
	base, err := b.notFound(ctx, svc.Code, file, ns)
	if err != nil {
		return nil, true, err
	}
	out := *base
	if out.Body, err = transliteratePage(base.Body, v, svc.Tag, "/"+svc.Code+"/", "/"+code+"/"); err != nil {
		return nil, true, fmt.Errorf("render the %s 404 page: %w", code, err)
	}
	out.Service = code
	if out.Path != "" {
		out.Path = "/" + code + "/404.html"
	}
	return &out, true, nil
}

// transliterated lists the attributes whose values readers see or hear.
var transliterated = map[string]bool{"alt": true, "title": true, "aria-label": true}

// transliteratePage rewrites a rendered page into the variant's script:
// text and readable attributes are transliterated, lang attributes and
// absolute self-links follow, and the script switch points back. Script and
// style contents are copied as they are.
func transliteratePage(page []byte, v i18n.ScriptVariant, tag, fromURL, toURL string) ([]byte, error) {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out bytes.Buffer
	out.Grow(len(page) + len(page)/4)
	raw := false      // inside script or style
	switched := false // the next text is the script switch's label
	// Inside an element marked translate="no" (an address, a
	// fingerprint), text is copied as it is: keepTag is that element's
	// name, keep how many of its kind are open.
	keepTag, keep := "", 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err.Error() != "EOF" {
				return nil, err
			}
			return out.Bytes(), nil
		case html.TextToken:
			switch {
			case raw:
				out.WriteString(strings.ReplaceAll(string(z.Raw()), fromURL, toURL))
			case keep > 0:
				out.Write(z.Raw())
			case switched:
				out.WriteString(html.EscapeString(v.BackName))
				switched = false
			default:
				out.WriteString(html.EscapeString(v.Transliterate(string(z.Text()))))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			raw = tt == html.StartTagToken && (t.Data == "script" || t.Data == "style")
			if tt == html.StartTagToken && !voidElements[t.Data] {
				switch {
				case keep > 0 && t.Data == keepTag:
					keep++
				case keep == 0 && noTranslate(t.Attr):
					keepTag, keep = t.Data, 1
				}
			}
			isSwitch := false
			meta := t.Data == "meta"
			for i, a := range t.Attr {
				switch {
				case a.Key == "class" && a.Val == "script-switch":
					isSwitch = true
				case (a.Key == "lang" || a.Key == "hreflang") && strings.EqualFold(a.Val, tag):
					t.Attr[i].Val = v.Tag
				case transliterated[a.Key]:
					t.Attr[i].Val = v.Transliterate(a.Val)
				case meta && a.Key == "content" && readableMeta(t.Attr):
					t.Attr[i].Val = v.Transliterate(a.Val)
				case (a.Key == "href" || a.Key == "content") && fromURL != "/" && strings.HasPrefix(a.Val, fromURL):
					t.Attr[i].Val = toURL + strings.TrimPrefix(a.Val, fromURL)
				}
			}
			if isSwitch {
				for i, a := range t.Attr {
					switch a.Key {
					case "href":
						t.Attr[i].Val = switchBack(a.Val, fromURL, toURL)
					case "lang", "hreflang":
						t.Attr[i].Val = tag
					}
				}
				switched = true
			}
			out.WriteString(t.String())
		case html.EndTagToken:
			raw = false
			if keep > 0 {
				if name, _ := z.TagName(); string(name) == keepTag {
					keep--
				}
			}
			out.Write(z.Raw())
		default:
			out.Write(z.Raw())
		}
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// noTranslate reports whether an element is marked translate="no".
func noTranslate(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if a.Key == "translate" && strings.EqualFold(a.Val, "no") {
			return true
		}
	}
	return false
}

// readableMeta reports whether a meta element's content is text a reader or
// a link preview shows.
func readableMeta(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if (a.Key == "name" && a.Val == "description") ||
			(a.Key == "property" && (a.Val == "og:title" || a.Val == "og:description")) {
			return true
		}
	}
	return false
}

// switchBack turns the relative link to the variant into the link back:
// the two differ only in the service segment.
func switchBack(href, fromURL, toURL string) string {
	from := strings.Trim(pathOf(fromURL), "/") + "/"
	to := strings.Trim(pathOf(toURL), "/") + "/"
	if i := strings.LastIndex(href, to); i >= 0 {
		return href[:i] + from + href[i+len(to):]
	}
	return href
}

func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[i+3+j:]
		}
	}
	return u
}
