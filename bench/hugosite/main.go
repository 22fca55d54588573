// Command hugosite writes the published stories of a Kolokol data
// directory as a Hugo site, for bench/export.sh to time Hugo on the same
// stories as `kolokol export`:
//
//	hugosite --data DIR --out SITE
//
// Each story becomes content/{service}/{id}-{slug}.md, its Markdown body
// under TOML front matter; the layouts (baseof, single, list) are minimal
// ones of about the size of Kolokol's article and list templates, and the
// taxonomy, term, RSS and sitemap kinds are off, so that Hugo renders what
// the export renders: a page per story and paginated lists.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/store/sqlite"
)

func main() {
	data := flag.String("data", "", "Kolokol data directory")
	out := flag.String("out", "", "the Hugo site to write (its content and layouts are replaced)")
	flag.Parse()
	if *data == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: hugosite --data DIR --out SITE")
		os.Exit(2)
	}
	n, err := write(context.Background(), *data, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hugosite:", err)
		os.Exit(1)
	}
	fmt.Printf("%d stories written to %s\n", n, *out)
}

func write(ctx context.Context, data, out string) (int, error) {
	st, err := sqlite.Open(ctx, filepath.Join(data, "kolokol.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for _, d := range []string{"content", "layouts"} {
		if err := os.RemoveAll(filepath.Join(out, d)); err != nil {
			return 0, err
		}
	}
	for name, text := range files {
		if err := writeFile(filepath.Join(out, name), text); err != nil {
			return 0, err
		}
	}
	services, err := st.FindServices(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range services {
		dir := filepath.Join(out, "content", s.Code)
		if err := writeFile(filepath.Join(dir, "_index.md"), fmt.Sprintf("+++\ntitle = %s\n+++\n", quote(s.Name))); err != nil {
			return n, err
		}
		for before := int64(0); ; {
			arts, err := st.FindArticles(ctx, kolokol.ArticleFilter{Service: s.Code, Status: kolokol.StatusPublished,
				Before: before, Limit: kolokol.MaxArticleLimit})
			if err != nil {
				return n, err
			}
			for _, a := range arts {
				if err := writeFile(filepath.Join(dir, fmt.Sprintf("%d-%s.md", a.ID, a.Slug)), story(a)); err != nil {
					return n, err
				}
				n++
			}
			if len(arts) < kolokol.MaxArticleLimit {
				break
			}
			before = arts[len(arts)-1].ID
		}
	}
	return n, nil
}

// story is a story as Hugo content: TOML front matter, then the body.
func story(a *kolokol.Article) string {
	var b strings.Builder
	b.WriteString("+++\n")
	fmt.Fprintf(&b, "title = %s\n", quote(a.Headline))
	fmt.Fprintf(&b, "summary = %s\n", quote(a.Summary))
	fmt.Fprintf(&b, "date = %s\n", a.PublishedAt.UTC().Format(time.RFC3339))
	if !a.UpdatedAt.IsZero() {
		fmt.Fprintf(&b, "lastmod = %s\n", a.UpdatedAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "slug = %s\n", quote(fmt.Sprintf("%d-%s", a.ID, a.Slug)))
	fmt.Fprintf(&b, "byline = %s\n", quote(strings.Join(a.Bylines, ", ")))
	fmt.Fprintf(&b, "dateline = %s\n", quote(a.Dateline))
	fmt.Fprintf(&b, "section = %s\n", quote(a.Section))
	fmt.Fprintf(&b, "credits = %s\n", quote(strings.Join(a.Credits, ", ")))
	b.WriteString("keywords = [")
	for i, t := range a.Tags {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(t))
	}
	b.WriteString("]\n+++\n")
	b.WriteString(a.Body)
	b.WriteString("\n")
	return b.String()
}

func quote(s string) string { return strconv.Quote(s) }

func writeFile(name, text string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(text)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// files are the site's configuration and layouts.
var files = map[string]string{
	"hugo.toml": `baseURL = "https://news.example.org/"
title = "Kolokol"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
relativeURLs = true
uglyURLs = false
paginate = 20
[markup.goldmark.renderer]
unsafe = false
`,
	"layouts/_default/baseof.html": `<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Site.Title }}</title>
{{- with .Summary }}
<meta name="description" content="{{ . | plainify }}">{{ end }}
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
<link rel="icon" href="{{ "favicon.svg" | relURL }}" type="image/svg+xml">
<link rel="canonical" href="{{ .Permalink }}">
{{- if .IsPage }}
<meta property="og:type" content="article">
<meta property="og:site_name" content="{{ .Site.Title }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Summary | plainify }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta property="og:locale" content="{{ .Site.LanguageCode }}">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":{{ .Title | jsonify }},"datePublished":{{ .Date.Format "2006-01-02T15:04:05Z07:00" | jsonify }},"url":{{ .Permalink | jsonify }}}</script>{{ end }}
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<a class="skip" href="#nav">Skip to sections</a>
<header>
<p class="brand"><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></p>
<nav id="nav" tabindex="-1" aria-label="Sections">
<ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</nav>
</header>
<main id="main" tabindex="-1">
{{- block "main" . }}{{ end }}
</main>
<footer>
<p>Independent news, delivered where it is blocked.</p>
<p class="legal">Copyright the newsroom.</p>
<p><a href="{{ "safety/" | relURL }}">Read safely</a></p>
</footer>
</body>
</html>
`,
	"layouts/_default/single.html": `{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{- with .Params.summary }}
<p class="summary">{{ . }}</p>{{ end }}
<p class="meta">
{{- with .Params.byline }}<span class="byline">{{ . }}</span>{{ end }}
{{- with .Params.dateline }}<span class="dateline">{{ . }}</span>{{ end }}
<span>Published <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}" dir="auto">{{ .Date.Format "2 January 2006, 15:04" }}</time></span>
{{- if ne .Lastmod .Date }}<span>Updated <time datetime="{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" }}" dir="auto">{{ .Lastmod.Format "2 January 2006, 15:04" }}</time></span>{{ end }}
</p>
<div class="body">{{ .Content }}</div>
{{- with .Params.credits }}
<p class="credits">{{ . }}</p>{{ end }}
{{- with .Params.keywords }}
<section class="tags" aria-labelledby="tags">
<h2 id="tags">Tags</h2>
<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>
</section>{{ end }}
<section class="share" aria-labelledby="share">
<h2 id="share">Share</h2>
<p><label for="share-link">Link to this story</label><br><input id="share-link" type="url" readonly value="{{ .Permalink }}" dir="ltr"></p>
<p><a href="mailto:?subject={{ .Title | urlquery }}&amp;body={{ .Permalink | urlquery }}">Send by email</a></p>
</section>
</article>
{{ end }}
`,
	"layouts/_default/list.html": `{{ define "main" }}
<h1>{{ .Title }}</h1>
{{- $pag := .Paginate .Pages }}
{{- if $pag.Pages }}
<ul class="stories">
{{- range $pag.Pages }}
<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}" dir="auto">{{ .Date.Format "2 January 2006" }}</time></li>
{{- end }}
</ul>
{{- else }}
<p>No stories yet.</p>{{ end }}
<nav class="pages" aria-label="Pages">
{{- with $pag.Prev }}<a href="{{ .URL }}" rel="prev">Newer</a>{{ end }}
<span>Page {{ $pag.PageNumber }} of {{ $pag.TotalPages }}</span>
{{- with $pag.Next }}<a href="{{ .URL }}" rel="next">Older</a>{{ end }}
</nav>
{{ end }}
`,
}
