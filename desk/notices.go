package desk

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kolokol/kolokol"
)

// Notices returns a service's safety notices.
func (d *Desk) Notices(ctx context.Context, actor kolokol.Actor, service string) ([]*kolokol.Notice, error) {
	if err := canTouch(actor, service); err != nil {
		return nil, err
	}
	return d.store.FindNotices(ctx, service)
}

// SaveNotice creates (ID 0) or updates a notice. Editors and admins of the
// service only: a notice is on every page of it.
func (d *Desk) SaveNotice(ctx context.Context, actor kolokol.Actor, n *kolokol.Notice) (err error) {
	action := "notice.create"
	if n.ID != 0 {
		action = "notice.update"
	}
	defer func() { d.record(ctx, actor, action, n.Service, 0, noticeDetail(n), err) }()
	if err := canPublish(actor, n.Service); err != nil {
		return err
	}
	if n.ID != 0 {
		var old *kolokol.Notice
		if old, err = d.store.FindNotice(ctx, n.ID); err != nil {
			return err
		}
		if old.Service != n.Service {
			return kolokol.Errorf(kolokol.ENOTFOUND, "service %q has no notice %d", n.Service, n.ID)
		}
		err = d.store.UpdateNotice(ctx, n)
	} else {
		err = d.store.CreateNotice(ctx, n)
	}
	if err != nil {
		return fmt.Errorf("save notice: %w", err)
	}
	d.changed(ctx)
	return nil
}

// DeleteNotice removes a notice.
func (d *Desk) DeleteNotice(ctx context.Context, actor kolokol.Actor, service string, id int64) (err error) {
	defer func() { d.record(ctx, actor, "notice.delete", service, 0, "notice "+strconv.FormatInt(id, 10), err) }()
	if err := canPublish(actor, service); err != nil {
		return err
	}
	n, err := d.store.FindNotice(ctx, id)
	if err != nil {
		return err
	}
	if n.Service != service {
		return kolokol.Errorf(kolokol.ENOTFOUND, "service %q has no notice %d", service, id)
	}
	if err := d.store.DeleteNotice(ctx, id); err != nil {
		return fmt.Errorf("delete notice %d: %w", id, err)
	}
	d.changed(ctx)
	return nil
}

func noticeDetail(n *kolokol.Notice) string {
	return fmt.Sprintf("countries %v, default %t, mirrors %t", n.Countries, n.Default, n.Mirrors)
}

// SetSecurityTxt publishes /.well-known/security.txt ("" removes it).
// Global admins only: it speaks for the whole site.
func (d *Desk) SetSecurityTxt(ctx context.Context, actor kolokol.Actor, text string) (err error) {
	detail := ""
	defer func() { d.record(ctx, actor, "settings.security_txt", "", 0, detail, err) }()
	if !actor.Global() {
		return kolokol.Errorf(kolokol.EFORBIDDEN, "only a global admin may change security.txt")
	}
	text, err = kolokol.CheckSecurityTxt(text, d.now())
	if err != nil {
		return err
	}
	old, err := d.SecurityTxt(ctx)
	if err != nil {
		return fmt.Errorf("read security.txt: %w", err)
	}
	switch {
	case text == old:
		detail = "no change"
	case text == "":
		detail = "removed"
	default:
		detail = fmt.Sprintf("set: %d lines (were %d)", lines(text), lines(old))
	}
	if err := d.store.SetSetting(ctx, kolokol.SettingSecurityTxt, text); err != nil {
		return fmt.Errorf("set security.txt: %w", err)
	}
	d.changed(ctx)
	return nil
}

// SecurityTxt returns the published security.txt, "" when there is none.
func (d *Desk) SecurityTxt(ctx context.Context) (string, error) {
	v, err := d.store.FindSetting(ctx, kolokol.SettingSecurityTxt)
	if kolokol.IsNotFound(err) {
		return "", nil
	}
	return v, err
}

// lines counts the lines of a text, 0 for none.
func lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}
