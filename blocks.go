package kolokol

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// BlockKind names a block a story's body can hold besides Markdown's own:
// the info string of the fenced code block that writes it (docs/blocks.md).
type BlockKind string

// The kinds of block.
const (
	BlockPhoto     BlockKind = "photo"
	BlockGallery   BlockKind = "gallery"
	BlockPullQuote BlockKind = "pullquote"
	BlockFactBox   BlockKind = "factbox"
	BlockEmbed     BlockKind = "embed"
)

// BlockKinds lists every kind, in the order the docs give them.
var BlockKinds = []BlockKind{BlockPhoto, BlockGallery, BlockPullQuote, BlockFactBox, BlockEmbed}

// IsBlockKind reports whether a fenced code block's info string makes it a
// block rather than code.
func IsBlockKind(info string) bool { return slices.Contains(BlockKinds, BlockKind(info)) }

// Limits of a block's values, in characters.
const (
	MaxBlockAlt      = 1000
	MaxBlockCaption  = 1000
	MaxBlockCredit   = 200
	MaxQuote         = 600
	MaxQuoteBy       = 200
	MaxFactTitle     = 120
	MaxFactText      = 4000
	MaxEmbedURL      = 2000
	MaxEmbedAuthor   = 200
	MaxEmbedTitle    = 300
	MaxEmbedText     = 2000
	MinGalleryPhotos = 2
	MaxGalleryPhotos = 12
	// MaxBlocks bounds the blocks of one body: each may cost a media
	// lookup on every render.
	MaxBlocks = 200
)

// Picture is a photo inside a story's body, alone or in a gallery.
type Picture struct {
	MediaID int64
	Alt     string
	Caption string
	Credit  string
}

// Embed is a card for a post on a social network. Readers get these
// fields and a link; their browsers never contact the network.
type Embed struct {
	URL      string
	Provider string // see EmbedProviders
	Author   string
	Title    string
	Text     string
	Date     string // YYYY-MM-DD, or ""
	// Thumbnail is a media made from the post's picture through our own
	// pipeline; 0 when there is none.
	Thumbnail    int64
	ThumbnailAlt string
}

// Block is one block of a story's body. Which fields mean something
// depends on Kind.
type Block struct {
	Kind BlockKind
	// Pictures holds a photo's one picture or a gallery's pictures.
	Pictures []Picture
	// Quote and By are a pull quote's words and who said them.
	Quote, By string
	// Title and Text are a fact box's heading and Markdown text.
	Title, Text string
	Embed       Embed
}

// EmbedProviders are the networks an embed card may point to, with the
// hosts their posts live on. Exact hosts, not suffixes: "t.me.example" or
// "evil-youtube.com" is no provider's.
var EmbedProviders = map[string][]string{
	"youtube":   {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"},
	"telegram":  {"t.me", "telegram.me"},
	"x":         {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"},
	"instagram": {"instagram.com", "www.instagram.com"},
	"facebook":  {"facebook.com", "www.facebook.com", "m.facebook.com", "fb.watch"},
	"tiktok":    {"tiktok.com", "www.tiktok.com", "vm.tiktok.com"},
}

// EmbedProviderNames are the providers' names as people write them.
var EmbedProviderNames = map[string]string{
	"youtube": "YouTube", "telegram": "Telegram", "x": "X",
	"instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok",
}

// EmbedProviderOf names the provider whose post raw is the address of, or
// says why it is none's.
func EmbedProviderOf(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("the address is empty")
	}
	if utf8.RuneCountInString(raw) > MaxEmbedURL {
		return "", fmt.Errorf("the address is %d characters long; the limit is %d", utf8.RuneCountInString(raw), MaxEmbedURL)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", fmt.Errorf("the address %q contains a space or control character", raw)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a web address", raw)
	case u.Scheme != "https":
		return "", fmt.Errorf("the address %q must start with https://", raw)
	case u.User != nil:
		return "", fmt.Errorf("the address %q carries a user name", raw)
	case u.Port() != "":
		return "", fmt.Errorf("the address %q names a port", raw)
	case u.Opaque != "":
		return "", fmt.Errorf("%q is not a web address", raw)
	}
	host := u.Hostname()
	for _, p := range sortedProviders() {
		if slices.Contains(EmbedProviders[p], host) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not the address of a post on YouTube, Telegram, X, Instagram, Facebook or TikTok", host)
}

func sortedProviders() []string {
	out := make([]string, 0, len(EmbedProviders))
	for p := range EmbedProviders {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// blockKeys are the keys each kind takes, in the order Markdown writes
// them; a gallery's items take a photo's.
var blockKeys = map[BlockKind][]string{
	BlockPhoto:     {"media", "alt", "caption", "credit"},
	BlockGallery:   {"media", "alt", "caption", "credit"},
	BlockPullQuote: {"quote", "by"},
	BlockFactBox:   {"title"},
	BlockEmbed:     {"url", "provider", "author", "title", "text", "date", "thumbnail", "thumbnail_alt"},
}

var (
	blockLineRE = regexp.MustCompile(`^([a-z_]+):(.*)$`)
	mediaIDRE   = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)
)

// ParseBlock reads the content of one fenced block of kind (the lines
// between its fences) and checks every value.
func ParseBlock(kind BlockKind, content string) (*Block, error) {
	if !IsBlockKind(string(kind)) {
		return nil, fmt.Errorf("%q is not a kind of block", kind)
	}
	if !utf8.ValidString(content) {
		return nil, fmt.Errorf("the block is not valid UTF-8")
	}
	content = strings.ReplaceAll(content, "\r\n", "\n")
	b := &Block{Kind: kind}
	if kind == BlockFactBox {
		head, rest, _ := strings.Cut(strings.TrimLeft(content, "\n"), "\n\n")
		items, err := blockItems(kind, head)
		if err != nil {
			return nil, err
		}
		if len(items) != 1 {
			return nil, fmt.Errorf("a fact box starts with its title line")
		}
		b.Title = items[0]["title"]
		b.Text = strings.TrimSpace(rest)
		return b, b.checkFactBox()
	}
	items, err := blockItems(kind, content)
	if err != nil {
		return nil, err
	}
	switch kind {
	case BlockPhoto, BlockGallery:
		if kind == BlockPhoto && len(items) != 1 {
			return nil, fmt.Errorf("a photo block holds one picture (it has %d); several make a gallery", len(items))
		}
		if kind == BlockGallery && (len(items) < MinGalleryPhotos || len(items) > MaxGalleryPhotos) {
			return nil, fmt.Errorf("a gallery holds %d to %d pictures, separated by blank lines; this one has %d", MinGalleryPhotos, MaxGalleryPhotos, len(items))
		}
		for i, it := range items {
			p, err := pictureOf(it)
			if err != nil {
				if kind == BlockGallery {
					return nil, fmt.Errorf("picture %d: %w", i+1, err)
				}
				return nil, err
			}
			b.Pictures = append(b.Pictures, p)
		}
		return b, nil
	}
	if len(items) != 1 {
		return nil, fmt.Errorf("a %s block holds one set of values without blank lines between them", kind)
	}
	it := items[0]
	if kind == BlockPullQuote {
		b.Quote, b.By = it["quote"], it["by"]
		if b.Quote == "" {
			return nil, fmt.Errorf("quote is required: the words quoted")
		}
		return b, checkValues(value{"quote", b.Quote, MaxQuote}, value{"by", b.By, MaxQuoteBy})
	}
	e := Embed{URL: it["url"], Provider: it["provider"], Author: it["author"], Title: it["title"],
		Text: it["text"], Date: it["date"], ThumbnailAlt: it["thumbnail_alt"]}
	if t := it["thumbnail"]; t != "" {
		if e.Thumbnail, err = mediaID("thumbnail", t); err != nil {
			return nil, err
		}
	}
	b.Embed = e
	return b, e.check()
}

// blockItems splits content into items at blank lines and reads each
// item's key: value lines.
func blockItems(kind BlockKind, content string) ([]map[string]string, error) {
	var items []map[string]string
	var cur map[string]string
	for i, line := range strings.Split(content, "\n") {
		if strings.TrimSpace(line) == "" {
			cur = nil
			continue
		}
		m := blockLineRE.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("line %d is not \"key: value\": %q", i+1, clip(line))
		}
		key, v := m[1], strings.TrimSpace(m[2])
		if !slices.Contains(blockKeys[kind], key) {
			return nil, fmt.Errorf("line %d: a %s block has no key %q (it takes %s)", i+1, kind, key, strings.Join(blockKeys[kind], ", "))
		}
		if cur == nil {
			cur = map[string]string{}
			items = append(items, cur)
		}
		if _, dup := cur[key]; dup {
			return nil, fmt.Errorf("line %d: %s is given twice", i+1, key)
		}
		cur[key] = v
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("the %s block is empty", kind)
	}
	return items, nil
}

func pictureOf(it map[string]string) (Picture, error) {
	if it["media"] == "" {
		return Picture{}, fmt.Errorf("media is required: the id of a photo in the media library")
	}
	id, err := mediaID("media", it["media"])
	if err != nil {
		return Picture{}, err
	}
	p := Picture{MediaID: id, Alt: it["alt"], Caption: it["caption"], Credit: it["credit"]}
	if p.Alt == "" {
		return Picture{}, fmt.Errorf("alt is required: what the picture shows, for readers who cannot see it")
	}
	return p, checkValues(value{"alt", p.Alt, MaxBlockAlt}, value{"caption", p.Caption, MaxBlockCaption}, value{"credit", p.Credit, MaxBlockCredit})
}

func mediaID(key, v string) (int64, error) {
	if !mediaIDRE.MatchString(v) {
		return 0, fmt.Errorf("%s must be a media id (a number), got %q", key, clip(v))
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be a media id (a number), got %q", key, clip(v))
	}
	return id, nil
}

// message is what err says, without the code and field an *Error adds:
// a block's errors name the block and key themselves.
func message(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return err.Error()
}

// value is one of a block's values with its key and limit.
type value struct {
	key, v string
	max    int
}

// checkValues checks values as single lines of display text.
func checkValues(vs ...value) error {
	for _, v := range vs {
		if err := checkLine(v.key, v.v, v.max); err != nil {
			return errors.New(message(err))
		}
	}
	return nil
}

func (e *Embed) check() error {
	if e.URL == "" {
		return fmt.Errorf("url is required: the post's address")
	}
	p, err := EmbedProviderOf(e.URL)
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	switch {
	case e.Provider == "":
		return fmt.Errorf("provider is required: %s for this address", p)
	case e.Provider != p:
		return fmt.Errorf("provider is %q but the address is on %s", e.Provider, p)
	}
	if e.Date != "" {
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			return fmt.Errorf("date must be a day written YYYY-MM-DD, got %q", clip(e.Date))
		}
	}
	if e.Thumbnail != 0 && e.ThumbnailAlt == "" {
		return fmt.Errorf("thumbnail_alt is required with a thumbnail: what the picture shows")
	}
	if e.Thumbnail == 0 && e.ThumbnailAlt != "" {
		return fmt.Errorf("thumbnail_alt is given without a thumbnail")
	}
	return checkValues(value{"url", e.URL, MaxEmbedURL}, value{"author", e.Author, MaxEmbedAuthor}, value{"title", e.Title, MaxEmbedTitle},
		value{"text", e.Text, MaxEmbedText}, value{"thumbnail_alt", e.ThumbnailAlt, MaxBlockAlt})
}

// factMarkdown parses a fact box's text the way pages render bodies, to
// find what a fact box may not hold.
var factMarkdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

func (b *Block) checkFactBox() error {
	if b.Title == "" {
		return fmt.Errorf("title is required: the fact box's heading")
	}
	if err := checkValues(value{"title", b.Title, MaxFactTitle}); err != nil {
		return err
	}
	if b.Text == "" {
		return fmt.Errorf("the fact box has no text: write it after the title and a blank line")
	}
	if err := checkText("text", b.Text, MaxFactText); err != nil {
		return errors.New(message(err))
	}
	src := []byte(b.Text)
	var bad string
	_ = ast.Walk(factMarkdown.Parser().Parse(text.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindDocument, ast.KindParagraph, ast.KindTextBlock, ast.KindList, ast.KindListItem:
			return ast.WalkContinue, nil
		case ast.KindHeading:
			bad = "a heading"
		case ast.KindFencedCodeBlock, ast.KindCodeBlock:
			bad = "code or a block"
		case ast.KindBlockquote:
			bad = "a quote"
		case ast.KindThematicBreak:
			bad = "a horizontal rule"
		case ast.KindHTMLBlock:
			bad = "HTML"
		default:
			bad = "a " + strings.ToLower(n.Kind().String())
		}
		return ast.WalkStop, nil
	})
	if bad != "" {
		return fmt.Errorf("a fact box holds paragraphs and lists only, not %s", bad)
	}
	return nil
}

// FoundBlock is a block as found in a body: its kind, its number among
// the body's blocks (from 1), and the block or why it is not one.
type FoundBlock struct {
	N     int
	Kind  BlockKind
	Block *Block
	Err   error
}

// FindBlocks lists the blocks of a Markdown body in order, wherever
// Markdown puts a fenced code block (in a list or a quote too), each
// parsed. It reads the body as pages render it, so what it finds is what
// readers get.
func FindBlocks(body string) []FoundBlock {
	var out []FoundBlock
	eachFence(body, func(kind BlockKind, content string, _ []text.Segment) {
		f := FoundBlock{N: len(out) + 1, Kind: kind}
		f.Block, f.Err = ParseBlock(kind, content)
		out = append(out, f)
	})
	return out
}

// mayHoldBlocks is a quick look for a fence, which every block needs.
func mayHoldBlocks(body string) bool {
	return strings.Contains(body, "```") || strings.Contains(body, "~~~")
}

// eachFence calls fn, in order, for each fenced code block of body whose
// info string is a block kind, with its content and the segments of body
// it spans (its info string, then each line of its content).
func eachFence(body string, fn func(kind BlockKind, content string, spans []text.Segment)) {
	if !mayHoldBlocks(body) {
		return
	}
	src := []byte(body)
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
		spans := []text.Segment{fc.Info.Segment}
		lines := fc.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			content.Write(seg.Value(src))
			spans = append(spans, seg)
		}
		fn(BlockKind(info), content.String(), spans)
		return ast.WalkSkipChildren, nil
	})
}

// ParseBlocks returns the blocks of a body, or an error naming the first
// that is not right: its number, kind and what is wrong.
func ParseBlocks(body string) ([]*Block, error) {
	found := FindBlocks(body)
	if len(found) > MaxBlocks {
		return nil, FieldErrorf(EINVALID, "body", "the body has %d blocks; the limit is %d", len(found), MaxBlocks)
	}
	out := make([]*Block, 0, len(found))
	for _, f := range found {
		if f.Err != nil {
			return nil, FieldErrorf(EINVALID, "body", "block %d of the body (%s): %v", f.N, f.Kind, f.Err)
		}
		out = append(out, f.Block)
	}
	return out, nil
}

// Media lists the media ids the block shows.
func (b *Block) Media() []int64 {
	var ids []int64
	for _, p := range b.Pictures {
		ids = append(ids, p.MediaID)
	}
	if b.Embed.Thumbnail != 0 {
		ids = append(ids, b.Embed.Thumbnail)
	}
	return ids
}

// BodyMedia lists, sorted and once each, the media a body's blocks show.
// Blocks that are not right are left out: they render as nothing.
func BodyMedia(body string) []int64 {
	var ids []int64
	for _, f := range FindBlocks(body) {
		if f.Err == nil {
			ids = append(ids, f.Block.Media()...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Markdown writes the block as the body holds it, with a fence longer than
// any run of backticks inside and every value on one line.
func (b *Block) Markdown() string {
	var in strings.Builder
	kv := func(k, v string) {
		if v = oneLine(v); v != "" {
			in.WriteString(k + ": " + v + "\n")
		}
	}
	switch b.Kind {
	case BlockPhoto, BlockGallery:
		for i, p := range b.Pictures {
			if i > 0 {
				in.WriteString("\n")
			}
			if p.MediaID != 0 {
				kv("media", strconv.FormatInt(p.MediaID, 10))
			}
			kv("alt", p.Alt)
			kv("caption", p.Caption)
			kv("credit", p.Credit)
		}
	case BlockPullQuote:
		kv("quote", b.Quote)
		kv("by", b.By)
	case BlockFactBox:
		kv("title", b.Title)
		in.WriteString("\n" + strings.TrimSpace(strings.ReplaceAll(b.Text, "\r\n", "\n")) + "\n")
	case BlockEmbed:
		e := b.Embed
		kv("url", e.URL)
		kv("provider", e.Provider)
		kv("author", e.Author)
		kv("title", e.Title)
		kv("text", e.Text)
		kv("date", e.Date)
		if e.Thumbnail != 0 {
			kv("thumbnail", strconv.FormatInt(e.Thumbnail, 10))
		}
		kv("thumbnail_alt", e.ThumbnailAlt)
	}
	fence := strings.Repeat("`", max(3, longestRun(in.String(), '`')+1))
	return fence + string(b.Kind) + "\n" + in.String() + fence + "\n"
}

// oneLine folds line breaks into spaces: a value is one line.
func oneLine(v string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\u2028", " ", "\u2029", " ").Replace(v))
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// clip shortens what an error quotes back.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:60]) + "…"
}
