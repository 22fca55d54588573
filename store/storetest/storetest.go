// Package storetest is the conformance suite of kolokol.Store: every
// implementation runs it from its own tests, so that the stores behave alike
// and the rest of the program cannot tell them apart.
//
// The suite holds the stores to the contract of kolokol.Store plus what the
// newsroom relies on without it being spelled out there:
//
//   - Times come back in UTC and equal, as instants, the times that went in.
//     Times the store stamps (CreatedAt, UpdatedAt) are what a later read
//     returns, to the nanosecond; the suite's own times have microsecond
//     precision, all PostgreSQL keeps.
//   - Empty lists, whether of rows or in a field, come back as nil.
//   - A refused write returns an *kolokol.Error (EINVALID with the field at
//     fault, ECONFLICT, ENOTFOUND), changes nothing stored, and leaves the
//     caller's value as it was.
//   - FindArticles pages by 50 when no limit is given and never by more
//     than 500.
//   - ClearBreaking of a service without a banner is not an error.
package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// Opener returns a new, empty store for one test and arranges for it to be
// closed when the test ends.
type Opener func(t *testing.T) kolokol.Store

// Run runs the suite. It calls open once per subtest.
func Run(t *testing.T, open func(t *testing.T) kolokol.Store) {
	for _, g := range []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Services", testServices},
		{"Sections", testSections},
		{"Articles", testArticles},
		{"ArticleUpdates", testArticleUpdates},
		{"Corrections", testCorrections},
		{"ArticleFilters", testArticleFilters},
		{"ArticleLimits", testArticleLimits},
		{"TranslationGroups", testTranslationGroups},
		{"SetTranslationGroup", testSetTranslationGroup},
		{"ShareMedia", testShareMedia},
		{"ScheduledBy", testScheduledBy},
		{"Breaking", testBreaking},
		{"Media", testMedia},
		{"MediaServices", testMediaServices},
		{"ArticleMedia", testArticleMedia},
		{"MediaLibrary", testMediaLibrary},
		{"Tokens", testTokens},
		{"TokenLifecycle", testTokenLifecycle},
		{"Concurrency", testConcurrency},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Audit", testAudit},
		{"Enrolments", testEnrolments},
		{"Revisions", testRevisions},
		{"UserRoundTrips", testUserRoundTrips},
		{"UserUpdates", testUserUpdates},
		{"SessionRoundTrips", testSessionRoundTrips},
		{"EnrolmentRace", testEnrolmentRace},
		{"ResetUser", testResetUser},
		{"SignIn", testSignIn},
		{"Pending", testPending},
		{"Autosaves", testAutosaves},
		{"AuditScope", testAuditScope},
		{"ChangeLog", testChangeLog},
		{"ChangeLogReading", testChangeLogReading},
		{"LatestLists", testLatestLists},
		{"Tags", testTags},
		{"Wire", testWire},
		{"InTx", testInTx},
		{"ConcurrentLimits", testConcurrentLimits},
		{"AuditRoundTrips", testAuditRoundTrips},
		{"AuditPaging", testAuditPaging},
		{"RevisionHistory", testRevisionHistory},
		{"Passkeys", testPasskeys},
		{"Desks", testDesks},
		{"Notifications", testNotifications},
		{"Leases", testLeases},
		{"Throttles", testThrottles},
		{"Ceremonies", testCeremonies},
		{"ThrottleKey", testThrottleKey},
		{"Notices", testNotices},
		{"ImportArticles", testImportArticles},
		{"Mirrors", testMirrors},
		{"Bundles", testBundles},
		{"EditLocks", testEditLocks},
		{"EditLockRace", testEditLockRace},
		{"SavedSearches", testSavedSearches},
		{"HomeDesk", testHomeDesk},
		{"DashboardLists", testDashboardLists},
		{"Subscriptions", testSubscriptions},
		{"Deliveries", testDeliveries},
	} {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

// wantCode fails the test unless err carries code and, when field is not
// empty, names field.
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := kolokol.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
	if got := kolokol.ErrorField(err); field != "" && got != field {
		t.Fatalf("error field = %q, want %q (error: %v)", got, field, err)
	}
}

// ok fails the test on an error, saying what was being done.
func ok(t *testing.T, err error, doing string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(doing, args...), err)
	}
}

// same reports every difference between got and want, which must be of the
// same type. Times compare as instants and must be in UTC in got; a nil
// slice differs from an empty one.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	var d []string
	diff(&d, what, reflect.ValueOf(got), reflect.ValueOf(want))
	if len(d) > 0 {
		t.Errorf("%s mismatch:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

func diff(d *[]string, path string, got, want reflect.Value) {
	if got.Type() == reflect.TypeFor[time.Time]() {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if !g.Equal(w) {
			*d = append(*d, fmt.Sprintf("%s = %v, want %v", path, g, w))
		} else if !g.IsZero() && g.Location() != time.UTC {
			*d = append(*d, fmt.Sprintf("%s = %v, want it in UTC", path, g))
		}
		return
	}
	switch got.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				*d = append(*d, fmt.Sprintf("%s = %s, want %s", path, show(got), show(want)))
			}
			return
		}
		diff(d, path, got.Elem(), want.Elem())
	case reflect.Struct:
		for i := range got.NumField() {
			diff(d, path+"."+got.Type().Field(i).Name, got.Field(i), want.Field(i))
		}
	case reflect.Slice:
		if got.IsNil() != want.IsNil() || got.Len() != want.Len() {
			*d = append(*d, fmt.Sprintf("%s = %s, want %s", path, show(got), show(want)))
			return
		}
		for i := range got.Len() {
			diff(d, fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			*d = append(*d, fmt.Sprintf("%s = %#v, want %#v", path, got.Interface(), want.Interface()))
		}
	}
}

func show(v reflect.Value) string {
	if v.Kind() == reflect.Slice && v.IsNil() {
		return "nil"
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%+v", v.Interface())
}

// stamped fails the test unless tm is a time the store set: not zero, UTC.
func stamped(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() {
		t.Errorf("%s is zero; the store should have set it", what)
	} else if tm.Location() != time.UTC {
		t.Errorf("%s = %v, want UTC", what, tm)
	}
}

// at returns a fixed time with microsecond precision.
func at(day, hour, min int) time.Time {
	return time.Date(2024, time.October, day, hour, min, 15, 123456000, time.UTC)
}
