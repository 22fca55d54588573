package desk

import "testing"

func TestWords(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       int
	}{
		{"empty", "", 0},
		{"spaces only", " \n\t ", 0},
		{"punctuation only", "— ... !!", 0},
		{"English", "The ferry returns to the river.", 6},
		{"hyphen and apostrophe join", "A well-known editor's desk", 4},
		{"dash separates", "Floods — and more floods", 4},
		{"numbers are words", "On 12 May 2026, 3.5 metres or 1,000 feet", 9},
		{"Markdown emphasis", "Text in **Markdown** and _italic_.", 5},
		{"Markdown heading and list", "## Heading\n\n- one\n- two", 3},
		{"link address not counted", "Read [the report](https://example.org/a/b-c?d=1 \"Title\") now", 4},
		{"image address not counted", "![A river at dawn](/media/abc.jpg)", 4},
		{"Russian", "Паром снова ходит через реку.", 5},
		{"Ukrainian apostrophe", "Пам'ять і м’ята", 3},
		{"Persian with ZWNJ", "می\u200cخواهم کتاب\u200cها را بخوانم", 4},
		{"Persian ZWNJ at the end", "کتاب\u200c را", 2},
		{"Arabic with vowel marks", "كَتَبَ الطَّالِبُ الدَّرْسَ", 3},
		{"Arabic comma", "ایران، تهران", 2},
		{"Georgian", "თეთრი ბორანი ნაცრისფერ მდინარეზე", 4},
		{"Armenian", "Լաստանավը վերադառնում է", 3},
		{"Devanagari with vowel signs", "नदी पर नाव फिर से चलती है", 7},
		{"Uzbek modifier letters", "Oʻqishdan oldin Tor Browserʼdan foydalaning", 5},
		{"Chinese counts characters", "渡轮回来了", 5},
		{"Japanese mixed", "東京 ferry", 3},
		{"Tatar", "Паром яңадан йөри", 3},
		{"photo block: its caption, credit and alt", "Before.\n\n```photo\nmedia: 42\nalt: Passengers board\ncaption: The first ferry\ncredit: Nino\n```\n", 7},
		{"embed block: not its address", "```embed\nurl: https://t.me/c/1\nprovider: telegram\ntext: Morning post\n```\n", 2},
		{"a block that is not right is not read", "```pullquote\nwho: nobody\n```\n", 0},
		{"code is read", "```go\nmedia: 42\n```\n", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Words(c.text); got != c.want {
				t.Errorf("Words(%q) = %d, want %d", c.text, got, c.want)
			}
		})
	}
}

func TestReadingMinutes(t *testing.T) {
	for words, want := range map[int]int{0: 0, -1: 0, 1: 1, 199: 1, 200: 1, 201: 2, 1000: 5, 1001: 6} {
		if got := ReadingMinutes(words); got != want {
			t.Errorf("ReadingMinutes(%d) = %d, want %d", words, got, want)
		}
	}
}
