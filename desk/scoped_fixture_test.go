package desk

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/store/sqlite"
)

// scoped is a desk over a real SQLite file and media directory, with the
// services ru, fa and en, and a clock the test moves.
type scoped struct {
	*Desk
	store *sqlite.Store
	dir   string // the data directory: kolokol.db and media/
	now   time.Time
}

func newScoped(t testing.TB) *scoped {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "kolokol.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDir(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	// One small crop keeps uploads quick; the rules do not depend on sizes.
	images, err := media.NewProcessor(media.Options{Widths: []int{320}, Ratios: []media.Ratio{media.Ratio16x9}})
	if err != nil {
		t.Fatal(err)
	}
	f := &scoped{store: st, dir: dir, now: time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)}
	f.Desk = New(st, blobs, images, func() time.Time { return f.now })
	for _, code := range []string{"en", "fa", "ru"} {
		svc := &kolokol.Service{Code: code, Tag: code, Script: "Latn", Direction: kolokol.LTR, Name: "Service " + code, TimeZone: "UTC"}
		if err := st.CreateService(t.Context(), svc); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// Actors of the tests, by what they may do.
var (
	globalAdmin = kolokol.Actor{Name: "root@example.org", Role: kolokol.RoleAdmin}
	ruAdmin     = kolokol.Actor{Name: "ru-admin@example.org", Role: kolokol.RoleAdmin, Services: []string{"ru"}}
	ruFaAdmin   = kolokol.Actor{Name: "ru-fa-admin@example.org", Role: kolokol.RoleAdmin, Services: []string{"ru", "fa"}}
	ruEditor    = kolokol.Actor{Name: "ru-editor@example.org", Role: kolokol.RoleEditor, Services: []string{"ru"}}
	faEditor    = kolokol.Actor{Name: "fa-editor@example.org", Role: kolokol.RoleEditor, Services: []string{"fa"}}
	ruReporter  = kolokol.Actor{Name: "ru-reporter@example.org", Role: kolokol.RoleReporter, Services: []string{"ru"}}
)

// audit returns the entries of an action, newest first.
func (f *scoped) entries(t *testing.T, action string) []*kolokol.AuditEntry {
	t.Helper()
	list, err := f.store.FindAudit(t.Context(), kolokol.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// wantCode fails the test unless err carries code (and names field, when
// one is given).
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := kolokol.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if field != "" && kolokol.ErrorField(err) != field {
		t.Fatalf("error %v: field %q, want %q", err, kolokol.ErrorField(err), field)
	}
}
