package zim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newsArchive is n stories of about 6 KB of HTML, each with a picture of
// about 25 KB (random bytes, as incompressible as a JPEG).
func newsArchive(b testing.TB, n int) *Archive {
	a := sample(b, english)
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the minister said on tuesday that parliament would vote on a new budget for schools hospitals and roads after floods reached the capital and thousands of people left their homes")
	for i := range n {
		var body strings.Builder
		fmt.Fprintf(&body, `<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Story %d</title><link rel="stylesheet" href="../style.css"></head><body><h1>Story %d</h1><img src="../p/%d.jpg" alt="">`, i, i, i)
		for body.Len() < 6000 {
			body.WriteString("<p>")
			for range 40 {
				body.WriteString(words[rng.IntN(len(words))])
				body.WriteByte(' ')
			}
			body.WriteString("</p>\n")
		}
		body.WriteString("</body></html>\n")
		pic := make([]byte, 25000)
		for j := range pic {
			pic[j] = byte(rng.Uint32())
		}
		a.Entries = append(a.Entries,
			Entry{Path: fmt.Sprintf("s/%d.html", i), Title: fmt.Sprintf("Story %d", i), MIME: "text/html", Data: []byte(body.String()), Front: true},
			Entry{Path: fmt.Sprintf("p/%d.jpg", i), MIME: "image/jpeg", Data: pic})
	}
	return a
}

// BenchmarkWrite writes 1,000 stories with their pictures to a file.
func BenchmarkWrite(b *testing.B) {
	a := newsArchive(b, 1000)
	path := filepath.Join(b.TempDir(), "news.zim")
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteFile(context.Background(), path, a); err != nil {
			b.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size()), "file-bytes")
}

// BenchmarkContent reads one story from a file of 1,000: the cost of
// opening one cluster.
func BenchmarkContent(b *testing.B) {
	path := filepath.Join(b.TempDir(), "news.zim")
	if err := WriteFile(context.Background(), path, newsArchive(b, 1000)); err != nil {
		b.Fatal(err)
	}
	r, err := OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Stories far apart, so that each read opens another cluster.
		if _, _, err := r.Content(fmt.Sprintf("s/%d.html", (i*397)%1000)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
