package desk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kolokol/kolokol"
)

func TestDiff(t *testing.T) {
	older := &kolokol.Revision{Headline: "Паром вернулся в город", Body: "Первая переправа заняла десять минут.\n\nВторой абзац.", Tags: []string{"a"}}
	newer := &kolokol.Revision{Headline: "Паром вернулся в город", Body: "Первая переправа заняла одиннадцать минут.\n\nВторой абзац.", Tags: []string{"a", "b"},
		LeadImage: &kolokol.LeadImage{Alt: "Река"}}
	got := Diff(older, newer)
	fields := map[string][]DiffOp{}
	for _, f := range got {
		fields[f.Field] = f.Ops
	}
	if _, ok := fields["headline"]; ok {
		t.Error("an unchanged headline is in the diff")
	}
	body := fields["body"]
	var del, ins, all strings.Builder
	for _, op := range body {
		all.WriteString(op.Text)
		switch op.Op {
		case "delete":
			del.WriteString(op.Text)
		case "insert":
			ins.WriteString(op.Text)
		}
	}
	if strings.TrimSpace(del.String()) != "десять" || strings.TrimSpace(ins.String()) != "одиннадцать" {
		t.Errorf("body diff %+v", body)
	}
	if _, ok := fields["tags"]; !ok {
		t.Error("changed tags missing from the diff")
	}
	if _, ok := fields["lead_image"]; !ok {
		t.Error("an added image is missing from the diff")
	}
}

// FuzzDiff: the equal and delete runs spell the older text, the equal and
// insert runs the newer, whatever the texts.
func FuzzDiff(f *testing.F) {
	f.Add("a b c", "a c d")
	f.Add("می\u200cخواهد برگردد", "می\u200cخواهد  بر گردد\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		var oldText, newText strings.Builder
		for _, op := range diffText(a, b) {
			if op.Op != "insert" {
				oldText.WriteString(op.Text)
			}
			if op.Op != "delete" {
				newText.WriteString(op.Text)
			}
		}
		if oldText.String() != a || newText.String() != b {
			t.Fatalf("diff of %q and %q rebuilds %q and %q", a, b, oldText.String(), newText.String())
		}
	})
}
