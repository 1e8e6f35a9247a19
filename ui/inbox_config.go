package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// TLS choices as the user sees them, and the core's modes.
var inboxTLSChoices = []struct{ label, mode string }{
	{"Off (plain HTTP)", app.TLSOff},
	{"Self-signed certificate (partners pin the fingerprint)", app.TLSSelfSigned},
	{"My certificate and key files", app.TLSFiles},
}

// inboxConfig is the Settings tab of the Inbox view: the address, TLS, who
// may push (accounts, client certificates), the local destination
// collections and auto-accept. Every change is checked and saved by the
// core; a running listener restarts with it.
type inboxConfig struct {
	v       *inboxView
	content fyne.CanvasObject
	status  *statusLine

	addr, advertise    *widget.Entry
	tls                *widget.Select
	certFile, keyFile  *widget.Entry
	user, password     *widget.Entry
	certName, certFP   *widget.Entry
	collection, sender *widget.Entry
	autoAll            *widget.Check
	accounts, certs    *fyne.Container
	collections        *fyne.Container
	senders            *fyne.Container
	showing            bool // set while show updates widgets, so their callbacks do nothing
}

func newInboxConfig(v *inboxView) *inboxConfig {
	c := &inboxConfig{v: v, status: newStatusLine(v.env.win)}
	c.addr = widget.NewEntry()
	c.addr.SetPlaceHolder(app.DefaultListenerAddr + " (this computer only)")
	c.advertise = widget.NewEntry()
	c.advertise.SetPlaceHolder("https://ws.example.org:9443 (only behind NAT or a proxy; empty: the bound address)")
	var labels []string
	for _, ch := range inboxTLSChoices {
		labels = append(labels, ch.label)
	}
	c.tls = widget.NewSelect(labels, nil)
	c.certFile = widget.NewEntry()
	c.certFile.SetPlaceHolder("certificate (PEM)")
	c.keyFile = widget.NewEntry()
	c.keyFile.SetPlaceHolder("private key (PEM)")
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), c.SaveAddress)
	save.Importance = widget.HighImportance
	address := container.New(layout.NewFormLayout(),
		widget.NewLabel("Address"), c.addr,
		widget.NewLabel("Address partners use"), c.advertise,
		widget.NewLabel("TLS"), c.tls,
		widget.NewLabel("Certificate file"), container.NewBorder(nil, nil, nil, c.chooseButton("Choose the listener's certificate", c.certFile), c.certFile),
		widget.NewLabel("Key file"), container.NewBorder(nil, nil, nil, c.chooseButton("Choose the certificate's private key", c.keyFile), c.keyFile),
		layout.NewSpacer(), container.NewHBox(save),
	)

	c.user = widget.NewEntry()
	c.user.SetPlaceHolder("user name")
	c.password = widget.NewPasswordEntry()
	c.password.SetPlaceHolder("password (stored hashed)")
	c.accounts = container.NewVBox()
	addAccount := widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), c.AddAccount)

	c.certName = widget.NewEntry()
	c.certName.SetPlaceHolder("partner name")
	c.certFP = widget.NewEntry()
	c.certFP.SetPlaceHolder("SHA-256 fingerprint, AB:CD:…")
	c.certs = container.NewVBox()
	addCert := widget.NewButtonWithIcon("Allow certificate", theme.ContentAddIcon(), c.AddClientCert)

	c.collection = widget.NewEntry()
	c.collection.SetPlaceHolder("collection name, e.g. shared")
	c.collections = container.NewVBox()
	addColl := widget.NewButtonWithIcon("Add collection", theme.ContentAddIcon(), c.AddCollection)

	c.autoAll = widget.NewCheck("Accept everything received without review", func(on bool) {
		if c.showing {
			return
		}
		c.change("Auto-accept saved.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
			cfg.AutoAccept = on
			return cfg, nil
		})
	})
	c.sender = widget.NewEntry()
	c.sender.SetPlaceHolder("sender (account or certificate name)")
	c.senders = container.NewVBox()
	addSender := widget.NewButtonWithIcon("Auto-accept sender", theme.ContentAddIcon(), c.AddAutoSender)

	body := container.NewVBox(
		c.status,
		heading("Address and TLS"), address,
		widget.NewSeparator(),
		heading("Accounts (user name and password)"), c.accounts,
		container.NewGridWithColumns(3, c.user, c.password, addAccount),
		widget.NewSeparator(),
		heading("Allowed client certificates"), c.certs,
		container.NewGridWithColumns(3, c.certName, c.certFP, addCert),
		widget.NewSeparator(),
		heading("Local destination collections"), c.collections,
		container.NewBorder(nil, nil, nil, addColl, c.collection),
		widget.NewSeparator(),
		heading("Auto-accept"), c.autoAll, c.senders,
		container.NewBorder(nil, nil, nil, addSender, c.sender),
	)
	c.content = container.NewVScroll(body)
	return c
}

// chooseButton picks a file with the native dialog (off the Fyne
// goroutine) into e.
func (c *inboxConfig) chooseButton(title string, e *widget.Entry) *widget.Button {
	return widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		runTask(&c.v.t, func() (string, error) {
			return c.v.env.picker.OpenFile(title, "PEM files", "pem", "crt", "cer", "key")
		}, func(path string, err error) {
			switch {
			case errors.Is(err, ErrPickCancelled):
			case err != nil:
				c.status.Error("The file dialog failed", err)
			default:
				e.SetText(path)
			}
		})
	})
}

// show puts the saved settings in the form and lists.
func (c *inboxConfig) show(cfg app.ListenerConfig) {
	c.showing = true
	defer func() { c.showing = false }()
	c.addr.SetText(cfg.Addr)
	c.advertise.SetText(cfg.AdvertiseURL)
	mode := cfg.TLS
	if mode == "" {
		mode = app.TLSOff
	}
	for _, ch := range inboxTLSChoices {
		if ch.mode == mode {
			c.tls.SetSelected(ch.label)
		}
	}
	c.certFile.SetText(cfg.CertFile)
	c.keyFile.SetText(cfg.KeyFile)
	c.autoAll.SetChecked(cfg.AutoAccept)
	c.showLists(cfg)
}

// showLists rebuilds the lists (accounts, certificates, collections, senders).
func (c *inboxConfig) showLists(cfg app.ListenerConfig) {
	var rows []fyne.CanvasObject
	for _, a := range cfg.Accounts {
		rows = append(rows, removableRow(a.Name, func() {
			c.change("Account "+a.Name+" removed.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
				return cfg.WithoutAccount(a.Name), nil
			})
		}))
	}
	setRows(c.accounts, rows, "No accounts: only this computer can push unless you allow a client certificate.")

	rows = nil
	for _, cert := range cfg.ClientCerts {
		rows = append(rows, removableRow(cert.Name+"  "+cert.Fingerprint, func() {
			c.change("Certificate "+cert.Name+" removed.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
				cfg.ClientCerts = slices.DeleteFunc(slices.Clone(cfg.ClientCerts), func(x app.ListenerCert) bool { return x.Fingerprint == cert.Fingerprint })
				return cfg, nil
			})
		}))
	}
	setRows(c.certs, rows, "No client certificates allowed.")

	rows = nil
	for _, name := range cfg.Collections {
		rows = append(rows, removableRow(name, func() {
			c.change("Collection "+name+" removed.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
				cfg.Collections = slices.DeleteFunc(slices.Clone(cfg.Collections), func(x string) bool { return x == name })
				return cfg, nil
			})
		}))
	}
	setRows(c.collections, rows, "No collections: content that names none goes to \""+app.DefaultListenerCollection+"\".")

	rows = nil
	for _, s := range cfg.AutoAcceptSenders {
		rows = append(rows, removableRow(s, func() {
			c.change("Content from "+s+" now waits for review.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
				cfg.AutoAcceptSenders = slices.DeleteFunc(slices.Clone(cfg.AutoAcceptSenders), func(x string) bool { return x == s })
				return cfg, nil
			})
		}))
	}
	setRows(c.senders, rows, "No sender is accepted automatically.")
}

func removableRow(text string, remove func()) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	b := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), remove)
	b.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, b, l)
}

func setRows(box *fyne.Container, rows []fyne.CanvasObject, empty string) {
	if len(rows) == 0 {
		l := widget.NewLabel(empty)
		l.Wrapping = fyne.TextWrapWord
		rows = []fyne.CanvasObject{l}
	}
	box.Objects = rows
	box.Refresh()
}

// SaveAddress saves the address, the advertised URL and the TLS settings.
func (c *inboxConfig) SaveAddress() {
	addr, adv := strings.TrimSpace(c.addr.Text), strings.TrimSpace(c.advertise.Text)
	mode := app.TLSOff
	for _, ch := range inboxTLSChoices {
		if ch.label == c.tls.Selected {
			mode = ch.mode
		}
	}
	cert, key := strings.TrimSpace(c.certFile.Text), strings.TrimSpace(c.keyFile.Text)
	c.change("Address and TLS saved.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
		cfg.Addr, cfg.AdvertiseURL, cfg.TLS, cfg.CertFile, cfg.KeyFile = addr, adv, mode, cert, key
		return cfg, nil
	}, c.addr)
}

// AddAccount adds (or replaces) the account typed in; the core hashes the password.
func (c *inboxConfig) AddAccount() {
	name, pw := strings.TrimSpace(c.user.Text), c.password.Text
	if name == "" || pw == "" {
		c.status.Error("", errors.New("type a user name and a password for the new account"))
		return
	}
	c.change("Account "+name+" saved.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
		return cfg.WithAccount(name, pw)
	}, c.user, c.password)
}

// AddClientCert allows the client certificate typed in.
func (c *inboxConfig) AddClientCert() {
	name, fp := strings.TrimSpace(c.certName.Text), strings.TrimSpace(c.certFP.Text)
	if name == "" || fp == "" {
		c.status.Error("", errors.New("type the partner's name and their certificate's SHA-256 fingerprint"))
		return
	}
	c.change("Certificate of "+name+" allowed.", func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
		return cfg.WithClientCert(name, fp), nil
	}, c.certName, c.certFP)
}

// AddCollection adds a local destination collection.
func (c *inboxConfig) AddCollection() {
	c.addName(c.collection, "type the name of the collection partners will push to",
		func(name string) string { return "Collection " + name + " added." },
		func(cfg *app.ListenerConfig) *[]string { return &cfg.Collections })
}

// AddAutoSender accepts content from the sender typed in without review.
func (c *inboxConfig) AddAutoSender() {
	c.addName(c.sender, "type the sender's account or certificate name",
		func(name string) string { return "Content from " + name + " is now accepted automatically." },
		func(cfg *app.ListenerConfig) *[]string { return &cfg.AutoAcceptSenders })
}

// addName adds the name typed in entry to the settings' list, once.
func (c *inboxConfig) addName(entry *widget.Entry, prompt string, done func(string) string, list func(*app.ListenerConfig) *[]string) {
	name := strings.TrimSpace(entry.Text)
	if name == "" {
		c.status.Error("", errors.New(prompt))
		return
	}
	c.change(done(name), func(cfg app.ListenerConfig) (app.ListenerConfig, error) {
		if l := list(&cfg); !slices.Contains(*l, name) {
			*l = append(slices.Clone(*l), name)
		}
		return cfg, nil
	}, entry)
}

// configChange is what a saved change left.
type configChange struct {
	saved     bool
	status    app.ListenerStatus
	restarted bool
}

// change applies mutate to the saved settings in the background, saves
// them (the core checks them) and restarts a running listener. On success
// the entries in clear are emptied (c.addr among them: the address form is
// shown as saved instead); on failure they keep what the user typed.
func (c *inboxConfig) change(done string, mutate func(app.ListenerConfig) (app.ListenerConfig, error), clear ...*widget.Entry) {
	l := c.v.l
	runTask(&c.v.t, func() (configChange, error) {
		c.v.cfgMu.Lock()
		defer c.v.cfgMu.Unlock()
		cfg, err := mutate(l.Config())
		if err != nil {
			return configChange{}, err
		}
		if err := l.SetConfig(cfg); err != nil {
			return configChange{}, err
		}
		res := configChange{saved: true}
		if l.Status().Running {
			ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
			defer cancel()
			res.restarted = true
			err = l.Restart(ctx)
		}
		res.status = l.Status()
		return res, err
	}, func(res configChange, err error) {
		if !res.saved {
			// Not saved: keep what the user typed, show the saved lists.
			c.status.Error("Not saved", err)
			c.showing = true
			c.autoAll.SetChecked(l.Config().AutoAccept)
			c.showing = false
			c.showLists(l.Config())
			return
		}
		// Changes started together may finish in any order: show the
		// settings as the core keeps them now, not this change's snapshot.
		now := l.Config()
		if slices.Contains(clear, c.addr) {
			c.show(now) // the address form was saved: show it as the core keeps it
		} else {
			// Keep what the user is typing in the address form.
			c.showing = true
			c.autoAll.SetChecked(now.AutoAccept)
			c.showing = false
			c.showLists(now)
			for _, e := range clear {
				e.SetText("")
			}
		}
		c.v.showStatus(res.status)
		if err != nil {
			c.status.Error("Saved, but the listener did not restart", err)
			return
		}
		if res.restarted {
			done += " The listener restarted with it."
		}
		c.status.Info(done)
	})
}
