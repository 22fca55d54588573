package sign

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestMarshalManifestAsEncoder checks that the manifest's files are written
// as encoding/json writes them, whatever their paths hold: the bytes are
// what is signed, and what other tools read.
func TestMarshalManifestAsEncoder(t *testing.T) {
	id, _ := newKey()
	m := &Manifest{Origin: "https://news.example.org", Edition: 3, Time: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), KeyID: id.String()}
	for _, p := range []string{"404.html", "a b/index.html", `a"b/c'd.html`, "en/a/1-x/index.html", "fa/a/2-خبر/index.html", "x&<y>.html", "ü.html", "sr/a/3-вести/index.html", "\u00a0.html", "z\u2030.html"} {
		m.Files = append(m.Files, File{Path: p, SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Size: int64(len(p)) * 1000})
	}
	slicesSort(m.Files)
	got, err := MarshalManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	// The manifest as encoding/json writes each part.
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Origin  string    `json:"origin"`
		Edition int64     `json:"edition"`
		Time    time.Time `json:"time"`
		KeyID   string    `json:"key_id"`
	}{m.Origin, m.Edition, m.Time, m.KeyID})
	want.Truncate(want.Len() - 2)
	want.WriteString(`,"files":[`)
	for i, f := range m.Files {
		if i > 0 {
			want.WriteByte(',')
		}
		want.WriteByte('\n')
		enc.Encode(f)
		want.Truncate(want.Len() - 1)
	}
	want.WriteString("\n]}\n")
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("got\n%s\nwant\n%s", got, want.Bytes())
	}
	if _, err := ParseManifest(got); err != nil {
		t.Error(err)
	}
}

// slicesSort sorts files by path (byte order), as Validate wants them.
func slicesSort(fs []File) {
	for i := range fs {
		for j := i + 1; j < len(fs); j++ {
			if fs[j].Path < fs[i].Path {
				fs[i], fs[j] = fs[j], fs[i]
			}
		}
	}
}
