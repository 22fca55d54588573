package sign

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestMarshalManifestAsEncoder checks that a part's files are written as
// encoding/json writes them, whatever their paths hold: the bytes are
// what is signed (through the part's hash), and what other tools read.
func TestMarshalManifestAsEncoder(t *testing.T) {
	id, _ := newKey()
	m := &Manifest{Origin: "https://news.example.org", Edition: 3, Time: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), KeyID: id.String()}
	for _, p := range []string{"404.html", "a b/index.html", `a"b/c'd.html`, "en/a/1-x/index.html", "fa/a/2-خبر/index.html", "x&<y>.html", "ü.html", "sr/a/3-вести/index.html", "\u00a0.html", "z\u2030.html"} {
		m.Files = append(m.Files, File{Path: p, SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Size: int64(len(p)) * 1000})
	}
	slicesSort(m.Files)
	got, err := MarshalPart(m.Files)
	if err != nil {
		t.Fatal(err)
	}
	// The part as encoding/json writes each piece.
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	want.WriteString(`{"files":[`)
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
	if _, err := ParsePart(RootGroup, got); err == nil {
		t.Error("a part of files of several groups was read as the root's")
	}
	// And the manifest, whose parts are these files' parts.
	parts, _, err := makeParts(m.Files, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Parts = parts
	top, err := MarshalManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseManifest(top)
	if err != nil || len(back.Parts) != len(parts) || back.Parts[0] != parts[0] {
		t.Errorf("%v %+v", err, back)
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
