package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kolokol/kolokol"
)

// TestImportColumns compares the rows an import writes with those
// CreateArticle writes for the same story, column by column, the columns
// no Find method returns (headline_fold) included: a column the import
// forgot would still pass the conformance suite.
func TestImportColumns(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "kolokol.db"))
	if err := s.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR,
		Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	story := func() *kolokol.Article {
		a := &kolokol.Article{Service: "ru", Headline: "Выборы в ГРУЗИИ: «ქართული ოცნება» — ИТОГИ", Summary: "Кратко.",
			Body: "Текст.", Bylines: []string{"Анна Иванова"}, Tags: []string{"выборы"}, Credits: []string{"AP"},
			Status: kolokol.StatusDraft, CreatedBy: "anna@example.org", EditedBy: "anna@example.org", TranslationGroup: "vote"}
		a.Normalize()
		return a
	}
	created, imported := story(), story()
	if err := s.CreateArticle(ctx, created); err != nil {
		t.Fatal(err)
	}
	imported.CreatedAt, imported.UpdatedAt = created.CreatedAt, created.UpdatedAt
	if err := s.ImportArticles(ctx, []*kolokol.Article{imported}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []struct{ name, key string }{{"articles", "id"}, {"revisions", "article_id"}} {
		a, b := row(t, s, table.name, table.key, created.ID), row(t, s, table.name, table.key, imported.ID)
		if len(a) == 0 {
			t.Fatalf("no %s row of article %d", table.name, created.ID)
		}
		for col, v := range a {
			if col == "id" || col == "article_id" {
				continue
			}
			if !reflect.DeepEqual(b[col], v) {
				t.Errorf("%s.%s: imported %#v, created %#v", table.name, col, b[col], v)
			}
		}
	}
}

// row reads every column of one row by name.
func row(t *testing.T, s *Store, table, key string, id int64) map[string]any {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `SELECT * FROM `+table+` WHERE `+key+` = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			out[c] = vals[i]
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
