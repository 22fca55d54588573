package kolokol

import (
	"strings"
	"testing"
)

// TestBodyText: what is counted and indexed of a body is what readers
// read: block values, not keys, ids or addresses.
func TestBodyText(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
		not        []string
	}{
		{"no blocks", "Plain *text*.", []string{"Plain *text*."}, nil},
		{"photo", "Before.\n\n```photo\nmedia: 42\nalt: Passengers board\ncaption: The first ferry\ncredit: Nino\n```\n\nAfter.",
			[]string{"Before.", "After.", "Passengers board", "The first ferry", "Nino"}, []string{"media", "42", "photo", "alt:", "caption:"}},
		{"pull quote", "```pullquote\nquote: We will return\nby: The captain\n```", []string{"We will return", "The captain"}, []string{"quote", "by:"}},
		{"fact box", "```factbox\ntitle: What we know\n\n- **212** passengers\n```", []string{"What we know", "- **212** passengers"}, []string{"title", "factbox"}},
		{"embed", "```embed\nurl: https://t.me/c/1\nprovider: telegram\nauthor: Channel\ntext: Morning post\n```",
			[]string{"Channel", "Morning post"}, []string{"https", "t.me", "telegram", "url"}},
		{"bad block", "Kept.\n\n```photo\nmedia: 42\n```\n", []string{"Kept."}, []string{"media", "42"}},
		{"code stays", "```go\nmedia: 42\n```", []string{"media: 42", "go"}, nil},
		{"in a quote", "> ```pullquote\n> quote: Quoted words\n> ```\n", []string{"Quoted words"}, []string{"quote:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := BodyText(c.body)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("BodyText lost %q:\n%s", w, got)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("BodyText keeps %q:\n%s", w, got)
				}
			}
		})
	}
}
