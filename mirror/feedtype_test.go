package mirror

import (
	"testing"

	"github.com/kolokol/kolokol/feed"
)

// A mirror serves each feed with the type the live site sends, or a bucket
// would hand RSS out as plain XML.
func TestFeedContentTypes(t *testing.T) {
	for p, want := range map[string]string{
		"ru/feed.xml": feed.RSSType, "ru/atom.xml": feed.AtomType, "ru/feed.json": feed.JSONType,
		"ru/s/world/feed.xml": feed.RSSType, "ru/a/12.ninjs2.json": feed.NinjsType, "mirrors.json": "application/json",
	} {
		if got := ContentType(p); got != want {
			t.Errorf("ContentType(%s) = %q, want %q", p, got, want)
		}
	}
}
