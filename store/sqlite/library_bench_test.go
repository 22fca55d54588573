package sqlite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kolokol/kolokol"
)

// BenchmarkFindMedia: the first page of a library of 5,000 photos (two
// renditions each), listed and searched by a word of the captions.
func BenchmarkFindMedia(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "kolokol.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	if err := s.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "UTC"}); err != nil {
		b.Fatal(err)
	}
	key := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	for i := range 5000 {
		m := &kolokol.Media{Hash: key(fmt.Sprint("m", i)), ContentType: "image/jpeg", Size: 1000, Width: 1600, Height: 900,
			FocalX: 0.5, FocalY: 0.5, Services: []string{"ru"}, Name: fmt.Sprintf("IMG_%04d.jpg", i),
			Caption: fmt.Sprintf("Митинг в Москве, кадр %d", i), Credit: "ТАСС",
			Renditions: []kolokol.Rendition{
				{Key: key(fmt.Sprint("a", i)) + ".jpg", Ratio: kolokol.RatioOriginal, Format: kolokol.FormatJPEG, Width: 320, Height: 180, Size: 10},
				{Key: key(fmt.Sprint("b", i)) + ".webp", Ratio: kolokol.RatioOriginal, Format: kolokol.FormatWebP, Width: 320, Height: 180, Size: 10},
			}}
		if err := s.CreateMedia(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{"", "москве", "img_4999"} {
		b.Run(fmt.Sprintf("q=%q", q), func(b *testing.B) {
			for b.Loop() {
				list, total, err := s.FindMedia(ctx, kolokol.MediaFilter{Service: "ru", Query: q, Limit: 50})
				if err != nil || len(list) == 0 || total == 0 {
					b.Fatalf("%d of %d: %v", len(list), total, err)
				}
			}
		})
	}
}
