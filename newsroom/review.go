package newsroom

import (
	"time"

	"net/http"
	"strconv"

	"github.com/kolokol/kolokol"
)

// reviewQueues are the dashboard's two queues: what the account handed in
// (shown when it reports anywhere, or has handed something in), and what
// waits for it on the desks it edits.
type reviewQueues struct {
	Mine, Awaiting           []queueRow
	MineTotal, AwaitingTotal int
	ShowMine, ShowAwaiting   bool
}

// queueRow is a story in a queue, with its service's language for the
// headline and where it stands in words.
type queueRow struct {
	ID                int64
	Service, Headline string
	Lang              string
	Dir               kolokol.Direction
	Stands            string    // where it stands: "awaiting review", "scheduled for", …
	Submitted         time.Time // when it was handed in
	Scheduled         time.Time // when it goes out, if scheduled
}

func (n *Newsroom) reviewQueues(r *http.Request, u *kolokol.User, services []*kolokol.Service) (*reviewQueues, error) {
	actor := u.Actor()
	q := &reviewQueues{}
	byCode := map[string]*kolokol.Service{}
	for _, s := range services {
		byCode[s.Code] = s
		if actor.RoleOn(s.Code) == kolokol.RoleReporter {
			q.ShowMine = true
		}
		if actor.CanPublish(s.Code) {
			q.ShowAwaiting = true
		}
	}
	mine, err := n.desk.MySubmissions(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	q.ShowMine = q.ShowMine || mine.Total > 0
	q.MineTotal, q.Mine = mine.Total, queueRows(mine.Articles, byCode)
	if q.ShowAwaiting {
		waiting, err := n.desk.AwaitingReview(r.Context(), actor)
		if err != nil {
			return nil, err
		}
		q.AwaitingTotal, q.Awaiting = waiting.Total, queueRows(waiting.Articles, byCode)
	}
	return q, nil
}

func queueRows(list []*kolokol.Article, byCode map[string]*kolokol.Service) []queueRow {
	var rows []queueRow
	for _, a := range list {
		row := queueRow{ID: a.ID, Service: a.Service, Headline: a.Headline, Submitted: a.SubmittedAt, Lang: "und", Dir: "auto"}
		if s := byCode[a.Service]; s != nil {
			row.Lang, row.Dir = s.Tag, s.Direction
		}
		switch a.Status {
		case kolokol.StatusDraft:
			row.Stands = "awaiting review"
		case kolokol.StatusScheduled:
			row.Stands, row.Scheduled = "scheduled for", a.ScheduledAt
		case kolokol.StatusPublished:
			row.Stands = "published"
		case kolokol.StatusUnpublished:
			row.Stands = "taken down"
		default:
			row.Stands = string(a.Status)
		}
		rows = append(rows, row)
	}
	return rows
}

// unread counts the account's unread notifications for the header; a
// failure to count is logged and shows none, rather than failing a page.
func (n *Newsroom) unread(r *http.Request, u *kolokol.User) int {
	c, err := n.desk.Unread(r.Context(), u.ID)
	if err != nil {
		n.log.Error("newsroom unread count", "err", err)
	}
	return c
}

func (n *Newsroom) notifications(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	list, err := n.desk.Notifications(r.Context(), u.ID)
	if err != nil {
		n.fail(w, r, u, err)
		return
	}
	n.render(w, http.StatusOK, "notifications", pageData{Title: "Notifications", User: u, Notifications: list})
}

// openNotification marks one notification read and opens its story.
func (n *Newsroom) openNotification(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	id, ok := n.pathID(w, r, u, "notification")
	if !ok {
		return
	}
	story, err := strconv.ParseInt(r.PostFormValue("story"), 10, 64)
	if err != nil || story <= 0 {
		n.fail(w, r, u, kolokol.FieldErrorf(kolokol.EINVALID, "story", "the notification's story is missing"))
		return
	}
	if err := n.desk.MarkRead(r.Context(), u.ID, []int64{id}); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/stories/"+strconv.FormatInt(story, 10), http.StatusSeeOther)
}

// readNotifications marks every notification of the account read.
func (n *Newsroom) readNotifications(w http.ResponseWriter, r *http.Request, u *kolokol.User) {
	if !n.parseForm(w, r, u) {
		return
	}
	if err := n.desk.MarkRead(r.Context(), u.ID, nil); err != nil {
		n.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/newsroom/notifications", http.StatusSeeOther)
}
