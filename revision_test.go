package kolokol

import (
	"slices"
	"testing"
)

func TestRevisionOf(t *testing.T) {
	a := &Article{ID: 4, Service: "ka", Section: "politics", Status: StatusPublished, Version: 3, EditedBy: "nino@example.org",
		Headline: "სათაური", Summary: "მოკლედ", Body: "ტექსტი", Dateline: "თბილისი",
		Bylines: []string{"ნინო"}, Tags: []string{"არჩევნები"}, Credits: []string{"AFP"},
		LeadImage: &LeadImage{MediaID: 9, Alt: "ხიდი", Caption: "მტკვარი", Credit: "AFP"}}
	r := RevisionOf(a)
	if r.ArticleID != 4 || r.Version != 3 || r.Actor != "nino@example.org" || r.Status != StatusPublished ||
		r.Section != "politics" || r.Headline != a.Headline || r.Summary != a.Summary || r.Body != a.Body ||
		r.Dateline != a.Dateline || !slices.Equal(r.Bylines, a.Bylines) || !slices.Equal(r.Tags, a.Tags) ||
		!slices.Equal(r.Credits, a.Credits) || r.LeadImage == nil || *r.LeadImage != *a.LeadImage {
		t.Fatalf("revision %+v of %+v", r, a)
	}
	// The revision keeps the lead image as it was, whatever the article does next.
	a.LeadImage.Caption = "changed"
	if r.LeadImage.Caption != "მტკვარი" {
		t.Error("the revision shares the article's lead image")
	}
	if RevisionOf(&Article{ID: 1, Version: 1}).LeadImage != nil {
		t.Error("a story without a lead image got one in its revision")
	}
}
