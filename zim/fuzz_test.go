package zim

import (
	"bytes"
	"testing"
)

// FuzzOpen: no bytes make the Reader panic, hang or allocate without
// bound, whatever they claim.
func FuzzOpen(f *testing.F) {
	small := encode(f, sample(f, english))
	f.Add(small)
	f.Add(encode(f, sample(f, persian)))
	f.Add(small[:len(small)/2])
	f.Add(small[:headerSize])
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := Open(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		for _, p := range r.Paths() {
			r.Content(p)
			r.Title(p)
		}
		for _, name := range []string{"Name", "Title", "Language", illustrationName, "Counter"} {
			r.Metadata(name)
		}
		r.Main()
		r.Checksum()
		r.Close()
	})
}
