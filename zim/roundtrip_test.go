package zim

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, s := range []service{english, persian} {
		t.Run(s.lang3, func(t *testing.T) {
			a := sample(t, s)
			file := encode(t, a)
			r, err := Open(bytes.NewReader(file), int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, e := range a.Entries {
				want = append(want, e.Path)
			}
			for _, rd := range a.Redirects {
				want = append(want, rd.Path)
			}
			slices.Sort(want)
			if got := r.Paths(); !slices.Equal(got, want) {
				t.Errorf("Paths() = %q, want %q", got, want)
			}
			for _, e := range a.Entries {
				data, mime, err := r.Content(e.Path)
				if err != nil {
					t.Errorf("Content(%q): %v", e.Path, err)
					continue
				}
				if !bytes.Equal(data, e.Data) || mime != e.MIME {
					t.Errorf("Content(%q) = %d bytes of %q, want %d bytes of %q", e.Path, len(data), mime, len(e.Data), e.MIME)
				}
				wantTitle := e.Title
				if wantTitle == "" {
					wantTitle = e.Path
				}
				if title, err := r.Title(e.Path); err != nil || title != wantTitle {
					t.Errorf("Title(%q) = %q, %v; want %q", e.Path, title, err, wantTitle)
				}
			}
			for _, rd := range a.Redirects {
				data, _, err := r.Content(rd.Path)
				target, _, _ := r.Content(rd.Target)
				if err != nil || !bytes.Equal(data, target) {
					t.Errorf("redirect %q: %d bytes, %v; want the %d of %q", rd.Path, len(data), err, len(target), rd.Target)
				}
			}
			if _, _, err := r.Content("a/missing.html"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Content(missing) error = %v, want fs.ErrNotExist", err)
			}
			if got := r.Main(); got != a.Main {
				t.Errorf("Main() = %q, want %q", got, a.Main)
			}
			m := a.Metadata
			for name, want := range map[string]string{
				"Name": m.Name, "Title": m.Title, "Creator": m.Creator, "Publisher": m.Publisher,
				"Date": m.Date, "Description": m.Description, "Language": m.Language,
				"Tags": m.Tags, "Source": m.Source, "Illustration_48x48@1": string(m.Illustration48),
				"Counter": "image/jpeg=1;image/png=1;text/css=1;text/html=4",
			} {
				if got, ok := r.Metadata(name); !ok || string(got) != want {
					t.Errorf("Metadata(%q) = %q, %v; want %q", name, got, ok, want)
				}
			}
			if _, ok := r.Metadata("LongDescription"); ok {
				t.Error("Metadata(LongDescription) present though empty")
			}
			if err := r.Checksum(); err != nil {
				t.Errorf("Checksum: %v", err)
			}
			// The front articles, in title order, are what Kiwix lists.
			v1, ok := r.index["X"+listingV1]
			if !ok {
				t.Fatal("no title listing v1")
			}
			listing, err := r.blob(r.entries[v1])
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for i := 0; i+4 <= len(listing); i += 4 {
				e := r.entries[uint32(listing[i])|uint32(listing[i+1])<<8|uint32(listing[i+2])<<16|uint32(listing[i+3])<<24]
				titles = append(titles, e.title)
			}
			wantTitles := append([]string{s.title}, s.headlines...)
			slices.Sort(wantTitles)
			if !slices.Equal(titles, wantTitles) {
				t.Errorf("front articles by title = %q, want %q", titles, wantTitles)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	a := sample(t, persian)
	if !bytes.Equal(encode(t, a), encode(t, a)) {
		t.Error("two writes of one archive differ")
	}
	b := *a
	b.UUID = [16]byte{}
	x, y := encode(t, &b), encode(t, &b)
	if bytes.Equal(x[8:24], y[8:24]) {
		t.Error("two archives without a UUID got the same one")
	}
}

func TestChecksumTampered(t *testing.T) {
	file := encode(t, sample(t, english))
	// One byte in each part of the file that Open does not check
	// itself: the UUID, a path in the directory, clusters, the checksum.
	for _, at := range []int{10, 400, len(file) / 2, len(file) - 17, len(file) - 1} {
		bad := bytes.Clone(file)
		bad[at] ^= 0x01
		r, err := Open(bytes.NewReader(bad), int64(len(bad)))
		if err != nil {
			t.Fatalf("byte %d changed: Open: %v", at, err)
		}
		if err := r.Checksum(); err == nil {
			t.Errorf("byte %d changed: Checksum() = nil", at)
		}
	}
}
