package newsroom

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

// tokensPage lists the API tokens an admin manages, with the form to make
// one. Secret is a new token's secret: shown on this page only, once.
type tokensPage struct {
	Tokens   []tokenRow
	Created  *kolokol.Token
	Secret   string
	Revoked  *tokenRow // the token just revoked, for the confirmation
	Roles    []kolokol.Role
	Services []*kolokol.Service
	Input    tokenForm
	MaxDays  int
}

// tokenRow is a token as the list shows it: the columns of kolokol token
// list. Never its hash.
type tokenRow struct {
	ID                           int64
	Name, Role, Services         string
	CreatedBy, LastUsed, Expired string
	Created, Expires, Revoked    template.HTML
	Live                         bool // neither revoked nor expired: it works
}

// tokenForm is what the admin typed, kept when the form comes back.
type tokenForm struct {
	Name     string
	Role     kolokol.Role
	Services []string
	Days     string // how many days it works; empty: until revoked
}

// rowOf is a token's row, its times in c. The last use is kept to the
// (UTC) day only, so it is a date, not a time.
func rowOf(t *kolokol.Token, now time.Time, c clock) tokenRow {
	r := tokenRow{ID: t.ID, Name: t.Name, Role: string(t.Role), Services: "all", Created: c.stamp(t.CreatedAt, ""),
		CreatedBy: t.CreatedBy, Expires: c.stamp(t.ExpiresAt, "never"), LastUsed: "never",
		Revoked: c.stamp(t.RevokedAt, ""), Live: t.Usable(now) == nil}
	if !t.LastUsed.IsZero() {
		r.LastUsed = t.LastUsed.UTC().Format("2 Jan 2006") + " (UTC)"
	}
	if len(t.Services) > 0 {
		r.Services = strings.Join(t.Services, ", ")
	}
	if r.CreatedBy == "" { // made before it was kept
		r.CreatedBy = "not recorded"
	}
	if t.RevokedAt.IsZero() && !r.Live {
		r.Expired = "expired"
	}
	return r
}

func (n *Newsroom) tokenList(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	n.showTokens(w, r, u, http.StatusOK, &tokensPage{}, nil)
}

func (n *Newsroom) showTokens(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, p *tokensPage, fault error) {
	list, err := n.desk.Tokens(r.Context(), u.Actor())
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	now := n.opts.Now()
	revoked, _ := strconv.ParseInt(r.URL.Query().Get("revoked"), 10, 64)
	for _, t := range list {
		row := rowOf(t, now, userClock(u))
		p.Tokens = append(p.Tokens, row)
		if t.ID == revoked && !t.RevokedAt.IsZero() {
			p.Revoked = &row
		}
	}
	p.Roles = []kolokol.Role{kolokol.RoleReporter, kolokol.RoleEditor, kolokol.RoleAdmin}
	p.MaxDays = int(desk.MaxTokenLifetime / (24 * time.Hour))
	if p.Services, err = n.myServices(r, u); err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, status, "tokens", pageData{Title: "API tokens", User: u, Error: kolokol.ErrorMessage(fault), Tokens: p,
		Field: tokenFields[kolokol.ErrorField(fault)]})
}

// tokenFields maps the fields errors name to the token form's inputs.
var tokenFields = map[string]string{"name": "token-name", "role": "token-role", "days": "token-days",
	"expires": "token-days", "expires_at": "token-days"}

func (n *Newsroom) createToken(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	in := tokenForm{Name: r.PostFormValue("name"), Role: kolokol.Role(r.PostFormValue("role")),
		Services: r.PostForm["services"], Days: strings.TrimSpace(r.PostFormValue("days"))}
	t, secret, err := n.newToken(r, u, in)
	if err != nil {
		if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.ECONFLICT {
			n.showTokens(w, r, u, httperr.Status(c), &tokensPage{Input: in}, err)
			return
		}
		n.fail(w, r, u, err)
		return
	}
	n.showTokens(w, r, u, http.StatusOK, &tokensPage{Created: t, Secret: secret}, nil)
}

func (n *Newsroom) newToken(r *http.Request, u *kolokol.User, in tokenForm) (*kolokol.Token, string, error) {
	var lifetime time.Duration
	if in.Days != "" {
		days, err := strconv.Atoi(in.Days)
		maxDays := int(desk.MaxTokenLifetime / (24 * time.Hour))
		if err != nil || days < 1 || days > maxDays {
			return nil, "", kolokol.FieldErrorf(kolokol.EINVALID, "days", "a token works for 1 to %d days; leave the days empty for one that works until revoked", maxDays)
		}
		lifetime = time.Duration(days) * 24 * time.Hour
	}
	return n.desk.CreateToken(r.Context(), u.Actor(), desk.TokenInput{Name: in.Name, Role: in.Role, Services: in.Services, Lifetime: lifetime})
}

func (n *Newsroom) revokeToken(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, ok := n.pathID(w, r, u, "token")
	if !ok {
		return
	}
	if _, err := n.desk.RevokeToken(r.Context(), u.Actor(), id); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/tokens?revoked="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
