package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/kolokol/kolokol"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// Revisions returns a story's history, newest first.
func (d *Desk) Revisions(ctx context.Context, actor kolokol.Actor, id int64) ([]*kolokol.Revision, error) {
	if _, err := d.Article(ctx, actor, id); err != nil {
		return nil, err
	}
	return d.store.FindRevisions(ctx, id)
}

// Revision returns one revision of a story.
func (d *Desk) Revision(ctx context.Context, actor kolokol.Actor, id, revID int64) (*kolokol.Revision, error) {
	if _, err := d.Article(ctx, actor, id); err != nil {
		return nil, err
	}
	return d.store.FindRevision(ctx, id, revID)
}

// Restore makes a past revision's text the story's text again, as a new
// save (so the history keeps what it replaced). version is the version the
// editor is looking at. A stale one is a conflict, never merged: a restore
// means "make it exactly this", which the editor decided without seeing
// the latest change.
func (d *Desk) Restore(ctx context.Context, actor kolokol.Actor, id, revID int64, version int) (restored *kolokol.Article, err error) {
	detail := fmt.Sprintf("revision %d", revID)
	r, err := d.Revision(ctx, actor, id, revID)
	if err != nil {
		d.record(ctx, actor, "article.restore", "", id, detail, err)
		return nil, err
	}
	if a, err := d.Article(ctx, actor, id); err != nil {
		d.record(ctx, actor, "article.restore", "", id, detail, err)
		return nil, err
	} else if version != a.Version {
		err := kolokol.FieldErrorf(kolokol.ECONFLICT, "version", "the story was changed since you opened its history (it is at version %d, you saw %d); reload the history and restore again", a.Version, version)
		d.record(ctx, actor, "article.restore", a.Service, id, detail, err)
		return nil, err
	}
	li := r.LeadImage
	// The story showed the revision's photos once: it may show them again,
	// whoever restores it.
	kept := kolokol.BodyMedia(r.Body)
	if li != nil {
		kept = append(kept, li.MediaID)
	}
	// The translation group is not restored: it is chosen on the story
	// page (Link, Unlink), not written in the story, and an old group may
	// now hold another version in this service.
	res, err := d.editAs(ctx, actor, "article.restore", detail, id, ArticlePatch{
		Version: version, Section: &r.Section, Headline: &r.Headline, Summary: &r.Summary, Body: &r.Body,
		Dateline: &r.Dateline, Bylines: &r.Bylines, Tags: &r.Tags, Credits: &r.Credits, LeadImage: &li,
		Slug: &r.CustomSlug, SEOTitle: &r.SEOTitle, SocialTitle: &r.SocialTitle,
		SocialDescription: &r.SocialDescription,
	}, kept...)
	if err != nil {
		return nil, err
	}
	return res.Article, nil
}

// DiffOp is one run of a diff: text both sides share ("equal"), or text
// only the newer side has ("insert") or only the older ("delete").
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// FieldDiff is the difference in one field between two revisions.
type FieldDiff struct {
	Field string   `json:"field"`
	Ops   []DiffOp `json:"ops"`
}

// Diff compares two revisions field by field, leaving out fields that are
// the same. Text is compared by words and the result cleaned up for people,
// so an edit reads as the sentence it changed rather than as letters.
func Diff(older, newer *kolokol.Revision) []FieldDiff {
	var out []FieldDiff
	for _, f := range []struct {
		name     string
		old, new string
	}{
		{"headline", older.Headline, newer.Headline},
		{"summary", older.Summary, newer.Summary},
		{"body", older.Body, newer.Body},
		{"section", older.Section, newer.Section},
		{"dateline", older.Dateline, newer.Dateline},
		{"bylines", strings.Join(older.Bylines, "\n"), strings.Join(newer.Bylines, "\n")},
		{"tags", strings.Join(older.Tags, "\n"), strings.Join(newer.Tags, "\n")},
		{"credits", strings.Join(older.Credits, "\n"), strings.Join(newer.Credits, "\n")},
		{"lead_image", imageText(older.LeadImage), imageText(newer.LeadImage)},
		{"translation_group", older.TranslationGroup, newer.TranslationGroup},
		{"slug", older.CustomSlug, newer.CustomSlug},
		{"seo_title", older.SEOTitle, newer.SEOTitle},
		{"social_title", older.SocialTitle, newer.SocialTitle},
		{"social_description", older.SocialDescription, newer.SocialDescription},
	} {
		if f.old != f.new {
			out = append(out, FieldDiff{Field: f.name, Ops: diffText(f.old, f.new)})
		}
	}
	return out
}

func imageText(li *kolokol.LeadImage) string {
	if li == nil {
		return ""
	}
	return strings.Join([]string{li.Alt, li.Caption, li.Credit}, "\n")
}

// diffText diffs by words: each distinct word (with the spaces after it)
// becomes one rune, the character diff runs on those, and the runes are
// turned back into words.
func diffText(a, b string) []DiffOp {
	var words []string
	index := map[string]rune{}
	encode := func(s string) string {
		var sb strings.Builder
		for _, w := range splitWords(s) {
			r, ok := index[w]
			if !ok {
				r = wordRune(len(words))
				index[w] = r
				words = append(words, w)
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	ea, eb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(ea, eb, false))
	ops := make([]DiffOp, 0, len(diffs))
	for _, d := range diffs {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(words[runeWord(r)])
		}
		op := "equal"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "insert"
		case diffmatchpatch.DiffDelete:
			op = "delete"
		}
		ops = append(ops, DiffOp{Op: op, Text: text.String()})
	}
	return ops
}

// splitWords cuts s after each run of white space, keeping every byte.
func splitWords(s string) []string {
	var out []string
	for len(s) > 0 {
		end := strings.IndexAny(s, " \n\t")
		if end < 0 {
			end = len(s)
		}
		for end < len(s) && (s[end] == ' ' || s[end] == '\n' || s[end] == '\t') {
			end++
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// wordRune and runeWord number words with runes, stepping over the
// surrogate block, which a Go string cannot hold.
func wordRune(i int) rune {
	if i < 0xD800 {
		return rune(i)
	}
	return rune(i + 0x800)
}

func runeWord(r rune) int {
	if r < 0xD800 {
		return int(r)
	}
	return int(r) - 0x800
}
