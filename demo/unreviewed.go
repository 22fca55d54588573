package demo

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/i18n"
)

//go:embed unreviewed.json
var unreviewedJSON []byte

// serviceTexts are the fields of services.json an entry of unreviewed.json
// may name.
var serviceTexts = []string{"name", "about", "legal_status", "safety", "sections"}

// Unreviewed returns the demo's texts that no native speaker of their
// language has read yet, as unreviewed.json lists them, for i18n's report.
// An entry naming a service, field or story the demo does not have is an
// error: the list cannot silently outlive the texts it is about.
func Unreviewed() ([]i18n.Unreviewed, error) {
	services, err := Services()
	if err != nil {
		return nil, err
	}
	stories, err := Stories()
	if err != nil {
		return nil, err
	}
	return parseUnreviewed(unreviewedJSON, services, stories)
}

func parseUnreviewed(raw []byte, services []desk.ServiceSpec, stories []Story) ([]i18n.Unreviewed, error) {
	var file struct {
		Comment []string `json:"_comment"`
		Texts   []struct {
			Service string `json:"service"`
			Text    string `json:"text"`
			Note    string `json:"note"`
		} `json:"texts"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("demo unreviewed.json: %w", err)
	}
	var out []i18n.Unreviewed
	for _, e := range file.Texts {
		i := slices.IndexFunc(services, func(s desk.ServiceSpec) bool { return s.Code == e.Service })
		if i < 0 {
			return nil, fmt.Errorf("demo unreviewed.json: no service %q", e.Service)
		}
		u := i18n.Unreviewed{Tag: services[i].Tag, Note: e.Note}
		switch group, ok := strings.CutPrefix(e.Text, "story "); {
		case ok:
			j := slices.IndexFunc(stories, func(s Story) bool { return s.Service == e.Service && s.Group == group })
			if j < 0 {
				return nil, fmt.Errorf("demo unreviewed.json: %s has no story in group %q", e.Service, group)
			}
			u.Text = fmt.Sprintf("demo/stories.json, %s: “%s” (%s)", e.Service, stories[j].Headline, group)
		case slices.Contains(serviceTexts, e.Text):
			u.Text = fmt.Sprintf("demo/services.json, %s: %s", e.Service, e.Text)
		default:
			return nil, fmt.Errorf("demo unreviewed.json: %s: %q is neither a service's text (%s) nor \"story GROUP\"", e.Service, e.Text, strings.Join(serviceTexts, ", "))
		}
		if slices.ContainsFunc(out, func(o i18n.Unreviewed) bool { return o.Text == u.Text }) {
			return nil, fmt.Errorf("demo unreviewed.json: %s is listed twice", u.Text)
		}
		out = append(out, u)
	}
	return out, nil
}
