package kolokol

import (
	"strings"
	"testing"
)

func TestAuditEntryValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(e *AuditEntry)
		field string // "" means valid
	}{
		{"valid", func(e *AuditEntry) {}, ""},
		{"account action", func(e *AuditEntry) {
			e.Action, e.Service, e.ArticleID, e.Target = "user.add", "", 0, "tomas@example.org"
		}, ""},
		{"denied", func(e *AuditEntry) { e.Action = "article.publish.denied" }, ""},
		{"underscore", func(e *AuditEntry) { e.Action = "article.set_breaking" }, ""},
		{"token actor", func(e *AuditEntry) { e.Actor = "wire importer" }, ""},
		{"Persian detail", func(e *AuditEntry) { e.Detail = "تیتر تغییر کرد\nدو خط" }, ""},
		{"no actor", func(e *AuditEntry) { e.Actor = "" }, "actor"},
		{"blank actor", func(e *AuditEntry) { e.Actor = "  " }, "actor"},
		{"no action", func(e *AuditEntry) { e.Action = "" }, "action"},
		{"one word", func(e *AuditEntry) { e.Action = "publish" }, "action"},
		{"uppercase", func(e *AuditEntry) { e.Action = "Article.Publish" }, "action"},
		{"spaces", func(e *AuditEntry) { e.Action = "article. publish" }, "action"},
		{"long action", func(e *AuditEntry) { e.Action = "article." + strings.Repeat("x", 60) }, "action"},
		{"bad service", func(e *AuditEntry) { e.Service = "RU" }, "service"},
		{"negative article", func(e *AuditEntry) { e.ArticleID = -1 }, "article_id"},
		{"control char", func(e *AuditEntry) { e.Detail = "a\x00b" }, "detail"},
		{"long target", func(e *AuditEntry) { e.Target = strings.Repeat("x", 2001) }, "target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &AuditEntry{Actor: "anna@example.org", Action: "article.publish", Service: "ru", ArticleID: 7}
			tt.edit(e)
			wantField(t, e.Validate(), tt.field)
		})
	}
}
