package wire

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureDir is IPTC's published examples and schemas, copied from the
// project's shared fixtures with their licences (MIT for ninjs, CC BY 4.0
// for NewsML-G2) so that every clone tests against them.
func fixtureDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("testdata", "iptc")
	if _, err := os.Stat(filepath.Join(dir, "ninjs", "examples")); err != nil {
		t.Fatalf("the IPTC examples are missing from %s: %v", dir, err)
	}
	return dir
}

// fixtureFiles are every example in the fixtures: items, not schemas.
func fixtureFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"ninjs/examples/*/*.json", "newsml-g2/*.xml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// want is what a fixture must give: one item (at index), with these
// fields; "" and 0 are not checked except where noted.
type want struct {
	items    int
	index    int
	typ      string
	format   string
	headline string
	text     string // in the Body, or in the Summary when the item has no body
	lang     string // checked, "" included
	provider string
	guid     string
	version  string // checked, "" included
	urgency  int    // checked, 0 included
	embargo  string
	sent     string
	dateline string
	byline   string
	subject  string
	pictures int    // checked, 0 included
	href     string // the first picture's largest rendition
	caption  string // in the first picture's caption
	credit   string
	refs     bool
}

var fixtureWants = map[string]want{
	"newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml": {
		items: 1, typ: "text", format: "newsml-g2", headline: `Fed to halt QE to avert "bubble"`,
		lang: "en-GB", provider: "REUTERS", guid: "urn:newsml:acmenews.com:20161018:US-FINANCE-FED", version: "11",
		embargo: "2018-10-23T12:00:00Z", sent: "2018-10-21T16:25:32-05:00", dateline: "Berlin, Germany",
		byline: "Meredith Jameson", subject: "labour market",
		// Its inlineXML holds only comments: a text item without a body.
	},
	"newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml": {
		items: 1, typ: "text", format: "newsml-g2", headline: `Fed to halt QE to avert "bubble"`,
		text: "(New York, NY - October 21) Et, sent luptat luptat", lang: "en-US", provider: "Acme News and Media LLC",
		guid: "urn:newsml:acmenews.com:20161121:US-FINANCE-FED", version: "11", sent: "2018-11-21T16:25:32-05:00",
		dateline: "New York, NY", byline: "Meredith Jameson", subject: "central bank",
	},
	"newsml-g2/LISTING_3_Photo_in_NewsML-G2.xml": {
		items: 1, typ: "picture", format: "newsml-g2", headline: "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred",
		lang: "en-US", provider: "Getty Images Inc.", guid: "tag:gettyimages.com,2010:GYI0062134533", version: "11",
		sent: "2018-10-12T06:42:04Z", byline: "Spencer Platt", subject: "unemployment",
		pictures: 1, href: "./GYI0062134533.jpg", caption: "A general view of part of downtown", credit: "Getty Images",
	},
	"newsml-g2/LISTING_26_Embedded_photo_metadata_fields_mapped_to_NewsML-G2.xml": {
		items: 1, typ: "picture", format: "newsml-g2", headline: "A firefighter walks past the remains of a military jet",
		lang: "en-US", provider: "Acme News LLC", guid: "tag:acmenews.com,2008:WORLD-NEWS:USA20081208098658", version: "11",
		urgency: 4, sent: "2018-10-19T02:20:00Z", byline: "John Smith", pictures: 1,
		href:    "http://www.acmenews.com/content/pictures/hires/20081208/USA-CRASH-MILITARY_001_HI.jpg",
		caption: "A firefighter in a flameproof suit", credit: "Acme/John Smith",
	},
	// A package whose items are elsewhere: its references, as Reference items.
	"newsml-g2/LISTING_6_Simple_NewsML-G2_Package.xml": {
		items: 2, typ: "text", format: "newsml-g2", headline: "Obama annonce son équipe", text: "Le rachat il y a deux ans",
		provider: "AcmeNews", guid: "urn:newsml:iptc.org:20081007:tutorial-item-A", refs: true,
	},
	// The guide's abbreviated message: four newsItems with only a guid,
	// which the package refers to; the sender stands for the provider.
	"newsml-g2/LISTING_24_News_Message_conveying_a_complete_News_Package.xml": {
		items: 4, index: 2, typ: "unknown", format: "newsml-g2", provider: "thomsonreuters.com", guid: "N3", version: "1",
	},
	// ISO-8859-1, a video with no headline; subjects named by its asserts.
	"newsml-g2/ap_metadata_example.xml": {
		items: 1, typ: "video", format: "newsml-g2", lang: "en", provider: "AP", guid: "tag:example.com,2008:407624",
		version: "11", sent: "2022-04-08T12:00:00Z", subject: "Volkswagen AG",
	},

	"ninjs/examples/1.4/businesswire-newsml-20130515006361.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Dell Redefines Workstation Computing Boundaries",
		text: "[Dell](http://www.dell.com) today announced", lang: "en", provider: "businesswire.com",
		guid: "http://www.businesswire.com/news/home/20130515006361/en", version: "1", sent: "2013-05-16T04:01:00Z",
		subject: "Data Management", pictures: 2, href: "http://mms.businesswire.com/media/newsItemId/en/369394/5/0025lf.jpg",
		credit: "businesswire.com",
	},
	"ninjs/examples/1.4/businesswire-newsml-20130605006126.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Cambrios被Gartner評選為「最酷供應商」",
		text: "為透明及軟性導體市場提供銀奈米線解決方案", lang: "zh", provider: "businesswire.com",
		guid: "http://www.businesswire.com/news/home/20130605006126/zh", version: "1", sent: "2013-06-05T21:00:00Z", subject: "Nanotechnology",
	},
	"ninjs/examples/1.4/businesswire-newsml-20130612006110.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "APP发布“2020 可持续发展路线图”第三次工作进展报告",
		text: "亚洲浆纸业有限公司（Asia Pulp & Paper", lang: "zh", provider: "businesswire.com",
		guid: "http://www.businesswire.com/news/home/20130612006110/zh", version: "1", sent: "2013-06-12T15:29:00Z", subject: "Indonesia",
	},
	// Its video association repeats the "broadband" rendition key; the
	// association is a video, not a picture of the story.
	"ninjs/examples/1.4/businesswire-newsml-20130731006140.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
		text: "With more Applebee’s® Lunch Combos than ever", lang: "en", provider: "businesswire.com",
		guid: "http://www.businesswire.com/news/home/20130731006140/en", version: "1", sent: "2013-07-31T15:32:00Z", subject: "Restaurant/Bar",
	},
	// The 1.4 test of new properties: a text (the default type) with a
	// headline and nothing else of ours.
	"ninjs/examples/1.4/ninjs-1-4-examples.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Test of three new properties", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/ninjs1-4-tests",
	},
	"ninjs/examples/1.4/ninjsExComplex1.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "His lawyer, Domenico Pepe, told reporters", lang: "en", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709cplx123", sent: "2013-07-09T10:37:00Z", dateline: "Grossetto, Italy",
		byline: "Paulo Santalucia and Frances d'Emilio", pictures: 1,
		href: "http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg", caption: "The Costa Concordia cruise ship lies on its side",
		credit: "Paulo Santalucia",
	},
	"ninjs/examples/1.4/ninjsExComplex2.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "Pepe said some 1,000 witnesses", lang: "en", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709cplx456", sent: "2013-07-09T10:39:00Z", dateline: "Grossetto, Italy",
		byline: "Paulo Santalucia and Frances d'Emilio", pictures: 2,
		href: "http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg", credit: "Paulo Santalucia",
	},
	"ninjs/examples/1.4/ninjsExMediumText1.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "GROSSETO, Italy (AP) -- The trial of the captain", lang: "en", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709med123", sent: "2013-07-09T10:37:00Z", dateline: "Grossetto, Italy",
		byline: "Paulo Santalucia and Frances d'Emilio",
	},
	"ninjs/examples/1.4/ninjsExSimplePhoto1.json": {
		items: 1, typ: "picture", format: "ninjs 1.x", headline: "Costa Concordia cruise ship", text: "The Costa Concordia cruise ship lies",
		provider: "ninjs.example.com", guid: "http://ninjs.example.com/newsitems/20130709simpPh123", sent: "2013-07-08T08:12:00Z",
		byline: "Paulo Santalucia", pictures: 1, href: "http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg",
		caption: "Tuscan island of Giglio", credit: "Paulo Santalucia",
	},
	"ninjs/examples/1.4/ninjsExSimpleText1.json": {
		items: 1, typ: "text", format: "ninjs 1.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "The sole defendant, Francesco Schettino", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709simp123", sent: "2013-07-09T10:37:00Z", byline: "Paulo Santalucia and Frances d'Emilio",
	},

	"ninjs/examples/2.1/SIPA_image_2.json": {
		items: 1, typ: "picture", format: "ninjs 2.x", headline: "Italy: Italy Demonstration of the workers congresses and conferences",
		text: "Demonstration of the workers of congresses", lang: "en", provider: "SIPA USA", guid: "https://internal-repository-xxxx/2.1234567",
		version: "1", sent: "2020-10-27T15:35:19Z", byline: "Insidefoto", subject: "covid-19", pictures: 1,
		href:    "https://XXXXXX.amazonaws.com/sipa-20201027-153349-sipausa_31238900.jpg?AWSAccessKeyId=XXXX&Expires=1621756446&Signature=XXXX",
		caption: "Rome (Italy), October 27th 2020", credit: "Insidefoto",
	},
	"ninjs/examples/2.1/ap_audio.json": {
		items: 1, typ: "audio", format: "ninjs 2.x", headline: "Next up in impeachment hearings: A parade of key witnesses",
		lang: "en", provider: "ASSOCIATED PRESS", guid: "http://api.ap.org/media/v/content/8c9f92e2a4414c709a295b449f459a74?qt=H1Kdh42orF&et=0a3aza2c0",
		version: "0", urgency: 4, sent: "2019-11-14T16:17:53Z", dateline: "CAPITOL HILL", subject: "Impeachments",
	},
	"ninjs/examples/2.1/ap_image.json": {
		items: 1, typ: "picture", format: "ninjs 2.x", headline: "Turkey Islamic State", lang: "en", provider: "ASSOCIATED PRESS",
		guid: "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0?qt=H1Kdh42orF&et=0a1aza3c0", version: "0", urgency: 5,
		sent: "2019-11-15T14:39:44Z", dateline: "Turkey", subject: "File photo", pictures: 1,
		href:    "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0.0/download?role=main&qt=H1Kdh42orF&cid=ad53e3cd73934bbabd38e8bf9c6aff4a&ai=2cc1cee3495f548653f5d38130750408/f1a1b7afc83b4963822157483f758e62",
		caption: "a man identified by Turkish media", credit: "ASSOCIATED PRESS",
	},
	"ninjs/examples/2.1/ap_video.json": {
		items: 1, typ: "video", format: "ninjs 2.x", headline: "House leaders double down on impeachment positions", lang: "en",
		provider: "ASSOCIATED PRESS", guid: "http://api.ap.org/media/v/content/0cc82c1e6d284848bf862fdfae3c43c4?qt=H1Kdh42orF&et=0a3aza9c0",
		version: "0", sent: "2019-11-14T18:50:57Z", dateline: "Washington", subject: "Crime",
	},
	"ninjs/examples/2.1/businesswire-newsml-20130605006126.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Cambrios被Gartner評選為「最酷供應商」", text: "該公司最近被Gartner評選為",
		lang: "zh", provider: "businesswire.com", guid: "http://www.businesswire.com/news/home/20130605006126/zh", version: "1",
		sent: "2013-06-05T21:00:00Z", subject: "Award",
	},
	"ninjs/examples/2.1/businesswire-newsml-20130731006140.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In",
		text: "20 percent thicker than the original", lang: "en", provider: "businesswire.com",
		guid: "http://www.businesswire.com/news/home/20130731006140/en", version: "1", sent: "2013-07-31T15:32:00Z", subject: "Missouri",
	},
	"ninjs/examples/2.1/dpa_text.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
		text: "Für Lucien Favre war es «der größte Skandal im Fußball seit Jahren».", lang: "de", provider: "dpa",
		guid: "urn:newsml:dpa.com:20090101:190510-99-167362", version: "2", urgency: 4, sent: "2019-05-10T16:02:28+02:00",
		byline: "Von Christian Hollmann, dpa",
	},
	"ninjs/examples/2.1/imageEncodedRights.json": {
		items: 1, typ: "picture", format: "ninjs 2.x", headline: "MotoGP - Spain - Valentino Rossi", text: "Valentino Rossi (46) of Italy",
		provider: "example.agency.com", guid: "http://example.agency.com/item/TG346285", sent: "2013-07-08T08:12:00Z", byline: "John Smith",
		pictures: 1, href: "https://images.static.press.net/v2/image/preview/99bf1cf9b8c917876bf1ce7ac31a85c7/2.59562475.jpg?1",
		caption: "Circuito de Jerez", credit: "John Smith",
	},
	"ninjs/examples/2.1/imageLinkedRights.json": {
		items: 1, typ: "picture", format: "ninjs 2.x", headline: "MotoGP - Spain - Valentino Rossi", text: "Valentino Rossi (46) of Italy",
		provider: "example.agency.com", guid: "http://example.agency.com/item/TG346285", sent: "2013-07-08T08:12:00Z", byline: "John Smith",
		pictures: 1, href: "https://images.static.press.net/v2/image/preview/99bf1cf9b8c917876bf1ce7ac31a85c7/2.59562475.jpg?1",
		caption: "Circuito de Jerez", credit: "John Smith",
	},
	"ninjs/examples/2.1/ninjsExSimpleText_2.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "GROSSETO, Italy (AP) -- The trial of the captain", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709simp123", sent: "2013-07-09T10:37:00Z", byline: "Paulo Santalucia and Frances d'Emilio",
	},
	// No body: its text is the description, which is the summary.
	"ninjs/examples/2.1/ntb_text.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Google har kjøpt giganttomt i Skien",
		text: "IT-giganten Google har kjøpt en tomt", lang: "nb-NO", provider: "NTB", guid: "urn:8d19cf88-b3ab-4972-8fec-1207599f2872",
		version: "6", urgency: 5, sent: "2019-08-09T09:46:53Z", dateline: "Telemark", byline: "NTB", subject: "Olje og energi",
	},
	"ninjs/examples/2.1/tt_text_image_2.json": {
		items: 1, typ: "text", format: "ninjs 2.x", headline: "Militärövning i jätteformat hålls 2023",
		text: "Pandemin satte stopp för den stora internationella militärövningen", lang: "sv", provider: "TT",
		guid: "http://tt.se/media/text/210526-militarovning-a0f2d045", version: "1", urgency: 3, sent: "2021-05-26T13:40:18+02:00",
		dateline: "Sverige", subject: "Krig, konflikter och oroligheter", pictures: 1,
		href: "https://beta.tt.se/media/text/210526-militarovning-a0f2d045/a001_NormalHires.jpg", caption: "En stor internationell försvarsövning",
		credit: "Karl Melander/TT",
	},
	"ninjs/examples/3.0/ap_image.json": {
		items: 1, typ: "picture", format: "ninjs 3.x", headline: "Turkey Islamic State", lang: "en", provider: "ASSOCIATED PRESS",
		guid: "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0?qt=H1Kdh42orF&et=0a1aza3c0", version: "0", urgency: 5,
		sent: "2019-11-15T14:39:44Z", dateline: "Turkey", subject: "Government and politics", pictures: 1,
		href:    "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0.0/download?role=main&qt=H1Kdh42orF&cid=ad53e3cd73934bbabd38e8bf9c6aff4a&ai=2cc1cee3495f548653f5d38130750408/f1a1b7afc83b4963822157483f758e62",
		caption: "Pazarkule border gate", credit: "ASSOCIATED PRESS",
	},
	"ninjs/examples/3.0/ninjsExSimpleText_3.json": {
		items: 1, typ: "text", format: "ninjs 3.x", headline: "Captain of wrecked cruise ship on trial in Italy",
		text: "Schettino has denied wrongdoing.", provider: "ninjs.example.com",
		guid: "http://ninjs.example.com/newsitems/20130709simp123", sent: "2013-07-09T10:37:00Z", byline: "Paulo Santalucia and Frances d'Emilio",
	},
}

func TestFixtures(t *testing.T) {
	dir := fixtureDir(t)
	files := fixtureFiles(t, dir)
	if len(files) == 0 {
		t.Fatalf("no examples under %s", dir)
	}
	seen := make(map[string]bool)
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			w, ok := fixtureWants[rel]
			if !ok {
				t.Fatalf("a new example: add what it must give to fixtureWants")
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			items, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(items) != w.items {
				t.Fatalf("%d items, want %d", len(items), w.items)
			}
			it := items[w.index]
			check := func(field, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("Type", it.Type, w.typ)
			check("Format", it.Format, w.format)
			check("Language", it.Language, w.lang)
			check("Provider", it.Provider, w.provider)
			check("GUID", it.GUID, w.guid)
			check("Version", it.Version, w.version)
			if !strings.HasPrefix(it.Headline, w.headline) || (w.headline == "" && it.Headline != "") {
				t.Errorf("Headline = %q, want %q", it.Headline, w.headline)
			}
			text := it.Body
			if text == "" {
				text = it.Summary
			}
			if !strings.Contains(text, w.text) || (w.text == "" && it.Body != "") {
				t.Errorf("body or summary %q does not have %q", prefixString(text), w.text)
			}
			if it.Urgency != w.urgency {
				t.Errorf("Urgency = %d, want %d", it.Urgency, w.urgency)
			}
			checkTime(t, "Embargo", it.Embargo, w.embargo)
			checkTime(t, "Sent", it.Sent, w.sent)
			check("Dateline", it.Dateline, w.dateline)
			if w.byline != "" && !slices.Contains(it.Bylines, w.byline) {
				t.Errorf("Bylines = %q, want %q among them", it.Bylines, w.byline)
			}
			if w.subject != "" && !slices.Contains(it.Subjects, w.subject) {
				t.Errorf("Subjects = %q, want %q among them", it.Subjects, w.subject)
			}
			if it.Reference != w.refs {
				t.Errorf("Reference = %v, want %v", it.Reference, w.refs)
			}
			if len(it.Pictures) != w.pictures {
				t.Fatalf("%d pictures, want %d", len(it.Pictures), w.pictures)
			}
			if w.pictures > 0 {
				pic := it.Pictures[0]
				if len(pic.Renditions) == 0 {
					t.Fatal("the first picture has no rendition")
				}
				check("the largest rendition", pic.Renditions[0].Href, w.href)
				if !strings.Contains(pic.Caption, w.caption) {
					t.Errorf("Caption = %q, want it to have %q", pic.Caption, w.caption)
				}
				check("Credit", pic.Credit, w.credit)
				for i := 1; i < len(pic.Renditions); i++ {
					a, b := pic.Renditions[i-1], pic.Renditions[i]
					if a.Width*a.Height < b.Width*b.Height {
						t.Errorf("rendition %d (%dx%d) is larger than the one before it", i, b.Width, b.Height)
					}
				}
			}
			if it.Type == "picture" && it.Body != "" {
				t.Errorf("a picture has a body: %q", prefixString(it.Body))
			}
		})
	}
	for rel := range fixtureWants {
		if !seen[rel] {
			t.Errorf("%s is in fixtureWants but not in the fixtures", rel)
		}
	}
}

func checkTime(t *testing.T, field string, got time.Time, want string) {
	t.Helper()
	if want == "" {
		if !got.IsZero() {
			t.Errorf("%s = %v, want none", field, got)
		}
		return
	}
	w, err := time.Parse(time.RFC3339, want)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(w) {
		t.Errorf("%s = %v, want %v", field, got, w)
	}
}

// The schemas beside the examples are refused as what they are.
func TestFixtureSchemasRefused(t *testing.T) {
	dir := fixtureDir(t)
	cases := map[string]string{
		"ninjs/specification/*.json": "ninjs: the file is a JSON Schema, not a ninjs item",
		"newsml-g2/nitf-3-6.xsd":     "wire: the file is an XML Schema, not news",
		"newsml-g2/xml.xsd":          "wire: the file is an XML Schema, not news",
	}
	for pat, want := range cases {
		files, _ := filepath.Glob(filepath.Join(dir, pat))
		if len(files) == 0 {
			t.Errorf("no %s", pat)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(data); err == nil || err.Error() != want {
				t.Errorf("%s: %v, want %q", filepath.Base(f), err, want)
			}
		}
	}
}
