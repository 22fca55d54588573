package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

// hostKey is a real ed25519 public key line, for SFTP mirrors.
const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test"

func newS3Mirror(name string) *kolokol.Mirror {
	return &kolokol.Mirror{Name: name, Kind: kolokol.MirrorS3, PublicURL: "https://bucket.example.net/site/",
		Endpoint: "s3.example.net", Bucket: "news-mirror", Prefix: "/site/", Region: "eu-central-1", TLS: true, AccessKey: "AKIAEXAMPLE"}
}

// testMirrors: mirrors round-trip with every setting, names of live
// mirrors are unique, a retired mirror keeps its first retirement and
// cannot be edited, health is kept, and every change readers could see (a
// mirror added, edited, retired) is in the change log; health is not.
func testMirrors(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	_, seq, err := s.ChangeBounds(ctx)
	ok(t, err, "change bounds")
	expect := func(what string, n int) {
		t.Helper()
		var got []string
		got, seq = since(t, s, seq)
		want := slices.Repeat([]string{"mirrors  0 0 false []"}, n)
		if !slices.Equal(got, want) {
			t.Errorf("%s logged %q, want %q", what, got, want)
		}
	}

	m := newS3Mirror(" Frankfurt bucket ")
	ok(t, s.CreateMirror(ctx, m), "create mirror")
	stamped(t, "created", m.CreatedAt)
	if m.ID == 0 || m.Name != "Frankfurt bucket" || m.Prefix != "site" || !m.UpdatedAt.Equal(m.CreatedAt) {
		t.Fatalf("created %+v", m)
	}
	expect("create", 1)
	got, err := s.FindMirrorByID(ctx, m.ID)
	ok(t, err, "find mirror")
	same(t, "mirror", got, m)

	sftp := &kolokol.Mirror{Name: "Rented server", Kind: kolokol.MirrorSFTP, PublicURL: "https://mirror.example.org/",
		Host: "mirror.example.org", User: "kolokol", RemotePath: "/srv/www", HostKey: hostKey}
	ok(t, s.CreateMirror(ctx, sftp), "create sftp mirror")
	if sftp.Port != 22 {
		t.Errorf("default port %d", sftp.Port)
	}
	dir := &kolokol.Mirror{Name: "USB stick", Kind: kolokol.MirrorDir, PublicURL: "http://usb.example/", Dir: "/media/usb/site"}
	ok(t, s.CreateMirror(ctx, dir), "create dir mirror")
	expect("two more", 2)

	wantCode(t, s.CreateMirror(ctx, newS3Mirror("Frankfurt bucket")), kolokol.ECONFLICT, "name")
	for _, c := range []struct {
		name  string
		edit  func(*kolokol.Mirror)
		field string
	}{
		{"no name", func(m *kolokol.Mirror) { m.Name = " " }, "name"},
		{"two-line name", func(m *kolokol.Mirror) { m.Name = "a\nb" }, "name"},
		{"unknown kind", func(m *kolokol.Mirror) { m.Kind = "ftp" }, "kind"},
		{"no public url", func(m *kolokol.Mirror) { m.PublicURL = "" }, "public_url"},
		{"javascript url", func(m *kolokol.Mirror) { m.PublicURL = "javascript:alert(1)" }, "public_url"},
		{"url with a user", func(m *kolokol.Mirror) { m.PublicURL = "https://u:p@x.example/" }, "public_url"},
		{"endpoint with a scheme", func(m *kolokol.Mirror) { m.Endpoint = "https://s3.example.net" }, "endpoint"},
		{"endpoint with a bad port", func(m *kolokol.Mirror) { m.Endpoint = "s3.example.net:99999" }, "endpoint"},
		{"bucket in capitals", func(m *kolokol.Mirror) { m.Bucket = "News" }, "bucket"},
		{"prefix leaving the bucket", func(m *kolokol.Mirror) { m.Prefix = "site/../other" }, "prefix"},
		{"prefix with a backslash", func(m *kolokol.Mirror) { m.Prefix = `site\x` }, "prefix"},
		{"no access key", func(m *kolokol.Mirror) { m.AccessKey = "" }, "access_key"},
		{"a setting of another kind", func(m *kolokol.Mirror) { m.Dir = "/srv" }, "dir"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := newS3Mirror("bad " + c.name)
			c.edit(bad)
			wantCode(t, s.CreateMirror(ctx, bad), kolokol.EINVALID, c.field)
			if bad.ID != 0 {
				t.Errorf("a refused mirror got id %d", bad.ID)
			}
		})
	}
	for _, c := range []struct {
		name  string
		edit  func(*kolokol.Mirror)
		field string
	}{
		{"relative dir", func(m *kolokol.Mirror) { m.Kind, m.Dir = kolokol.MirrorDir, "site" }, "dir"},
		{"no host key", func(m *kolokol.Mirror) { m.HostKey = "" }, "host_key"},
		{"host key of another type", func(m *kolokol.Mirror) { m.HostKey = "ssh-rsa " + hostKey[12:] }, "host_key"},
		{"port", func(m *kolokol.Mirror) { m.Port = 70000 }, "port"},
		{"host with a user", func(m *kolokol.Mirror) { m.Host = "root@mirror.example.org" }, "host"},
		{"no remote path", func(m *kolokol.Mirror) { m.RemotePath = "" }, "remote_path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := *sftp
			bad.ID, bad.Name = 0, "bad "+c.name
			c.edit(&bad)
			wantCode(t, s.CreateMirror(ctx, &bad), kolokol.EINVALID, c.field)
		})
	}
	expect("refused writes", 0)

	// Edit: settings change, health and times stay.
	m.PublicURL, m.Region, m.Name = "https://cdn.example.net/", "", "Frankfurt"
	before := m.UpdatedAt
	ok(t, s.UpdateMirror(ctx, m), "update mirror")
	if !m.UpdatedAt.After(before) && !m.UpdatedAt.Equal(before) {
		t.Errorf("updated at %v before %v", m.UpdatedAt, before)
	}
	got, err = s.FindMirrorByID(ctx, m.ID)
	ok(t, err, "find updated mirror")
	same(t, "updated mirror", got, m)
	expect("update", 1)
	taken := *sftp
	taken.Name = "Frankfurt"
	wantCode(t, s.UpdateMirror(ctx, &taken), kolokol.ECONFLICT, "name")
	unknown := *m
	unknown.ID = 999
	wantCode(t, s.UpdateMirror(ctx, &unknown), kolokol.ENOTFOUND, "")

	// Health: a success, a failure that keeps the success, a success
	// that clears the error. None is a change readers see.
	t1 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ok(t, s.RecordMirrorPush(ctx, m.ID, kolokol.MirrorPush{At: t1, Edition: 7, Verified: true}), "record push")
	ok(t, s.RecordMirrorPush(ctx, m.ID, kolokol.MirrorPush{At: t1.Add(time.Minute), Error: "dial tcp: connection refused"}), "record failure")
	got, err = s.FindMirrorByID(ctx, m.ID)
	ok(t, err, "find mirror")
	same(t, "health after a failure", got.Health, kolokol.MirrorHealth{Edition: 7, PushedAt: t1, VerifiedAt: t1,
		Error: "dial tcp: connection refused", ErrorAt: t1.Add(time.Minute)})
	t2 := t1.Add(time.Hour)
	ok(t, s.RecordMirrorPush(ctx, m.ID, kolokol.MirrorPush{At: t2, Edition: 8}), "record unverified push")
	got, err = s.FindMirrorByID(ctx, m.ID)
	ok(t, err, "find mirror")
	same(t, "health after a success", got.Health, kolokol.MirrorHealth{Edition: 8, PushedAt: t2, VerifiedAt: t1})
	wantCode(t, s.RecordMirrorPush(ctx, 999, kolokol.MirrorPush{At: t2}), kolokol.ENOTFOUND, "")
	wantCode(t, s.RecordMirrorPush(ctx, m.ID, kolokol.MirrorPush{}), kolokol.EINVALID, "at")
	expect("health", 0)

	// Retire: the first time is kept, the name is free again, and a
	// retired mirror is listed (for its history) but not edited.
	ok(t, s.RetireMirror(ctx, m.ID, t2), "retire")
	ok(t, s.RetireMirror(ctx, m.ID, t2.Add(time.Hour)), "retire again")
	expect("retire twice", 1)
	got, err = s.FindMirrorByID(ctx, m.ID)
	ok(t, err, "find retired")
	if !got.RetiredAt.Equal(t2) || got.Live() {
		t.Errorf("retired at %v, live %t", got.RetiredAt, got.Live())
	}
	wantCode(t, s.UpdateMirror(ctx, got), kolokol.ECONFLICT, "")
	wantCode(t, s.RetireMirror(ctx, 999, t2), kolokol.ENOTFOUND, "")
	ok(t, s.CreateMirror(ctx, newS3Mirror("Frankfurt")), "reuse a retired mirror's name")
	expect("reuse", 1)
	all, err := s.FindMirrors(ctx)
	ok(t, err, "find mirrors")
	var ids []int64
	for _, x := range all {
		ids = append(ids, x.ID)
	}
	if len(all) != 4 || !slices.IsSorted(ids) || all[0].ID != m.ID || all[0].Live() {
		t.Errorf("mirrors %v", ids)
	}

	// Two admins adding the same name at once: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = s.CreateMirror(ctx, newS3Mirror("Race")) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			wantCode(t, err, kolokol.ECONFLICT, "name")
		}
	}
	if won != 1 {
		t.Errorf("%d of 4 concurrent creations of one name succeeded", won)
	}
}
