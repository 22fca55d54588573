// Package demo holds the default language services and creates the demo
// newsroom: sample stories in every service's language and script, written
// for this project, breaking-news banners and a generated lead photo.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/desk"
)

//go:embed services.json
var servicesJSON []byte

//go:embed stories.json
var storiesJSON []byte

// Story is a demo story as stories.json gives it.
type Story struct {
	Service     string             `json:"service"`
	Section     string             `json:"section"`
	HoursAgo    int                `json:"hours_ago"`
	Headline    string             `json:"headline"`
	Summary     string             `json:"summary"`
	Body        string             `json:"body"`
	Bylines     []string           `json:"bylines"`
	Dateline    string             `json:"dateline"`
	Tags        []string           `json:"tags"`
	Credits     []string           `json:"credits"`
	LeadImage   *kolokol.LeadImage `json:"lead_image"`
	Corrections []string           `json:"corrections"`
	Group       string             `json:"group"`
}

// Services returns the default language services: every start of an empty
// newsroom creates them, and the demo adds stories to them.
func Services() ([]desk.ServiceSpec, error) {
	specs, err := desk.ParseServiceSpecs(servicesJSON)
	if err != nil {
		return nil, fmt.Errorf("default services: %w", err)
	}
	return specs, nil
}

// Stories returns the demo's stories, newest first: the demo seeds them,
// and the corpus generator (demo/corpus) draws its words from them.
func Stories() ([]Story, error) {
	var stories []Story
	if err := json.Unmarshal(storiesJSON, &stories); err != nil {
		return nil, fmt.Errorf("demo stories.json: %w", err)
	}
	return stories, nil
}

// Breaking banners of the demo, by service.
var breaking = map[string]string{
	"en": "Live: the river ferry's first evening crossings are under way",
	"fa": "فوری: نخستین سفرهای عصرگاهی کشتی مسافربری آغاز شد",
}

// notices warn the demo's readers where its services are banned. They are
// also shown when the country is unknown, as on a demo server (loopback).
var notices = []*kolokol.Notice{
	{Service: "ru", Countries: []string{"RU", "BY"}, Default: true,
		Text: "В России и Беларуси за репосты и «лайки» материалов «нежелательных» изданий преследуют. Не делитесь ими из аккаунтов под своим именем."},
	{Service: "fa", Countries: []string{"IR"}, Default: true,
		Text: "در ایران هم\u200cرسانی مطالب رسانه\u200cهای ممنوع می\u200cتواند پیگرد داشته باشد. این مطالب را با حسابی که به نام شماست هم\u200cرسانی نکنید."},
}

// Result is what a new user needs to try the demo.
type Result struct {
	AdminToken string
	// The demo editor's sign-in: email, password and TOTP secret.
	EditorEmail, EditorPassword, EditorTOTP string
	// The demo admin's, who also manages accounts, settings and the log.
	AdminEmail, AdminPassword, AdminTOTP string
	Services                             int
	Stories                              int
}

// Seed fills a newsroom that has no stories yet. It refuses one that has,
// so that a restart never duplicates the demo.
func Seed(ctx context.Context, store kolokol.Store, d *desk.Desk, now time.Time) (*Result, error) {
	n, err := store.CountArticles(ctx, kolokol.ArticleFilter{})
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if n > 0 {
		return nil, kolokol.Errorf(kolokol.ECONFLICT, "the data directory already has stories; the demo seeds only an empty newsroom")
	}
	services, err := Services()
	if err != nil {
		return nil, err
	}
	stories, err := Stories()
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	admin := kolokol.Actor{Name: "demo admin", Role: kolokol.RoleAdmin}
	if _, _, err := d.ImportServices(ctx, admin, services); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	secret, hash := kolokol.NewToken()
	if err := store.CreateToken(ctx, &kolokol.Token{Name: "demo admin", Hash: hash, Role: kolokol.RoleAdmin, CreatedBy: "kolokol serve --demo"}); err != nil {
		return nil, fmt.Errorf("seed token: %w", err)
	}
	photo, err := Photo(1280, 720)
	if err != nil {
		return nil, err
	}
	// One photo for every demo story with a picture: the admin sees it
	// whichever service it is uploaded for.
	m, _, err := d.UploadMedia(ctx, admin, "en", photo)
	if err != nil {
		return nil, fmt.Errorf("seed photo: %w", err)
	}
	// A second picture for the photos and galleries inside stories'
	// bodies, which name the two as DEMO_PHOTO_1 and DEMO_PHOTO_2: their
	// ids are the store's to give.
	photo2, err := Photo(960, 540)
	if err != nil {
		return nil, err
	}
	m2, _, err := d.UploadMedia(ctx, admin, "en", photo2)
	if err != nil {
		return nil, fmt.Errorf("seed photo: %w", err)
	}
	ids := strings.NewReplacer("DEMO_PHOTO_1", strconv.FormatInt(m.ID, 10), "DEMO_PHOTO_2", strconv.FormatInt(m2.ID, 10))
	// Oldest first, so ids grow with publication time as they would in a
	// real newsroom.
	for i := len(stories) - 1; i >= 0; i-- {
		s := stories[i]
		s.Body = ids.Replace(s.Body)
		if err := seedStory(ctx, store, d, admin, s, m.ID, now); err != nil {
			return nil, err
		}
	}
	for svc, text := range breaking {
		if err := d.SetBreaking(ctx, admin, &kolokol.Breaking{Service: svc, Text: text}); err != nil {
			return nil, fmt.Errorf("seed breaking news: %w", err)
		}
	}
	for _, n := range notices {
		n := *n
		n.Countries = append([]string(nil), n.Countries...)
		if err := d.SaveNotice(ctx, admin, &n); err != nil {
			return nil, fmt.Errorf("seed notice for %s: %w", n.Service, err)
		}
	}
	if err := seedWire(ctx, d, admin); err != nil {
		return nil, err
	}
	res := &Result{AdminToken: secret, Services: len(services), Stories: len(stories)}
	var codes []string
	for _, s := range services {
		codes = append(codes, s.Code)
	}
	res.EditorEmail = "editor@demo.kolokol.example"
	if res.EditorPassword, res.EditorTOTP, err = seedAccount(ctx, store, &kolokol.User{Email: res.EditorEmail,
		Name: "Demo Editor", Role: kolokol.RoleEditor, Services: codes}); err != nil {
		return nil, err
	}
	res.AdminEmail = "admin@demo.kolokol.example"
	if res.AdminPassword, res.AdminTOTP, err = seedAccount(ctx, store, &kolokol.User{Email: res.AdminEmail,
		Name: "Demo Admin", Role: kolokol.RoleAdmin}); err != nil {
		return nil, err
	}
	return res, nil
}

// seedAccount creates an enrolled account with a fresh random password and
// TOTP secret, so a new user can sign in to the newsroom at once.
func seedAccount(ctx context.Context, store kolokol.Store, u *kolokol.User) (password, totp string, err error) {
	pw := make([]byte, 12)
	if _, err := rand.Read(pw); err != nil {
		return "", "", fmt.Errorf("seed %s: %w", u.Email, err)
	}
	password = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(pw)
	if u.PasswordHash, err = auth.HashPassword(password); err != nil {
		return "", "", fmt.Errorf("seed %s: %w", u.Email, err)
	}
	if u.TOTPSecret, err = auth.NewTOTPSecret(); err != nil {
		return "", "", fmt.Errorf("seed %s: %w", u.Email, err)
	}
	if err := store.CreateUser(ctx, u); err != nil {
		return "", "", fmt.Errorf("seed %s: %w", u.Email, err)
	}
	return password, u.TOTPSecret, nil
}

func seedStory(ctx context.Context, store kolokol.Store, d *desk.Desk, admin kolokol.Actor, s Story, mediaID int64, now time.Time) error {
	if s.LeadImage != nil {
		s.LeadImage.MediaID = mediaID
	}
	a, err := d.CreateArticle(ctx, admin, desk.ArticleInput{Service: s.Service, Section: s.Section, Headline: s.Headline,
		Summary: s.Summary, Body: s.Body, Bylines: s.Bylines, Dateline: s.Dateline, Tags: s.Tags, Credits: s.Credits, LeadImage: s.LeadImage, TranslationGroup: s.Group})
	if err != nil {
		return fmt.Errorf("seed story %q: %w", s.Headline, err)
	}
	// Backdate through the store: the desk always publishes "now".
	a.Status = kolokol.StatusPublished
	a.PublishedAt = now.Add(-time.Duration(s.HoursAgo) * time.Hour).UTC()
	if err := store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("seed story %q: %w", s.Headline, err)
	}
	for _, c := range s.Corrections {
		if _, err := d.AddCorrection(ctx, admin, a.ID, c); err != nil {
			return fmt.Errorf("seed correction: %w", err)
		}
	}
	return nil
}

// Photo draws a landscape (sky, sun, hills, a river with a boat) as a JPEG,
// so the demo ships a lead image without shipping anyone's photograph.
func Photo(w, h int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	horizon := h * 55 / 100
	riverTop := h * 72 / 100
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.RGBA
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			hill := 0.50 + 0.06*math.Sin(fx*7) + 0.04*math.Sin(fx*17+1)
			switch {
			case math.Hypot(fx-0.78, (fy-0.22)*float64(h)/float64(w)) < 0.05:
				c = color.RGBA{250, 214, 120, 255}
			case y < horizon && fy < hill:
				t := fy / 0.55
				c = color.RGBA{uint8(120 + 90*t), uint8(170 + 60*t), uint8(225 + 20*t), 255}
			case y < riverTop:
				shade := uint8(20 * math.Sin(fx*40+fy*30))
				c = color.RGBA{60 + shade, 120 + shade, 70, 255}
			default:
				wave := uint8(12 * math.Sin(fx*90+fy*60))
				c = color.RGBA{110 + wave, 125 + wave, 140 + wave, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	// The ferry: a white hull with a red stripe.
	bx, by := w*40/100, h*80/100
	for y := by; y < by+h/14; y++ {
		for x := bx; x < bx+w/6; x++ {
			c := color.RGBA{245, 245, 240, 255}
			if y > by+h/22 {
				c = color.RGBA{200, 40, 40, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 72}); err != nil {
		return nil, fmt.Errorf("encode demo photo: %w", err)
	}
	return buf.Bytes(), nil
}

//go:embed wire
var wireFiles embed.FS

// seedWire fills the English and Persian wire queues with the demo's
// agency copy (English, as agencies send it to a Persian desk too): one
// ninjs and one NewsML-G2 item, and one under embargo.
func seedWire(ctx context.Context, d *desk.Desk, admin kolokol.Actor) error {
	entries, err := fs.ReadDir(wireFiles, "wire")
	if err != nil {
		return fmt.Errorf("seed wire: %w", err)
	}
	for _, svc := range []string{"en", "fa"} {
		for _, e := range entries {
			data, err := fs.ReadFile(wireFiles, "wire/"+e.Name())
			if err != nil {
				return fmt.Errorf("seed wire: %w", err)
			}
			if res := d.Ingest(ctx, admin, svc, e.Name(), data, nil); res.Err != nil {
				return fmt.Errorf("seed wire: %w", res.Err)
			}
		}
	}
	return nil
}
