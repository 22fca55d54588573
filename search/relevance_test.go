package search_test

import (
	"slices"
	"testing"
)

// story is one of the relevance set's stories, named for the test.
type story struct {
	key, service, headline, summary, body string
}

// The relevance set: hand-made stories with near-misses, and queries with
// the stories that must come first. A story whose headline holds the words
// must beat one that only mentions them; an inflected or differently
// spelt query must still find its story.
var relevanceStories = []story{
	{"en-budget", "en", "Parliament passes the budget after a long night", "Lawmakers approved spending plans.", "The budget vote ended at dawn."},
	{"en-budget-mention", "en", "Teachers strike over pay", "Unions say the budget ignores schools.", "A strike began on Monday."},
	{"en-floods", "en", "Floods force thousands from their homes", "Rivers burst their banks in the north.", "Flooding is expected to continue."},
	{"en-election", "en", "Opposition wins city elections", "Turnout was the highest in decades.", "Election officials counted through the night."},
	{"en-sport", "en", "National team reaches the final", "A late goal decided the match.", ""},

	{"ru-navalny", "ru", "Навальный обратился к сторонникам", "Заявление опубликовала команда политика.", "Навального поддержали тысячи людей."},
	{"ru-court", "ru", "Суд отклонил жалобу журналистов", "Редакция намерена обжаловать решение.", "Заседание суда длилось час."},
	{"ru-moscow", "ru", "В Москве выпал первый снег", "Синоптики обещают морозы.", "Снегопад в столице продлится до утра."},
	{"ru-elections", "ru", "Выборы в Госдуму: итоги голосования", "Явка оказалась низкой.", "Наблюдатели сообщили о нарушениях на выборах."},
	{"ru-mention", "ru", "Экономика замедляется", "Аналитики ждут спада.", "В Москве цены растут быстрее."},

	{"uk-kharkiv", "uk", "Харків знову під обстрілом", "Пошкоджено житлові будинки.", "У Харкові оголосили тривогу."},
	{"uk-zelensky", "uk", "Зеленський зустрівся з прем’єром Польщі", "Сторони обговорили безпеку.", ""},
	{"uk-meat", "uk", "Ціни на м’ясо зросли", "Подорожчала свинина.", "М'ясо дорожчає другий місяць."},
	// Ukrainian has no stemmer: "Kyiv" finds Київ, not Києві.
	{"uk-kyiv", "uk", "Київ відкрив новий міст", "Рух буде обмежено.", ""},

	{"fa-tehran", "fa", "آلودگی هوا در تهران مدارس را تعطیل کرد", "کیفیت هوا در وضعیت خطرناک است.", ""},
	{"fa-book", "fa", "نمایشگاه کتاب با حضور ناشران خارجی برگزار شد", "ناشران از سانسور گلایه کردند.", "كتاب\u200cهای زیادی توقیف شد."},
	{"fa-women", "fa", "زنان معترض بازداشت شدند", "گزارش\u200cها از برخورد خشن حکایت دارد.", ""},
	{"fa-school", "fa", "مدرسه\u200cای در شیراز بسته شد", "دلیل آن اعلام نشد.", ""},

	{"ka-tbilisi", "ka", "თბილისში საპროტესტო აქცია გაიმართა", "მომიტინგეები პარლამენტთან შეიკრიბნენ.", ""},
	{"ka-law", "ka", "პარლამენტმა კანონი მიიღო", "ოპოზიცია კანონს აკრიტიკებს.", ""},
	{"ka-wine", "ka", "ქართული ღვინის ექსპორტი გაიზარდა", "ღვინო ევროპაში იყიდება.", ""},

	{"sr-belgrade", "sr", "Protest u Beogradu protiv nasilja", "Hiljade građana na ulicama.", ""},
	{"sr-djokovic", "sr", "Ђоковић освојио нову титулу", "Српски тенисер славио у финалу.", ""},
	{"sr-novisad", "sr", "Novi Sad: studenti blokirali most", "Saobraćaj je obustavljen.", ""},
	{"sr-cyr-belgrade", "sr", "Нова линија метроа у Београду", "Радови почињу на пролеће.", ""},
}

var relevanceQueries = []struct {
	service, query string
	want           []string // the stories that must come first, one of them first
}{
	{"en", "budget", []string{"en-budget", "en-budget-mention"}},
	{"en", "flooding", []string{"en-floods"}},
	{"en", "elections opposition", []string{"en-election"}},
	{"en", "ELECTION", []string{"en-election"}},
	{"ru", "навальный", []string{"ru-navalny"}},
	{"ru", "Navalny", []string{"ru-navalny"}},
	{"ru", "выборах", []string{"ru-elections"}},
	{"ru", "суда журналистов", []string{"ru-court"}},
	{"ru", "москва снег", []string{"ru-moscow"}},
	{"ru", "Moskva", []string{"ru-moscow", "ru-mention"}},
	{"uk", "Kharkiv", []string{"uk-kharkiv"}},
	{"uk", "Харків", []string{"uk-kharkiv"}},
	{"uk", "Zelenskyy", []string{"uk-zelensky"}},
	{"uk", "мʼясо", []string{"uk-meat"}},
	{"uk", "Kyiv", []string{"uk-kyiv"}},
	{"fa", "تهران", []string{"fa-tehran"}},
	{"fa", "كتاب", []string{"fa-book"}},
	{"fa", "كتاب ناشران", []string{"fa-book"}},
	{"fa", "زنان", []string{"fa-women"}},
	{"fa", "مدرسه", []string{"fa-school"}},
	{"ka", "თბილისში", []string{"ka-tbilisi"}},
	{"ka", "კანონი", []string{"ka-law"}},
	{"ka", "ღვინის", []string{"ka-wine"}},
	{"sr", "Beograd", []string{"sr-belgrade", "sr-cyr-belgrade"}},
	{"sr", "Београду", []string{"sr-belgrade", "sr-cyr-belgrade"}},
	{"sr", "Djokovic", []string{"sr-djokovic"}},
	{"sr", "Đoković", []string{"sr-djokovic"}},
	{"sr", "Нови Сад", []string{"sr-novisad"}},
}

// TestRelevance checks precision at 3 of every query: one of its stories
// is the first result, and its stories fill the top three (all of them,
// when it has fewer than three).
func TestRelevance(t *testing.T) {
	x := newFixture(t)
	ids := map[int64]string{}
	for _, s := range relevanceStories {
		a := x.publish(t, s.service, s.headline, s.summary, s.body)
		ids[a.ID] = s.key
	}
	x.catchUp(t)
	var sum float64
	for _, q := range relevanceQueries {
		got := x.find(t, q.service, q.query)
		var keys []string
		for _, id := range got {
			keys = append(keys, ids[id])
		}
		top := keys[:min(3, len(keys))]
		relevant := 0
		for _, k := range top {
			for _, w := range q.want {
				if k == w {
					relevant++
				}
			}
		}
		p := float64(relevant) / float64(min(3, len(q.want)))
		sum += p
		if len(keys) == 0 || !slices.Contains(q.want, keys[0]) || p < 1 {
			t.Errorf("%s %q: got %v, want %v first (P@3 %.2f)", q.service, q.query, keys, q.want, p)
		}
	}
	t.Logf("mean precision at 3: %.3f over %d queries", sum/float64(len(relevanceQueries)), len(relevanceQueries))
}
