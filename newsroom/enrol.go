package newsroom

import (
	"net/http"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// enrolment finds the link's account and gives it a TOTP secret the first
// time the page is opened; reopening the link shows the same one.
func (n *Newsroom) enrolment(r *http.Request) (*kolokol.Enrolment, *kolokol.User, error) {
	token := r.PathValue("token")
	e, err := n.store.FindEnrolment(r.Context(), hashToken(token), n.opts.Now())
	if err != nil {
		return nil, nil, err
	}
	u, err := n.store.FindUserByID(r.Context(), e.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.TOTPSecret == "" {
		if u.TOTPSecret, err = auth.NewTOTPSecret(); err != nil {
			return nil, nil, err
		}
		if err := n.store.UpdateUser(r.Context(), u); err != nil {
			return nil, nil, err
		}
	}
	return e, u, nil
}

func (n *Newsroom) enrolPage(w http.ResponseWriter, r *http.Request) {
	_, u, err := n.enrolment(r)
	if err != nil {
		n.enrolError(w, err)
		return
	}
	n.showEnrol(w, r, u, http.StatusOK, "")
}

func (n *Newsroom) showEnrol(w http.ResponseWriter, r *http.Request, u *kolokol.User, status int, msg string) {
	svg, err := auth.QRCodeSVG(auth.TOTPURI("Kolokol", u.Email, u.TOTPSecret), "QR code of the authenticator key")
	if err != nil {
		n.log.Error("enrolment", "err", err)
	}
	n.render(w, status, "enrol", pageData{Title: "Set up your account", Error: msg, QR: svg, Secret: u.TOTPSecret,
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
	e, u, err := n.enrolment(r)
	if err != nil {
		n.enrolError(w, err)
		return
	}
	pw := r.PostFormValue("password")
	if err := auth.CheckPasswordPolicy(pw, n.common.Contains, u.Email, u.Name); err != nil {
		n.showEnrol(w, r, u, http.StatusUnprocessableEntity, kolokol.ErrorMessage(err))
		return
	}
	step, err := auth.VerifyTOTP(u.TOTPSecret, r.PostFormValue("code"), n.opts.Now(), u.TOTPLastStep)
	if err != nil {
		n.showEnrol(w, r, u, http.StatusUnprocessableEntity, kolokol.ErrorMessage(err))
		return
	}
	codes, hashes, err := auth.NewRecoveryCodes(10)
	if err == nil {
		u.PasswordHash, err = auth.HashPassword(pw)
	}
	if err != nil {
		n.log.Error("enrolment", "err", err)
		http.Error(w, "Enrolment is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	// Spend the link first: of two submissions racing, only one may set
	// the password.
	if _, err := n.store.ConsumeEnrolment(r.Context(), e.TokenHash, n.opts.Now()); err != nil {
		n.enrolError(w, err)
		return
	}
	u.TOTPLastStep, u.RecoveryHashes = step, hashes
	if err := n.store.UpdateUser(r.Context(), u); err != nil {
		n.log.Error("enrolment", "err", err)
		http.Error(w, "Enrolment is unavailable; try again shortly.", http.StatusInternalServerError)
		return
	}
	n.audit(r, u.Email, "user.enrol", "")
	n.render(w, http.StatusOK, "recovery", pageData{Title: "Your account is ready", Codes: codes})
}

func (n *Newsroom) enrolError(w http.ResponseWriter, err error) {
	if kolokol.IsNotFound(err) {
		n.render(w, http.StatusNotFound, "login", pageData{Title: "Sign in", Error: kolokol.ErrorMessage(err)})
		return
	}
	n.log.Error("enrolment", "err", err)
	http.Error(w, "Enrolment is unavailable; try again shortly.", http.StatusInternalServerError)
}
