package email_test

import (
	"context"
	"log"
	"net/mail"
	"time"

	"github.com/kolokol/kolokol/email"
)

// A delivery loop sends each subscriber's mail with one shared Sender.
func ExampleSender() {
	relay, err := email.ParseRelay("smtps://news@mail.example.org?password-file=/etc/kolokol/smtp-password")
	if err != nil {
		log.Fatal(err)
	}
	defer relay.Close()
	dkim, err := email.LoadDKIM("/etc/kolokol/dkim.pem", "news.example.org", "k2026")
	if err != nil {
		log.Fatal(err)
	}
	s := &email.Sender{Relay: relay, DKIM: dkim, Rate: 20, Retries: 3, Backoff: 30 * time.Second}
	m := &email.Message{
		From:        mail.Address{Name: "Kolokol", Address: "digest@news.example.org"},
		To:          mail.Address{Address: "reader@example.net"},
		Subject:     "Today's news",
		Lang:        "en",
		Dir:         "ltr",
		Text:        "First story\nhttps://news.example.org/en/a/1-first/\n",
		HTML:        `<p><a href="https://news.example.org/en/a/1-first/">First story</a></p>`,
		ListID:      "English daily digest <en.digest.news.example.org>",
		Unsubscribe: "https://news.example.org/en/unsubscribe/TOKEN",
		MessageID:   "<d123.s456@news.example.org>",
		Date:        time.Now(),
	}
	if err := s.Send(context.Background(), m); err != nil {
		// The error names the mail by its Message-ID, never the reader.
		log.Printf("delivery 123: %v (permanent: %v)", err, email.IsPermanent(err))
	}
}
