package kolokol

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The examples are the systems' own where they give them (the Ukrainian
// resolution's table, the Bulgarian act's), and place names otherwise.
func TestRomanize(t *testing.T) {
	tests := []struct{ tag, in, want string }{
		// Russian
		{"ru", "Москва", "moskva"},
		{"ru", "Щёлково", "shchelkovo"},
		{"ru", "Объявление о подъёме", "obyavlenie o podeme"},
		{"ru", "Хабаровск, Южно-Сахалинск", "khabarovsk, yuzhno-sakhalinsk"},
		{"ru", "Ярославль и Цимлянск", "yaroslavl i tsimlyansk"},
		{"ru", "Эрмитаж", "ermitazh"},
		// Ukrainian, 2010: the examples of resolution no. 55
		{"uk", "Згорани", "zghorany"},
		{"uk", "Розгон", "rozghon"},
		{"uk", "Знам'янка", "znamianka"},
		{"uk", "Короп’є", "koropie"},
		{"uk", "Юрій", "yurii"},
		{"uk", "Їжакевич", "yizhakevych"},
		{"uk", "Кадиївка", "kadyivka"},
		{"uk", "Йосипівка", "yosypivka"},
		{"uk", "Стрий", "stryi"},
		{"uk", "Олексій", "oleksii"},
		{"uk", "Феодосія", "feodosiia"},
		{"uk", "Гаївка", "haivka"},
		{"uk", "Яготин", "yahotyn"},
		{"uk", "Костянтин", "kostiantyn"},
		{"uk", "Єнакієве", "yenakiieve"},
		{"uk", "Ґалаґан", "galagan"},
		{"uk", "Щербухи", "shcherbukhy"},
		{"uk", "Біла Церква", "bila tserkva"},
		{"uk", "Гадяч", "hadiach"},
		{"uk", "Юлія 'Яна'", "yuliia 'yana'"}, // quotes at word edges are not apostrophes
		// Belarusian
		{"be", "Мінск", "minsk"},
		{"be", "Гомель", "homiel"},
		{"be", "Магілёў", "mahiliou"},
		{"be", "Ёўнаў Яўген", "younau yauhien"},
		{"be", "Брэст", "brest"},
		{"be", "Сям'я", "siamia"},
		// Bulgarian, the Transliteration Act's examples
		{"bg", "Велико Търново", "veliko tarnovo"}, // ъ is a
		{"bg", "Пловдив, Русия", "plovdiv, rusia"},
		{"bg", "София", "sofia"},
		{"bg", "Щастие", "shtastie"},
		{"bg", "Горна Оряховица", "gorna oryahovitsa"},
		{"bg", "Ямбол", "yambol"},
		{"bg", "Шишманов ютия", "shishmanov yutia"},
		{"bg", "Историята", "istoriyata"}, // -ия- inside a word is iya
		// Macedonian
		{"mk", "Скопје", "skopje"},
		{"mk", "Ѓорче Петров", "gjorche petrov"},
		{"mk", "Ќерка", "kjerka"},
		{"mk", "Ѕвезда и Џамија", "dzvezda i djamija"},
		{"mk", "Љубљана Њујорк", "ljubljana njujork"},
		// Serbian Cyrillic to Gaj's Latin
		{"sr", "Београд", "beograd"},
		{"sr", "Ђорђе Чавић", "đorđe čavić"},
		{"sr", "Његош и Џаја", "njegoš i džaja"},
		{"sr-Cyrl", "Љиљана Шћекић", "ljiljana šćekić"},
		// Kazakh, Kyrgyz, Tajik
		{"kk", "Қазақстан", "qazaqstan"},
		{"kk", "Өскемен", "oskemen"},
		{"kk", "Ұлытау және Әулиекөл", "ulytau zhane auliekol"},
		{"kk", "Шымкент", "shymkent"},
		{"ky", "Ысык-Көл", "ysyk-kol"},
		{"ky", "Үч-Коргон", "uch-korgon"},
		{"ky", "Кең-Суу", "keng-suu"},
		{"tg", "Душанбе", "dushanbe"},
		{"tg", "Хуҷанд", "khujand"},
		{"tg", "Қӯрғонтеппа", "qurghonteppa"},
		{"tg", "Ҳисор", "hisor"},
		// Other Cyrillic: Tatar, Bashkir, Chechen
		{"tt", "Казан һәм Әлмәт", "kazan ham almat"},
		{"ba", "Өфө", "ofo"},
		{"ce", "Соьлжа-ГӀала", "solzha-gala"},
		// Georgian, the national system
		{"ka", "თბილისი", "tbilisi"},
		{"ka", "ქუთაისი", "kutaisi"},
		{"ka", "მცხეთა", "mtskheta"},
		{"ka", "წყალტუბო", "tsqaltubo"},
		{"ka", "ჭიათურა და ჟინვალი", "chiatura da zhinvali"},
		{"ka", "ზუგდიდი, ოზურგეთი", "zugdidi, ozurgeti"},
		// Armenian
		{"hy", "Երևան", "yerevan"},
		{"hy", "Գյումրի", "gyumri"},
		{"hy", "Վանաձոր", "vanadzor"},
		{"hy", "Ոսկի Ուրախ", "voski urakh"},
		{"hy", "Էջմիածին", "ejmiatsin"},
		{"hy", "Լուր Երևանից", "lur yerevanits"},
		// Other scripts and Latin pass through
		{"ru", "Reuters: 40 лет", "reuters: 40 let"},
		{"fa", "خبر", "خبر"},
		{"en", "Москва", "moskva"}, // a Cyrillic word in an English story
	}
	for _, tt := range tests {
		if got := Romanize(tt.tag, tt.in); got != tt.want {
			t.Errorf("Romanize(%q, %q) = %q, want %q", tt.tag, tt.in, got, tt.want)
		}
	}
}

func TestLatinSlug(t *testing.T) {
	tests := []struct{ tag, in, want string }{
		{"ru", "Паром вернулся в старый город", "parom-vernulsya-v-staryy-gorod"},
		{"uk", "Пором повернувся: що далі?", "porom-povernuvsia-shcho-dali"},
		{"ka", "ბორანი დაბრუნდა", "borani-dabrunda"},
		{"hy", "Լուր Երևանից", "lur-yerevanits"},
		{"uk", "Знам'янка", "znamianka"},
		{"sr", "Ђорђе", "đorđe"},
		// щ becomes four letters: the longer slug is cut between words
		{"ru", strings.Repeat("щука ", 20), strings.TrimSuffix(strings.Repeat("shchuka-", 7), "-")},
	}
	for _, tt := range tests {
		got := LatinSlug(tt.tag, tt.in)
		if got != tt.want {
			t.Errorf("LatinSlug(%q, %q) = %q, want %q", tt.tag, tt.in, got, tt.want)
		}
		if got != Slugify(got) {
			t.Errorf("LatinSlug(%q, %q) = %q is not a valid slug", tt.tag, tt.in, got)
		}
	}
}

// Every table writes lowercase Latin that Slugify keeps: a Cyrillic,
// Georgian or Armenian letter left over would put the script back in the
// address.
func TestLatinTablesAreLatin(t *testing.T) {
	check := func(name string, m map[rune]string) {
		for r, s := range m {
			for _, c := range s {
				if c > 0x17F || (c < 0x80 && (c < 'a' || c > 'z')) {
					t.Errorf("%s: %q romanizes to %q, not lowercase Latin", name, r, s)
				}
			}
		}
	}
	for lang, tb := range latinTables {
		check(lang, tb.letters)
		check(lang+" initial", tb.initial)
		for p, s := range tb.pairs {
			check(lang+" pair "+p, map[rune]string{0: s})
		}
	}
	check("cyrillicOther", cyrillicOther)
	for _, tag := range []string{"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "ka", "hy"} {
		if !HasLatinTable(tag) {
			t.Errorf("no table for %s", tag)
		}
	}
	if HasLatinTable("fa") {
		t.Error("fa has a Latin table")
	}
	// The whole Cyrillic, Georgian (Mkhedruli) and Armenian lowercase
	// alphabets of the tables leave no letter of their script behind.
	for _, tag := range []string{"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "tt", "ka", "hy"} {
		for r := rune(0x430); r <= 0x45F; r++ {
			if s := Romanize(tag, string(r)); strings.ContainsFunc(s, func(c rune) bool { return c >= 0x400 && c <= 0x4FF }) && r != 0x450 && r != 0x45D {
				t.Errorf("Romanize(%s, %q) = %q keeps Cyrillic", tag, r, s)
			}
		}
		for r := rune(0x10D0); r <= 0x10F0; r++ {
			if s := Romanize(tag, string(r)); utf8.RuneCountInString(s) > 0 && []rune(s)[0] >= 0x10A0 && []rune(s)[0] <= 0x10FF {
				t.Errorf("Romanize(%s, %q) = %q keeps Georgian", tag, r, s)
			}
		}
		for r := rune(0x561); r <= 0x587; r++ {
			if s := Romanize(tag, string(r)); strings.ContainsFunc(s, func(c rune) bool { return c >= 0x530 && c <= 0x58F }) {
				t.Errorf("Romanize(%s, %q) = %q keeps Armenian", tag, r, s)
			}
		}
	}
}

func FuzzLatinSlug(f *testing.F) {
	for _, s := range []string{"Знам'янка", "'Юлія'", "България", "Երևան ու", "წყალტუბო", "щ", strings.Repeat("щ ", 40), "ия", "\xff"} {
		f.Add("uk", s)
		f.Add("bg", s)
		f.Add("hy", s)
	}
	f.Fuzz(func(t *testing.T, tag, in string) {
		s := LatinSlug(tag, in)
		if s == "" || !utf8.ValidString(s) || s != Slugify(s) {
			t.Fatalf("LatinSlug(%q, %q) = %q", tag, in, s)
		}
		if n := utf8.RuneCountInString(s); n > MaxSlug {
			t.Fatalf("LatinSlug(%q, %q) has %d runes", tag, in, n)
		}
	})
}

// A slug is made on every save; this is its cost for a long headline.
func BenchmarkLatinSlug(b *testing.B) {
	h := "Пором повертається до старого міста після сорока років перерви: що далі буде з переправою"
	for b.Loop() {
		LatinSlug("uk", h)
	}
}

func BenchmarkSlugify(b *testing.B) {
	h := "Пором повертається до старого міста після сорока років перерви: що далі буде з переправою"
	for b.Loop() {
		Slugify(h)
	}
}
