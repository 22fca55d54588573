package newsletter

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/email"
	"github.com/kolokol/kolokol/i18n"
)

// Mailer sends one mail: an *email.Sender.
type Mailer interface {
	Send(ctx context.Context, m *email.Message) error
}

// story is one line of a digest.
type story struct {
	Headline, Summary, URL, Time string
}

// edition is what every mail of a service shares: its language, direction,
// brand and the absolute links of the live site.
type edition struct {
	svc   *kolokol.Service
	c     *i18n.Catalog
	f     *i18n.Formatter
	brand string
	dir   string
	host  string // the live site's host: List-Id and Message-ID domain
}

func (d *Desk) edition(ctx context.Context, code string) (*edition, error) {
	svc, err := d.store.FindServiceByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(svc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	c := i18n.For(svc.Tag)
	e := &edition{svc: svc, c: c, f: c.Formatter().In(loc).WithGregorian(svc.ShowGregorian), brand: svc.BrandOr(d.opts.SiteName), dir: "ltr"}
	if svc.Direction == kolokol.RTL {
		e.dir = "rtl"
	}
	if u, err := url.Parse(d.opts.BaseURL); err == nil && u.Hostname() != "" {
		e.host = u.Hostname()
	} else {
		return nil, fmt.Errorf("the newsletter needs the site's public address (--base-url), not %q", d.opts.BaseURL)
	}
	return e, nil
}

// link is an absolute address on the live site.
func (d *Desk) link(path string) string { return strings.TrimSuffix(d.opts.BaseURL, "/") + path }

func (d *Desk) unsubscribeURL(code, manageToken string) string {
	return d.link("/" + code + "/email/unsubscribe?" + url.Values{"t": {manageToken}}.Encode())
}

// message is a mail of the edition to one reader, the parts' bodies
// already made; the footer (why the mail came, how to stop it) is added
// to both.
func (d *Desk) message(e *edition, to, subject, text, htmlBody, list, unsubscribe, id string) *email.Message {
	m := &email.Message{From: d.opts.From, To: mail.Address{Address: to}, Subject: subject, Lang: e.svc.Tag, Dir: e.dir,
		MessageID: id, Date: d.now()}
	if list != "" {
		m.ListID = fmt.Sprintf("%s %s <%s.%s.%s>", e.brand, e.c.T(listName(list)), e.svc.Code, list, e.host)
		m.Unsubscribe = unsubscribe
		text += "\n\n-- \n" + e.c.T(i18n.EmailFooter) + "\n" + unsubscribe + "\n"
		htmlBody += `<hr><p>` + html.EscapeString(e.c.T(i18n.EmailFooter)) + ` <a href="` + html.EscapeString(unsubscribe) + `">` +
			html.EscapeString(e.c.T(i18n.EmailUnsubscribe)) + `</a></p>`
	}
	m.Text, m.HTML = text, htmlBody
	return m
}

func listName(list string) string {
	if list == "digest" {
		return i18n.EmailDigest
	}
	return i18n.EmailAlerts
}

// confirmMail is the mail with the confirmation link.
func (d *Desk) confirmMail(e *edition, to string, sub *kolokol.Subscription, token string) *email.Message {
	link := d.link("/" + e.svc.Code + "/email/confirm?" + url.Values{"t": {token}}.Encode())
	intro := fmt.Sprintf(e.c.T(i18n.EmailConfirmText), e.brand)
	text := intro + "\n\n" + link + "\n\n" + e.c.T(i18n.EmailIgnore) + "\n"
	body := `<p>` + html.EscapeString(intro) + `</p><p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(e.c.T(i18n.EmailConfirm)) +
		`</a></p><p>` + html.EscapeString(e.c.T(i18n.EmailIgnore)) + `</p>`
	// One id per confirmation mail: the row and when it was asked for.
	id := fmt.Sprintf("<c%d.%d@%s>", sub.ID, sub.ConfirmSentAt.UnixNano(), e.host)
	return d.message(e, to, fmt.Sprintf(e.c.T(i18n.EmailConfirmSubject), e.brand), text, body, "", "", id)
}

// digestMail is one reader's copy of a day's digest.
func (d *Desk) digestMail(e *edition, to, unsubscribe, id string, day time.Time, stories []story) *email.Message {
	heading := e.c.T(i18n.EmailDigest) + " – " + e.f.Date(day)
	var text, body strings.Builder
	text.WriteString(heading + "\n\n")
	body.WriteString(`<h1>` + html.EscapeString(heading) + `</h1>`)
	for _, s := range stories {
		text.WriteString(s.Headline + "\n")
		if s.Summary != "" {
			text.WriteString(s.Summary + "\n")
		}
		text.WriteString(s.URL + "\n\n")
		body.WriteString(`<h2><a href="` + html.EscapeString(s.URL) + `">` + html.EscapeString(s.Headline) + `</a></h2>`)
		if s.Summary != "" {
			body.WriteString(`<p>` + html.EscapeString(s.Summary) + `</p>`)
		}
		body.WriteString(`<p><time>` + html.EscapeString(s.Time) + `</time></p>`)
	}
	return d.message(e, to, e.brand+": "+heading, strings.TrimRight(text.String(), "\n"), body.String(), "digest", unsubscribe, id)
}

// alertMail is one reader's copy of a breaking-news alert.
func (d *Desk) alertMail(e *edition, to, unsubscribe, id string, b *kolokol.Breaking) *email.Message {
	text := b.Text
	body := `<p><strong>` + html.EscapeString(e.c.T(i18n.BreakingNews)) + `</strong></p><p>` + html.EscapeString(b.Text) + `</p>`
	if b.URL != "" {
		u := b.URL
		if strings.HasPrefix(u, "/") {
			u = d.link(u)
		}
		text += "\n\n" + u
		body += `<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`
	}
	return d.message(e, to, e.brand+": "+e.c.T(i18n.BreakingNews)+": "+b.Text, text, body, "alerts", unsubscribe, id)
}

// sendConfirm sends a confirmation mail. The address is opened here and
// dropped when the mail is sent.
func (d *Desk) sendConfirm(ctx context.Context, job confirmJob) {
	e, err := d.edition(ctx, job.sub.Service)
	if err != nil {
		d.log.Error("newsletter: confirmation mail", "subscription", job.sub.ID, "err", err)
		return
	}
	to, err := d.opts.Keys.Open(job.sub.Lookup, job.sub.Sealed)
	if err != nil {
		d.log.Error("newsletter: confirmation mail", "subscription", job.sub.ID, "err", err)
		return
	}
	if err := d.opts.Mailer.Send(ctx, d.confirmMail(e, to, job.sub, job.token)); err != nil {
		d.log.Warn("newsletter: confirmation mail not sent", "subscription", job.sub.ID, "err", err)
	}
}
