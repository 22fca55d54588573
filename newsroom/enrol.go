package newsroom

import (
	"net/http"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/httperr"
)

func (n *Newsroom) enrolPage(w http.ResponseWriter, r *http.Request) {
	v, err := n.desk.Enrolment(r.Context(), r.PathValue("token"))
	if err != nil {
		n.enrolError(w, err)
		return
	}
	n.showEnrol(w, r, v, http.StatusOK, "")
}

func (n *Newsroom) showEnrol(w http.ResponseWriter, r *http.Request, v *desk.EnrolmentView, status int, msg string) {
	svg, err := auth.QRCodeSVG(auth.TOTPURI("Kolokol", v.Email, v.Secret), "QR code of the authenticator key")
	if err != nil {
		n.log.Error("enrolment", "err", err)
	}
	n.render(w, status, "enrol", pageData{Title: "Set up your account", Error: msg, QR: svg, Secret: v.Secret,
		Action: "/newsroom/enrol/" + r.PathValue("token")})
}

// enrol sets the password once the person proves the authenticator works,
// spends the link, and shows the recovery codes once.
func (n *Newsroom) enrol(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The form could not be read; try again.", http.StatusBadRequest)
		return
	}
	token := r.PathValue("token")
	codes, err := n.desk.Enrol(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("code"))
	if c := kolokol.ErrorCode(err); c == kolokol.EINVALID || c == kolokol.EUNAUTHORIZED {
		v, verr := n.desk.Enrolment(r.Context(), token)
		if verr != nil {
			n.enrolError(w, verr)
			return
		}
		n.showEnrol(w, r, v, http.StatusUnprocessableEntity, kolokol.ErrorMessage(err))
		return
	} else if err != nil {
		n.enrolError(w, err)
		return
	}
	n.render(w, http.StatusOK, "recovery", pageData{Title: "Your account is ready", Codes: codes})
}

func (n *Newsroom) enrolError(w http.ResponseWriter, err error) {
	switch kolokol.ErrorCode(err) {
	case kolokol.ENOTFOUND, kolokol.ECONFLICT, kolokol.ETHROTTLED:
		n.render(w, httperr.Status(kolokol.ErrorCode(err)), "login", pageData{Title: "Sign in", Error: kolokol.ErrorMessage(err)})
		return
	}
	n.log.Error("enrolment", "err", err)
	http.Error(w, "Enrolment is unavailable; try again shortly.", http.StatusInternalServerError)
}
