package kolokol

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBlocks(t *testing.T) {
	fa := "کشتی در سپیده\u200cدم بندر را ترک کرد"
	tests := []struct {
		name string
		body string
		want []*Block
		err  string // a part of the error; "" for none
	}{
		{"no blocks", "A paragraph.\n\n```go\nfmt.Println()\n```\n", []*Block{}, ""},
		{"photo", "Text.\n\n```photo\nmedia: 42\nalt: Passengers board\ncaption: The first ferry.\ncredit: Photo: Nino\n```\n",
			[]*Block{{Kind: BlockPhoto, Pictures: []Picture{{42, "Passengers board", "The first ferry.", "Photo: Nino"}}}}, ""},
		{"keys in any order, CRLF, spaces", "```photo\r\ncredit:  AP \r\nalt:" + fa + "\r\nmedia: 7\r\n```\r\n",
			[]*Block{{Kind: BlockPhoto, Pictures: []Picture{{7, fa, "", "AP"}}}}, ""},
		{"longer fence, backticks inside", "````photo\nmedia: 1\nalt: a ``` b\n````\n",
			[]*Block{{Kind: BlockPhoto, Pictures: []Picture{{1, "a ``` b", "", ""}}}}, ""},
		{"gallery", "```gallery\nmedia: 1\nalt: One\n\n\nmedia: 2\nalt: Two\ncaption: C\n```",
			[]*Block{{Kind: BlockGallery, Pictures: []Picture{{1, "One", "", ""}, {2, "Two", "C", ""}}}}, ""},
		{"pull quote", "```pullquote\nquote: " + fa + "\nby: Giorgi\n```",
			[]*Block{{Kind: BlockPullQuote, Quote: fa, By: "Giorgi"}}, ""},
		{"fact box", "```factbox\ntitle: What we know\n\n- The ferry left at 06:10.\n- **212** on board.\n```",
			[]*Block{{Kind: BlockFactBox, Title: "What we know", Text: "- The ferry left at 06:10.\n- **212** on board."}}, ""},
		{"embed", "```embed\nurl: https://t.me/bbcrussian/12345\nprovider: telegram\nauthor: BBC\ndate: 2026-11-30\nthumbnail: 9\nthumbnail_alt: A pier\n```",
			[]*Block{{Kind: BlockEmbed, Embed: Embed{URL: "https://t.me/bbcrussian/12345", Provider: "telegram", Author: "BBC", Date: "2026-11-30", Thumbnail: 9, ThumbnailAlt: "A pier"}}}, ""},
		{"in a list item", "- item\n\n  ```pullquote\n  quote: Q\n  ```\n",
			[]*Block{{Kind: BlockPullQuote, Quote: "Q"}}, ""},
		{"tilde fence is a block too", "~~~pullquote\nquote: Q\n~~~\n", []*Block{{Kind: BlockPullQuote, Quote: "Q"}}, ""},

		{"alt missing", "```photo\nmedia: 42\n```", nil, "block 1 of the body (photo): alt is required"},
		{"second block named", "```pullquote\nquote: Q\n```\n\n```photo\nmedia: 4\nalt: A\nwidth: 3\n```", nil, `block 2 of the body (photo): line 3: a photo block has no key "width"`},
		{"not key value", "```photo\nmedia 42\n```", nil, `line 1 is not "key: value"`},
		{"duplicate key", "```photo\nmedia: 1\nmedia: 2\nalt: A\n```", nil, "media is given twice"},
		{"media not a number", "```photo\nmedia: ../1\nalt: A\n```", nil, "media must be a media id"},
		{"media zero", "```photo\nmedia: 0\nalt: A\n```", nil, "media must be a media id"},
		{"media too big", "```photo\nmedia: 99999999999999999999\nalt: A\n```", nil, "media must be a media id"},
		{"photo with two", "```photo\nmedia: 1\nalt: A\n\nmedia: 2\nalt: B\n```", nil, "several make a gallery"},
		{"gallery of one", "```gallery\nmedia: 1\nalt: A\n```", nil, "a gallery holds 2 to 12 pictures"},
		{"gallery item named", "```gallery\nmedia: 1\nalt: A\n\nmedia: 2\n```", nil, "picture 2: alt is required"},
		{"empty block", "```pullquote\n```", nil, "the pullquote block is empty"},
		{"quote missing", "```pullquote\nby: X\n```", nil, "quote is required"},
		{"quote too long", "```pullquote\nquote: " + strings.Repeat("ж", MaxQuote+1) + "\n```", nil, "quote is 601 characters long"},
		{"control character", "```pullquote\nquote: a\x01b\n```", nil, "quote contains a control character"},
		{"bidi override", "```photo\nmedia: 1\nalt: a\u202eb\n```", nil, "alt contains a bidirectional control character"},
		{"fact box without text", "```factbox\ntitle: T\n```", nil, "the fact box has no text"},
		{"fact box without title", "```factbox\n\nText.\n```", nil, `line 1 is not "key: value": "Text."`},
		{"fact box with heading", "````factbox\ntitle: T\n\n## Heading\n````", nil, "not a heading"},
		{"fact box with code", "````factbox\ntitle: T\n\n```\ncode\n```\n````", nil, "not code or a block"},
		{"fact box with table", "```factbox\ntitle: T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n```", nil, "not a table"},
		{"fact box with quote", "```factbox\ntitle: T\n\n> q\n```", nil, "not a quote"},
		{"embed http", "```embed\nurl: http://t.me/x/1\nprovider: telegram\n```", nil, "must start with https://"},
		{"embed other host", "```embed\nurl: https://t.me.example.com/x/1\nprovider: telegram\n```", nil, "t.me.example.com is not the address of a post"},
		{"embed suffix host", "```embed\nurl: https://evil-youtube.com/watch?v=1\nprovider: youtube\n```", nil, "is not the address of a post"},
		{"embed user info", "```embed\nurl: https://a@t.me/x/1\nprovider: telegram\n```", nil, "carries a user name"},
		{"embed port", "```embed\nurl: https://t.me:8443/x/1\nprovider: telegram\n```", nil, "names a port"},
		{"embed javascript", "```embed\nurl: javascript:alert(1)\nprovider: x\n```", nil, "must start with https://"},
		{"embed wrong provider", "```embed\nurl: https://youtu.be/abc\nprovider: telegram\n```", nil, `provider is "telegram" but the address is on youtube`},
		{"embed no provider", "```embed\nurl: https://youtu.be/abc\n```", nil, "provider is required: youtube"},
		{"embed bad date", "```embed\nurl: https://youtu.be/abc\nprovider: youtube\ndate: 30/11/2026\n```", nil, "date must be a day written YYYY-MM-DD"},
		{"embed thumbnail without alt", "```embed\nurl: https://youtu.be/abc\nprovider: youtube\nthumbnail: 3\n```", nil, "thumbnail_alt is required"},
		{"embed alt without thumbnail", "```embed\nurl: https://youtu.be/abc\nprovider: youtube\nthumbnail_alt: x\n```", nil, "thumbnail_alt is given without a thumbnail"},
		{"too many blocks", strings.Repeat("```pullquote\nquote: q\n```\n\n", MaxBlocks+1), nil, "the body has 201 blocks; the limit is 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBlocks(tt.body)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one saying %q", err, tt.err)
				}
				if ErrorCode(err) != EINVALID {
					t.Errorf("code = %s, want %s", ErrorCode(err), EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBlockMarkdownRoundTrip(t *testing.T) {
	blocks := []*Block{
		{Kind: BlockPhoto, Pictures: []Picture{{42, "Line\nbreak folded", "Cap ``` ticks", "AP"}}},
		{Kind: BlockGallery, Pictures: []Picture{{1, "One", "", ""}, {2, "دو", "زیرنویس", ""}, {3, "Three", "", "Reuters"}}},
		{Kind: BlockPullQuote, Quote: "«Nobody told us»", By: ""},
		{Kind: BlockFactBox, Title: "What we know", Text: "- one\n- `two`\n\nA [link](https://example.org/)."},
		{Kind: BlockEmbed, Embed: Embed{URL: "https://www.youtube.com/watch?v=abc", Provider: "youtube", Title: "T", Text: "Text", Date: "2026-01-02", Thumbnail: 5, ThumbnailAlt: "A"}},
	}
	for _, b := range blocks {
		md := b.Markdown()
		got, err := ParseBlocks("Before.\n\n" + md + "\nAfter.\n")
		if err != nil {
			t.Fatalf("%s: %v\n%s", b.Kind, err, md)
		}
		want := *b
		for i := range want.Pictures {
			want.Pictures[i].Alt = oneLine(want.Pictures[i].Alt)
		}
		if len(got) != 1 || !reflect.DeepEqual(*got[0], want) {
			t.Errorf("%s: round trip gave %+v, want %+v\n%s", b.Kind, got, want, md)
		}
	}
	if got := (&Block{Kind: BlockPhoto, Pictures: []Picture{{1, "a ```` b", "", ""}}}).Markdown(); !strings.HasPrefix(got, "`````photo\n") {
		t.Errorf("fence not longer than the backticks inside:\n%s", got)
	}
}

func TestBodyMedia(t *testing.T) {
	body := "```photo\nmedia: 9\nalt: A\n```\n\n```gallery\nmedia: 3\nalt: A\n\nmedia: 9\nalt: B\n```\n\n" +
		"```embed\nurl: https://x.com/a/status/1\nprovider: x\nthumbnail: 5\nthumbnail_alt: P\n```\n\n" +
		"```photo\nmedia: 77\n```\n" // not right: left out
	if got, want := BodyMedia(body), []int64{3, 5, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("BodyMedia = %v, want %v", got, want)
	}
	if got := BodyMedia("no blocks at all"); got != nil {
		t.Errorf("BodyMedia of plain text = %v", got)
	}
}

func TestEmbedProviderOf(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"},
		{"https://youtu.be/dQw4w9WgXcQ", "youtube"},
		{"https://t.me/bbcrussian/1", "telegram"},
		{"https://twitter.com/bbc/status/1", "x"},
		{"https://x.com/bbc/status/1", "x"},
		{"https://www.instagram.com/p/abc/", "instagram"},
		{"https://fb.watch/abc/", "facebook"},
		{"https://www.tiktok.com/@bbc/video/1", "tiktok"},
		{"https://WWW.YOUTUBE.COM/watch?v=1", ""}, // hosts are compared as written: lower case only
		{"https://youtube.com.evil.example/watch", ""},
		{"https://example.org/", ""},
		{"ftp://t.me/x", ""},
		{"https://t.me/x y", ""},
		{"", ""},
	} {
		got, err := EmbedProviderOf(tt.url)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("EmbedProviderOf(%q) = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}
}

// FuzzParseBlocks: any body either parses or is refused with EINVALID, and
// every block it finds writes back to Markdown that parses to the same
// block.
func FuzzParseBlocks(f *testing.F) {
	for _, s := range []string{
		"```photo\nmedia: 1\nalt: A\n```",
		"```gallery\nmedia: 1\nalt: A\n\nmedia: 2\nalt: B\n```",
		"```pullquote\nquote: Q\nby: B\n```",
		"```factbox\ntitle: T\n\n- a\n- b\n```",
		"```embed\nurl: https://t.me/a/1\nprovider: telegram\n```",
		"- x\n\n  ````photo\n  media: 3\n  alt: ``` \n  ````\n",
		"> ```pullquote\n> quote: q\n> ```",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		blocks, err := ParseBlocks(body)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		for _, b := range blocks {
			md := b.Markdown()
			again, err := ParseBlocks(md)
			if err != nil {
				t.Fatalf("block %+v wrote %q, which does not parse: %v", b, md, err)
			}
			if len(again) != 1 || !reflect.DeepEqual(again[0], b) {
				t.Fatalf("block %+v wrote %q, which parses to %+v", b, md, again)
			}
		}
		_ = BodyMedia(body)
	})
}
