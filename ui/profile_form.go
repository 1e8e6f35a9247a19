package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// profileForm edits one server profile: every field of app.Profile, the
// secrets (which go to the core's Credentials and from there to the
// keyring), and a place beside each field for what is wrong with it. It
// checks nothing itself beyond the shape of its own text fields: Save hands
// the profile to the core, which validates it before anything is stored or
// sent, and the problems come back here.
type profileForm struct {
	editing bool

	name, url *widget.Entry
	version   *widget.Select

	username, password *widget.Entry
	cert, key, pkcs12  *fileField
	keyPass            *widget.Entry
	jwtURL, jwtUser    *widget.Entry
	jwtPass            *widget.Entry
	headers, secretHdr *widget.Entry

	ca           *fileField
	insecure     *widget.Check
	insecureWarn *widget.Label

	proxy     *widget.Entry
	overrides map[string]*widget.Entry
	precision *widget.Select
	timeout   *widget.Entry

	errs      map[string]*widget.Label // app.Field* → the message under that field
	sectionOf map[string]int           // app.Field* → accordion section
	summary   *widget.Label
	sections  *widget.Accordion
	save      *widget.Button
	cancel    *widget.Button
	content   fyne.CanvasObject

	// OnSave receives the profile and secrets; OnCancel closes the form.
	OnSave   func(app.Profile, app.Credentials)
	OnCancel func()
}

// Accordion sections of the form.
const (
	secServer = iota
	secAuth
	secTLS
	secNetwork
)

func newProfileForm(env *viewEnv, work *viewTasks, p *app.Profile) *profileForm {
	f := &profileForm{
		editing:   p != nil,
		name:      widget.NewEntry(),
		url:       widget.NewEntry(),
		version:   widget.NewSelect(versionChoices, nil),
		username:  widget.NewEntry(),
		password:  widget.NewPasswordEntry(),
		keyPass:   widget.NewPasswordEntry(),
		jwtURL:    widget.NewEntry(),
		jwtUser:   widget.NewEntry(),
		jwtPass:   widget.NewPasswordEntry(),
		headers:   widget.NewMultiLineEntry(),
		secretHdr: widget.NewMultiLineEntry(),
		proxy:     widget.NewEntry(),
		overrides: map[string]*widget.Entry{},
		precision: widget.NewSelect(precisionChoices, nil),
		timeout:   widget.NewEntry(),
		errs:      map[string]*widget.Label{},
		summary:   widget.NewLabel(""),
	}
	pem := []string{"pem", "crt", "cer", "key"}
	f.cert = newFileField(env.picker, work, "Client certificate", "PEM certificate", pem...)
	f.key = newFileField(env.picker, work, "Client key", "PEM key", pem...)
	f.pkcs12 = newFileField(env.picker, work, "Client certificate bundle (PKCS#12)", "PKCS#12 bundle", "p12", "pfx")
	f.ca = newFileField(env.picker, work, "CA certificates", "PEM certificates", "pem", "crt", "cer")

	f.name.SetPlaceHolder("A name you will recognise, e.g. Sector ISAC")
	f.url.SetPlaceHolder("https://taxii.example.org/taxii-discovery-service")
	f.version.SetSelected(versionChoices[0])
	f.precision.SetSelected(precisionChoices[0])
	f.username.SetPlaceHolder("User name for HTTP basic authentication")
	f.jwtURL.SetPlaceHolder("https://taxii.example.org/management/auth")
	f.headers.SetPlaceHolder("One per line, e.g. X-Org: acme")
	f.headers.SetMinRowsVisible(2)
	f.secretHdr.SetPlaceHolder("One per line, e.g. Authorization: Bearer …  (kept in the keyring)")
	f.secretHdr.SetMinRowsVisible(2)
	f.proxy.SetPlaceHolder("Empty: system proxy · direct: none · or http://proxy.example.org:3128")
	f.timeout.SetPlaceHolder("Seconds for one request (empty: default)")
	for _, o := range overrideTypes {
		e := widget.NewEntry()
		e.SetPlaceHolder("Address from discovery")
		f.overrides[o.typ] = e
	}

	f.insecureWarn = widget.NewLabelWithStyle("Certificate verification is off: anyone between you and this server can read and change what you exchange. Prefer adding the server's CA file.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.insecureWarn.Importance = widget.WarningImportance
	f.insecureWarn.Wrapping = fyne.TextWrapWord
	f.insecureWarn.Hide()
	f.insecure = widget.NewCheck("Skip TLS certificate verification (unsafe)", func(on bool) {
		if on {
			f.insecureWarn.Show()
		} else {
			f.insecureWarn.Hide()
		}
	})

	secretHint := ""
	if f.editing {
		secretHint = "Stored in the keyring; leave empty to keep"
		f.name.Disable() // the cache is keyed by the name
	}
	for _, e := range []*widget.Entry{f.password, f.keyPass, f.jwtPass} {
		e.SetPlaceHolder(secretHint)
	}

	f.summary.Importance = widget.DangerImportance
	f.summary.Wrapping = fyne.TextWrapWord
	f.summary.Hide()
	f.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButton("Cancel", func() {
		if f.OnCancel != nil {
			f.OnCancel()
		}
	})
	for _, e := range []*widget.Entry{f.name, f.url, f.username, f.password, f.keyPass, f.jwtURL, f.jwtUser, f.jwtPass, f.proxy, f.timeout} {
		e.OnSubmitted = func(string) { f.submit() } // Enter saves
	}
	f.build()
	if p != nil {
		f.fill(*p)
	}
	return f
}

// item is a form row with room under it for its problem.
func (f *profileForm) item(section int, label, field string, w fyne.CanvasObject, hint string) *widget.FormItem {
	obj := w
	if field != "" {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.Hide()
		f.errs[field] = l
		f.sectionOf[field] = section
		obj = container.NewVBox(w, l)
	}
	it := widget.NewFormItem(label, obj)
	it.HintText = hint
	return it
}

func (f *profileForm) build() {
	f.sectionOf = map[string]int{}
	server := widget.NewForm(
		f.item(secServer, "Name", app.FieldName, f.name, ""),
		f.item(secServer, "Discovery URL", app.FieldURL, f.url, ""),
		f.item(secServer, "TAXII version", app.FieldVersion, f.version, ""),
	)
	auth := widget.NewForm(
		f.item(secAuth, "User name", "", f.username, "Basic authentication; leave empty for none"),
		f.item(secAuth, "Password", "", f.password, ""),
		f.item(secAuth, "Client certificate", app.FieldCertFile, f.cert.row, "PEM certificate (may hold the key too)"),
		f.item(secAuth, "Client key", app.FieldKeyFile, f.key.row, "PEM key, when not in the certificate file"),
		f.item(secAuth, "Or PKCS#12 bundle", app.FieldPKCS12File, f.pkcs12.row, ".p12 / .pfx holding certificate and key"),
		f.item(secAuth, "Key passphrase", app.FieldKeyPass, f.keyPass, ""),
		f.item(secAuth, "JWT login URL", app.FieldJWTURL, f.jwtURL, ""),
		f.item(secAuth, "JWT user", "", f.jwtUser, ""),
		f.item(secAuth, "JWT password", "", f.jwtPass, ""),
		f.item(secAuth, "Extra headers", app.FieldHeaders, f.headers, ""),
		f.item(secAuth, "Secret headers", "secret_headers", f.secretHdr, "API keys and tokens; values go to the keyring"),
	)
	tls := widget.NewForm(
		f.item(secTLS, "CA file", app.FieldCAFile, f.ca.row, "Adds a private CA to the system's"),
		widget.NewFormItem("", container.NewVBox(f.insecure, f.insecureWarn)),
	)
	netItems := []*widget.FormItem{
		f.item(secNetwork, "Proxy", app.FieldProxy, f.proxy, ""),
		f.item(secNetwork, "Timestamps sent", app.FieldPrecision, f.precision, "For servers that reject fractional seconds"),
		f.item(secNetwork, "Request timeout", "timeout", f.timeout, ""),
	}
	for i, o := range overrideTypes {
		field := ""
		if i == 0 {
			field = app.FieldServices // one message for all overrides
		}
		netItems = append(netItems, f.item(secNetwork, o.label+" address", field, f.overrides[o.typ], ""))
	}
	network := widget.NewForm(netItems...)
	f.sections = widget.NewAccordion(
		widget.NewAccordionItem("Server", server),
		widget.NewAccordionItem("Authentication (any combination)", auth),
		widget.NewAccordionItem("Security (TLS)", tls),
		widget.NewAccordionItem("Network (proxy, timestamps, service addresses)", network),
	)
	f.sections.MultiOpen = true
	f.sections.Open(secServer)
	f.sections.Open(secAuth)
	buttons := container.NewHBox(f.cancel, f.save)
	f.content = container.NewBorder(f.summary, container.NewBorder(nil, nil, nil, buttons), nil, nil,
		container.NewVScroll(f.sections))
}

// fill shows a saved profile; secret values are never read back.
func (f *profileForm) fill(p app.Profile) {
	f.name.SetText(p.Name)
	f.url.SetText(p.DiscoveryURL)
	f.version.SetSelected(choiceFromVersion(p.Version))
	f.username.SetText(p.Username)
	f.cert.entry.SetText(p.CertFile)
	f.key.entry.SetText(p.KeyFile)
	f.pkcs12.entry.SetText(p.PKCS12File)
	f.jwtURL.SetText(p.JWTURL)
	f.jwtUser.SetText(p.JWTUsername)
	f.headers.SetText(headerLines(p.Headers, false))
	f.secretHdr.SetText(headerLines(p.Headers, true))
	f.ca.entry.SetText(p.CAFile)
	f.insecure.SetChecked(p.InsecureSkipVerify)
	f.proxy.SetText(p.Proxy)
	f.precision.SetSelected(choiceFromPrecision(p.TimestampPrecision))
	if p.Timeout > 0 {
		f.timeout.SetText(strconv.Itoa(int(p.Timeout / time.Second)))
	}
	for typ, e := range f.overrides {
		e.SetText(p.ServiceAddresses[typ])
	}
	if p.InsecureSkipVerify || p.CAFile != "" {
		f.sections.Open(secTLS)
	}
	if p.Proxy != "" || len(p.ServiceAddresses) > 0 || p.TimestampPrecision != "" || p.Timeout > 0 {
		f.sections.Open(secNetwork)
	}
}

// profile reads the form. The error is a *app.ValidationError for text
// the form itself cannot read (a header line without a colon, a timeout
// that is not a number).
func (f *profileForm) profile() (app.Profile, app.Credentials, error) {
	p := app.Profile{
		Name:               strings.TrimSpace(f.name.Text),
		DiscoveryURL:       strings.TrimSpace(f.url.Text),
		Version:            versionFromChoice(f.version.Selected),
		Username:           strings.TrimSpace(f.username.Text),
		CertFile:           strings.TrimSpace(f.cert.entry.Text),
		KeyFile:            strings.TrimSpace(f.key.entry.Text),
		PKCS12File:         strings.TrimSpace(f.pkcs12.entry.Text),
		JWTURL:             strings.TrimSpace(f.jwtURL.Text),
		JWTUsername:        strings.TrimSpace(f.jwtUser.Text),
		CAFile:             strings.TrimSpace(f.ca.entry.Text),
		InsecureSkipVerify: f.insecure.Checked,
		Proxy:              strings.TrimSpace(f.proxy.Text),
		TimestampPrecision: precisionFromChoice(f.precision.Selected),
	}
	c := app.Credentials{Password: f.password.Text, KeyPassword: f.keyPass.Text, JWTPassword: f.jwtPass.Text}
	plain, _, err := parseHeaderLines(f.headers.Text, false)
	if err != nil {
		return p, c, errProblems(app.FieldHeaders, "extra headers: "+err.Error())
	}
	secret, vals, err := parseHeaderLines(f.secretHdr.Text, true)
	if err != nil {
		return p, c, errProblems("secret_headers", "secret headers: "+err.Error())
	}
	p.Headers = append(plain, secret...)
	if len(vals) > 0 {
		c.Headers = vals
	}
	if t := strings.TrimSpace(f.timeout.Text); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n <= 0 {
			return p, c, errProblems("timeout", "the timeout is a whole number of seconds, like 60")
		}
		p.Timeout = time.Duration(n) * time.Second
	}
	for typ, e := range f.overrides {
		if a := strings.TrimSpace(e.Text); a != "" {
			if p.ServiceAddresses == nil {
				p.ServiceAddresses = map[string]string{}
			}
			p.ServiceAddresses[typ] = a
		}
	}
	return p, c, nil
}

func (f *profileForm) submit() {
	p, c, err := f.profile()
	if err != nil {
		f.showError(err)
		return
	}
	f.clearProblems()
	if f.OnSave != nil {
		f.OnSave(p, c)
	}
}

func (f *profileForm) clearProblems() {
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
	f.summary.SetText("")
	f.summary.Hide()
}

// showError shows what is wrong: each problem under its field (opening its
// section), the rest, or any other failure, at the top.
func (f *profileForm) showError(err error) {
	f.clearProblems()
	ve := asValidation(err)
	if ve == nil {
		f.summary.SetText("Not saved: " + app.Explain(err))
		f.summary.Show()
		return
	}
	var general []string
	for _, pr := range ve.Problems {
		l, ok := f.errs[pr.Field]
		if !ok {
			general = append(general, pr.Message)
			continue
		}
		if l.Text != "" {
			l.SetText(l.Text + "\n" + capitalize(pr.Message))
		} else {
			l.SetText(capitalize(pr.Message))
		}
		l.Show()
		f.sections.Open(f.sectionOf[pr.Field])
	}
	msg := "Not saved: fix what is marked below."
	if len(general) > 0 {
		msg = "Not saved: " + strings.Join(general, "; ") + "."
	}
	f.summary.SetText(msg)
	f.summary.Show()
}

// problem returns the message shown under field ("" when none), for tests.
func (f *profileForm) problem(field string) string {
	if l, ok := f.errs[field]; ok && l.Visible() {
		return l.Text
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
