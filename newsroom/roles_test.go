package newsroom

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// TestUserInputDesks: the accounts form gives a role per desk, a global
// admin, or (as before desks) one role on its services; a form that asks
// for both a global admin and desks, or for nothing, says what is wrong.
func TestUserInputDesks(t *testing.T) {
	tests := []struct {
		name, form string
		desks      string
		role       kolokol.Role
		field      string // the error's field; "" for none
	}{
		{"two desks", "email=a@example.org&desk-ru=editor&desk-ka=reporter&desk-fa=", "[ka=reporter ru=editor]", "", ""},
		{"global admin", "email=a@example.org&global=1&desk-ru=", "[]", kolokol.RoleAdmin, ""},
		{"global admin and a desk", "email=a@example.org&global=1&desk-ru=editor", "", "", "desks"},
		{"no desk at all", "email=a@example.org&desk-ru=&desk-ka=", "", "", "desks"},
		{"one role on services", "email=a@example.org&role=editor&services=ru&services=fa", "[]", kolokol.RoleEditor, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/newsroom/accounts", strings.NewReader(tt.form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if err := r.ParseForm(); err != nil {
				t.Fatal(err)
			}
			in, err := userInput(r)
			if tt.field != "" {
				if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != tt.field {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u := &kolokol.User{Role: in.Role, Services: in.Services, Desks: in.Desks}
			got := &kolokol.User{Desks: in.Desks}
			got.FillDesks()
			if tt.desks != "[]" && fmt.Sprint(got.Desks) != tt.desks {
				t.Errorf("desks %v, want %s", got.Desks, tt.desks)
			}
			if tt.role != "" && in.Role != tt.role {
				t.Errorf("role %q, want %q", in.Role, tt.role)
			}
			u.FillDesks()
			if err := (&kolokol.User{Email: "a@example.org", Role: u.Role, Desks: u.Desks}).Validate(); err != nil {
				t.Errorf("the input makes an invalid account: %v", err)
			}
		})
	}
}

// TestQueueRows: a reporter's queue says where each story stands, and an
// RTL service's headline is marked so.
func TestQueueRows(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	services := map[string]*kolokol.Service{"ar": {Code: "ar", Tag: "ar", Direction: kolokol.RTL}}
	rows := queueRows([]*kolokol.Article{
		{ID: 1, Service: "ar", Status: kolokol.StatusDraft, SubmittedAt: at},
		{ID: 2, Service: "ar", Status: kolokol.StatusScheduled, ScheduledAt: at.Add(time.Hour)},
		{ID: 3, Service: "xx", Status: kolokol.StatusPublished},
		{ID: 4, Service: "ar", Status: kolokol.StatusUnpublished},
	}, services)
	var got []string
	for _, r := range rows {
		stands := r.Stands
		if !r.Scheduled.IsZero() {
			stands += " " + r.Scheduled.UTC().Format("2006-01-02 15:04 UTC")
		}
		got = append(got, fmt.Sprintf("%s/%s/%s", stands, r.Dir, r.Lang))
	}
	want := "[awaiting review/rtl/ar scheduled for 2026-11-30 10:00 UTC/rtl/ar published/auto/und taken down/rtl/ar]"
	if fmt.Sprint(got) != want {
		t.Errorf("rows %v\nwant %s", got, want)
	}
}
