package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func newBundle(service string, kind kolokol.BundleKind, to time.Time) *kolokol.Bundle {
	name := service + "-" + to.Format(time.DateOnly) + "." + string(kind)
	return &kolokol.Bundle{Service: service, Kind: kind, Name: name, Key: strings.Repeat("0a", 32) + "." + string(kind),
		SigKey: strings.Repeat("0b", 32) + ".minisig", Size: 4_321_000, Stories: 57, From: to.Add(-7 * 24 * time.Hour), To: to}
}

// testBundles: offline editions round-trip, list newest first per
// service, are refused when malformed or for an unknown service, and
// each one added or deleted is a change of its service's bundles alone.
func testBundles(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	createService(t, s, "fa")
	createService(t, s, "ka")
	_, seq, err := s.ChangeBounds(ctx)
	ok(t, err, "change bounds")
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	first := newBundle("fa", kolokol.BundleZIM, to.Add(-24*time.Hour))
	ok(t, s.AddBundle(ctx, first), "add bundle")
	second := newBundle("fa", kolokol.BundleEPUB, to)
	ok(t, s.AddBundle(ctx, second), "add bundle")
	ok(t, s.AddBundle(ctx, newBundle("ka", kolokol.BundleZIM, to)), "add bundle")
	if first.ID == 0 || second.ID <= first.ID {
		t.Fatalf("ids %d, %d", first.ID, second.ID)
	}
	stamped(t, "created", first.CreatedAt)
	got, err := s.FindBundles(ctx, "fa")
	ok(t, err, "find bundles")
	if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
		t.Fatalf("fa's bundles %+v, want the EPUB then the ZIM", got)
	}
	want := *second
	if g := *got[0]; g.Name != want.Name || g.Kind != want.Kind || g.Key != want.Key || g.SigKey != want.SigKey || g.Size != want.Size ||
		g.Stories != want.Stories || !g.From.Equal(want.From) || !g.To.Equal(want.To) || !g.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("read back %+v, stored %+v", g, want)
	}
	changes, seq := since(t, s, seq)
	if w := slices.Repeat([]string{"bundles fa 0 0 false []"}, 2); !slices.Equal(changes[:2], w) || changes[2] != "bundles ka 0 0 false []" {
		t.Errorf("adding logged %q", changes)
	}

	for _, c := range []struct {
		what string
		edit func(b *kolokol.Bundle)
	}{
		{"an unknown kind", func(b *kolokol.Bundle) { b.Kind = "pdf" }},
		{"a name with a slash", func(b *kolokol.Bundle) { b.Name = "../fa.zim" }},
		{"a name of another kind", func(b *kolokol.Bundle) { b.Name = "fa.epub" }},
		{"no stories", func(b *kolokol.Bundle) { b.Stories = 0 }},
		{"a period backwards", func(b *kolokol.Bundle) { b.From, b.To = b.To, b.From }},
		{"a signature key that is not one", func(b *kolokol.Bundle) { b.SigKey = b.Key }},
	} {
		b := newBundle("fa", kolokol.BundleZIM, to)
		c.edit(b)
		if err := s.AddBundle(ctx, b); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.what, err)
		}
	}
	if err := s.AddBundle(ctx, newBundle("xx", kolokol.BundleZIM, to)); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("a bundle of an unknown service: %v", err)
	}
	if changes, _ := since(t, s, seq); len(changes) != 0 {
		t.Errorf("refused bundles logged %q", changes)
	}

	ok(t, s.DeleteBundle(ctx, first.ID), "delete bundle")
	if err := s.DeleteBundle(ctx, first.ID); kolokol.ErrorCode(err) != kolokol.ENOTFOUND {
		t.Errorf("deleting it again: %v", err)
	}
	got, err = s.FindBundles(ctx, "fa")
	ok(t, err, "find bundles")
	if len(got) != 1 || got[0].ID != second.ID {
		t.Errorf("after the delete: %+v", got)
	}
	if changes, _ := since(t, s, seq); !slices.Equal(changes, []string{"bundles fa 0 0 false []"}) {
		t.Errorf("deleting logged %q", changes)
	}
	if none, err := s.FindBundles(ctx, "ru"); err != nil || len(none) != 0 {
		t.Errorf("a service without bundles: %v, %v", none, err)
	}
}
