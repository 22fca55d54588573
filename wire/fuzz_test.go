package wire

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: whatever the bytes, Parse does not panic, says which reader
// refused them, gives items the queue can key, and gives the same answer
// twice.
func FuzzParse(f *testing.F) {
	dir := filepath.Join("testdata", "iptc")
	for _, file := range fixtureFiles(f, dir) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range hostile {
		if len(c.in) < 4096 {
			f.Add([]byte(c.in))
		}
	}
	f.Add([]byte(g2TextItem(`<headline>H</headline>`, `<inlineXML><nitf><body><body.content><p>x</p><media><media-reference source="a.jpg"/></media></body.content></body></nitf></inlineXML>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := Parse(data)
		if err != nil {
			if items != nil {
				t.Errorf("items beside the error %v", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "ninjs: ") && !strings.HasPrefix(msg, "newsml-g2: ") && !strings.HasPrefix(msg, "wire: ") {
				t.Errorf("the error does not name its reader: %q", msg)
			}
		}
		for i, it := range items {
			if strings.TrimSpace(it.GUID) == "" {
				t.Errorf("item %d has no GUID: %+v", i, it)
			}
			if it.Type == "text" && !it.Reference && strings.TrimSpace(it.Headline) == "" {
				t.Errorf("text item %d has no headline: %+v", i, it)
			}
			if it.Urgency < 0 || it.Urgency > 9 {
				t.Errorf("item %d has urgency %d", i, it.Urgency)
			}
		}
		again, err2 := Parse(data)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || !reflect.DeepEqual(items, again) {
			t.Errorf("two readings differ: %v / %v", err, err2)
		}
	})
}
