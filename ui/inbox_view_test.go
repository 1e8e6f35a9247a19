package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/apptest"
	"github.com/taxii-workstation/taxii-workstation/storage"
	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// inboxFixture is an Inbox view in a test window over a real listener on
// 127.0.0.1:0 and an in-memory cache; the view's tasks run in manual mode.
type inboxFixture struct {
	t    *testing.T
	core *app.App
	l    *app.Listener
	win  fyne.Window
	v    *inboxView

	mu     sync.Mutex
	notes  []string
	shown  []string
	opened []string
}

func newInboxFixture(t *testing.T, cfg app.ListenerConfig) *inboxFixture {
	t.Helper()
	a := test.NewTempApp(t)
	st, err := storage.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	core, err := app.New(app.Deps{Store: st, Secrets: apptest.NewSecrets(), Clock: apptest.NewClock(apptest.Start())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = core.Close() })
	l, err := app.NewListener(core, app.ListenerOptions{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Stop(ctx)
	})
	f := &inboxFixture{t: t, core: core, l: l}
	f.win = test.NewTempWindow(t, widget.NewLabel(""))
	hub := newEventHub(core)
	t.Cleanup(hub.Close)
	env := &viewEnv{
		core: core, listener: l, win: f.win, events: hub, picker: &fakePicker{}, settings: app.NewSettings(a.Preferences()),
		dataDir: "/data/for/test",
		notify: func(title, content string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.notes = append(f.notes, title+": "+content)
		},
		show: func(name string) bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.shown = append(f.shown, name)
			return true
		},
	}
	f.v = buildInboxView(env)
	f.v.OpenInCache = func(server, collection string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.opened = append(f.opened, server+"/"+collection)
	}
	f.v.t.useManual()
	f.v.begin()
	t.Cleanup(f.v.close)
	f.win.SetContent(f.v)
	f.win.Resize(fyne.NewSize(1200, 800))
	f.v.t.wait()
	return f
}

// push sends one STIX package numbered n to the listener's inbox, for collection dest.
func (f *inboxFixture) push(n int, dest string) {
	f.t.Helper()
	url := f.l.Status().InboxURL
	if url == "" {
		f.t.Fatal("the listener is not running")
	}
	m := &taxii.InboxMessage{DestinationCollectionNames: []string{dest},
		ContentBlocks: []taxii.ContentBlock{{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(n, 512), ContentIsXML: true}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := (&taxii.Client{}).Push(ctx, url, m); err != nil {
		f.t.Fatalf("push: %v", err)
	}
}

// waitFor applies the view's results until cond holds: events of a request
// may reach the view just after the client has its answer.
func (f *inboxFixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	for range 500 {
		f.v.t.wait()
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("still waiting for %s; the view shows:\n%s", what, texts(f.v))
}

func (f *inboxFixture) notifications() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notes...)
}

// queueTexts are the texts of the review queue's tab.
func (f *inboxFixture) queueTexts() string { return texts(f.v.queue.content) }

func (f *inboxFixture) received(state app.ReviewState) []app.ReviewItem {
	f.t.Helper()
	p, err := f.core.ReceivedBlocks(context.Background(), state, app.PageRequest{Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Items
}

// TestInboxOnPushAcceptDiscard: the user turns the listener on and sees the
// URL to give partners; pushed content shows in the review queue with a
// notification; Accept lists it in its collection, Discard takes it out.
func TestInboxOnPushAcceptDiscard(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0", Collections: []string{"shared"}})
	if got := f.v.state.Text; !strings.HasPrefix(got, "Off") {
		t.Fatalf("state before = %q", got)
	}
	if !f.v.copyURL.Disabled() {
		t.Error("Copy is enabled with no URL")
	}
	if got := f.v.queue.summary.Text; got != "Nothing waits for review." {
		t.Errorf("empty queue says %q", got)
	}

	tapButton(t, f.v, "Turn on")
	f.v.t.wait()
	st := f.l.Status()
	if !st.Running {
		t.Fatalf("not running after Turn on: %v; status line %q", st.Err, f.v.status.Text())
	}
	if !strings.HasPrefix(f.v.state.Text, "On: listening on "+st.Addr) {
		t.Errorf("state = %q, want it to name %s", f.v.state.Text, st.Addr)
	}
	if f.v.inboxURL.Text != st.InboxURL || !strings.HasPrefix(st.InboxURL, "http://127.0.0.1:") {
		t.Errorf("inbox URL shown %q, listener's %q", f.v.inboxURL.Text, st.InboxURL)
	}
	if f.v.discovery.Text != st.URL || !strings.HasSuffix(st.URL, "/services/discovery") {
		t.Errorf("discovery URL shown %q, listener's %q", f.v.discovery.Text, st.URL)
	}
	test.Tap(f.v.copyInbox)
	if got := fyne.CurrentApp().Clipboard().Content(); got != st.InboxURL {
		t.Errorf("clipboard = %q, want the inbox URL", got)
	}
	if tabs := texts(f.v); !strings.Contains(tabs, "[Turn off]") {
		t.Errorf("no Turn off button in:\n%s", tabs)
	}

	f.push(1, "shared")
	f.push(2, "shared")
	f.waitFor("two items in the queue", func() bool { return len(f.v.queue.items) == 2 })
	if got := f.v.queue.summary.Text; got != "2 block(s) wait for review" {
		t.Errorf("summary = %q", got)
	}
	qt := f.queueTexts()
	for _, want := range []string{"local-inbox/shared", "anonymous@127.0.0.1", "[Accept]", "[Discard]", "[Open]"} {
		if !strings.Contains(qt, want) {
			t.Errorf("queue lacks %q:\n%s", want, qt)
		}
	}
	notes := f.notifications()
	if len(notes) != 2 || !strings.HasPrefix(notes[0], "Content arrived: 1 block(s) from anonymous@") || !strings.Contains(notes[0], "waiting for review") {
		t.Errorf("notifications = %q", notes)
	}
	f.waitFor("the log to show both pushes", func() bool { return strings.Count(f.v.log.text(), "SUCCESS") == 2 })
	if lg := f.v.log.text(); !strings.Contains(lg, "inbox") || !strings.Contains(lg, "started on "+st.Addr) {
		t.Errorf("log:\n%s", lg)
	}

	// Open on a waiting item shows the cache (its "Inbox (unreviewed)").
	tapButton(t, f.v.queue.content, "Open")
	f.mu.Lock()
	shown, opened := f.shown, f.opened
	f.mu.Unlock()
	if len(shown) != 1 || shown[0] != ViewCache || len(opened) != 0 {
		t.Errorf("Open on a waiting item: views %q, collections %q", shown, opened)
	}

	// Accept the newest (first row): the core lists it in shared.
	first, second := f.v.queue.items[0], f.v.queue.items[1]
	tapButton(t, f.v.queue.content, "Accept")
	f.waitFor("one item left", func() bool { return len(f.v.queue.items) == 1 })
	if acc := f.received(app.Accepted); len(acc) != 1 || acc[0].Ref != first.Ref {
		t.Errorf("accepted by the core: %+v, want %s", acc, first.Ref)
	}
	p, err := f.core.ListBlocks(context.Background(), app.LocalServer, "shared", app.PageRequest{Limit: 10})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("local-inbox/shared lists %d block(s) (err %v), want 1", len(p.Items), err)
	}
	if got := f.v.queue.status.Text(); !strings.HasPrefix(got, "Accepted ") || !strings.Contains(got, "local-inbox/shared") {
		t.Errorf("status after Accept = %q", got)
	}

	tapButton(t, f.v.queue.content, "Discard")
	f.waitFor("an empty queue", func() bool { return len(f.v.queue.items) == 0 })
	if d := f.received(app.Discarded); len(d) != 1 || d[0].Ref != second.Ref {
		t.Errorf("discarded by the core: %+v, want %s", d, second.Ref)
	}
	if got := f.v.queue.summary.Text; got != "Nothing waits for review." {
		t.Errorf("summary = %q", got)
	}

	// Open on an accepted item opens its collection in the cache.
	f.v.queue.filter.SetSelected("Accepted")
	f.v.t.wait()
	if len(f.v.queue.items) != 1 {
		t.Fatalf("accepted list has %d items", len(f.v.queue.items))
	}
	tapButton(t, f.v.queue.content, "Open")
	f.mu.Lock()
	opened = f.opened
	f.mu.Unlock()
	if len(opened) != 1 || opened[0] != "local-inbox/shared" {
		t.Errorf("opened %q, want local-inbox/shared", opened)
	}

	tapButton(t, f.v, "Turn off")
	f.v.t.wait()
	if f.l.Status().Running || !strings.HasPrefix(f.v.state.Text, "Off") {
		t.Errorf("after Turn off: running %v, state %q", f.l.Status().Running, f.v.state.Text)
	}
}

// TestInboxBadConfig: a network address with no account is refused with
// the core's words, where the user acted, and the listener does not start.
func TestInboxBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  app.ListenerConfig
		edit func(f *inboxFixture)
		want string // in the settings tab's status line
	}{
		{
			name: "network address without access control",
			cfg:  app.ListenerConfig{Addr: "127.0.0.1:0"},
			edit: func(f *inboxFixture) { f.v.cfg.addr.SetText("0.0.0.0:0") },
			want: "add an account or a client certificate",
		},
		{
			name: "address without port",
			cfg:  app.ListenerConfig{Addr: "127.0.0.1:0"},
			edit: func(f *inboxFixture) { f.v.cfg.addr.SetText("127.0.0.1") },
			want: "is not HOST:PORT",
		},
		{
			name: "certificate files missing",
			cfg:  app.ListenerConfig{Addr: "127.0.0.1:0"},
			edit: func(f *inboxFixture) { f.v.cfg.tls.SetSelected(inboxTLSChoices[2].label) },
			want: "needs both the certificate and the key file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInboxFixture(t, tt.cfg)
			tt.edit(f)
			f.v.cfg.SaveAddress()
			f.v.t.wait()
			got := f.v.cfg.status.Text()
			if !strings.HasPrefix(got, "Not saved: ") || !strings.Contains(got, tt.want) {
				t.Errorf("status = %q, want the core's %q", got, tt.want)
			}
			if f.v.cfg.status.details.Hidden {
				t.Error("no Details button for the error")
			}
			if f.l.Config().Addr != tt.cfg.Addr || f.l.Config().TLS != tt.cfg.TLS {
				t.Errorf("saved config changed: %+v", f.l.Config())
			}
			tapButton(t, f.v, "Turn on")
			f.v.t.wait()
			if f.l.Status().Running != true {
				t.Errorf("the saved (good) settings did not start: %q", f.v.status.Text())
			}
		})
	}
}

// TestInboxStartRefused: a listener whose saved settings the core refuses
// stays off and says why.
func TestInboxStartRefused(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "0.0.0.0:0"})
	tapButton(t, f.v, "Turn on")
	f.v.t.wait()
	if f.l.Status().Running {
		t.Fatal("the listener started on 0.0.0.0 without access control")
	}
	got := f.v.status.Text()
	if !strings.HasPrefix(got, "The listener did not start: ") || !strings.Contains(got, "add an account or a client certificate") {
		t.Errorf("status = %q", got)
	}
	if !strings.HasPrefix(f.v.state.Text, "Off") {
		t.Errorf("state = %q", f.v.state.Text)
	}
}

// TestInboxResume: a listener the user left on starts with the window.
func TestInboxResume(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0", Enabled: true})
	st := f.l.Status()
	if !st.Running {
		t.Fatalf("not resumed: %v", st.Err)
	}
	if f.v.inboxURL.Text != st.InboxURL || f.v.status.Text() != "The listener you left on is running again." {
		t.Errorf("inbox URL %q, status %q", f.v.inboxURL.Text, f.v.status.Text())
	}
}

// TestInboxAccessLists: accounts, collections and auto-accept senders are
// added and removed through the core (which hashes passwords).
func TestInboxAccessLists(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0"})
	c := f.v.cfg
	c.user.SetText("hub")
	c.password.SetText("s3cret")
	c.AddAccount()
	c.collection.SetText("shared")
	c.AddCollection()
	c.sender.SetText("hub")
	c.AddAutoSender()
	f.v.t.wait()
	cfg := f.l.Config()
	if len(cfg.Accounts) != 1 || cfg.Accounts[0].Name != "hub" || cfg.Accounts[0].PasswordHash == "s3cret" || cfg.Accounts[0].PasswordHash == "" {
		t.Errorf("accounts = %+v", cfg.Accounts)
	}
	if fmt.Sprint(cfg.Collections, cfg.AutoAcceptSenders) != "[shared] [hub]" {
		t.Errorf("collections %v, senders %v", cfg.Collections, cfg.AutoAcceptSenders)
	}
	if c.user.Text != "" || c.password.Text != "" {
		t.Error("the account entries kept the password after saving")
	}
	shown := texts(c.content)
	for _, want := range []string{"hub\n", "shared\n"} {
		if !strings.Contains(shown, want) {
			t.Errorf("settings lack %q:\n%s", want, shown)
		}
	}
	// With an account, a network address is accepted.
	c.addr.SetText("0.0.0.0:0")
	c.SaveAddress()
	f.v.t.wait()
	if f.l.Config().Addr != "0.0.0.0:0" {
		t.Errorf("address not saved: %q", c.status.Text())
	}
	c.addr.SetText("127.0.0.1:0")
	c.SaveAddress()
	f.v.t.wait()

	tapButton(t, c.accounts, "Remove")
	f.v.t.wait()
	if n := len(f.l.Config().Accounts); n != 0 {
		t.Errorf("%d accounts after Remove", n)
	}
	tapButton(t, c.collections, "Remove")
	f.v.t.wait()
	if n := len(f.l.Config().Collections); n != 0 {
		t.Errorf("%d collections after Remove", n)
	}
	// A client certificate needs HTTPS: the core says so, nothing is saved.
	fp := strings.TrimSuffix(strings.Repeat("AB:", 32), ":")
	c.certName.SetText("peer")
	c.certFP.SetText(fp)
	c.AddClientCert()
	f.v.t.wait()
	if got := c.status.Text(); !strings.Contains(got, "client certificates need HTTPS") || len(f.l.Config().ClientCerts) != 0 {
		t.Errorf("certificate without TLS: status %q, saved %v", got, f.l.Config().ClientCerts)
	}
	if c.certFP.Text != fp {
		t.Error("the refused fingerprint was cleared from its entry")
	}
	c.tls.SetSelected(inboxTLSChoices[1].label)
	c.SaveAddress()
	f.v.t.wait()
	c.AddClientCert()
	f.v.t.wait()
	if certs := f.l.Config().ClientCerts; len(certs) != 1 || certs[0].Name != "peer" {
		t.Errorf("certificates = %+v; status %q", certs, c.status.Text())
	}
	tapButton(t, c.certs, "Remove")
	f.v.t.wait()
	if n := len(f.l.Config().ClientCerts); n != 0 {
		t.Errorf("%d certificates after Remove", n)
	}

	// Saving a list keeps an address being typed.
	c.addr.SetText("127.0.0.1:1")
	c.collection.SetText("other")
	c.AddCollection()
	f.v.t.wait()
	if c.addr.Text != "127.0.0.1:1" || f.l.Config().Addr != "127.0.0.1:0" {
		t.Errorf("address entry %q, saved %q", c.addr.Text, f.l.Config().Addr)
	}

	c.AddAccount() // empty: refused before reaching the core
	if got := c.status.Text(); !strings.Contains(got, "Type a user name and a password") {
		t.Errorf("status = %q", got)
	}
}

// TestInboxChooseCertificate: the certificate and key files are chosen
// with the file picker; a cancelled dialog changes nothing.
func TestInboxChooseCertificate(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0"})
	p := f.v.env.picker.(*fakePicker)
	p.files = []string{"/certs/ws.pem", "/certs/ws.key"}
	var choose []*widget.Button
	for _, o := range test.LaidOutObjects(f.v.cfg.content) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Choose…" {
			choose = append(choose, b)
		}
	}
	if len(choose) != 2 {
		t.Fatalf("%d Choose… buttons, want 2", len(choose))
	}
	test.Tap(choose[0])
	f.v.t.wait()
	test.Tap(choose[1])
	f.v.t.wait()
	test.Tap(choose[0]) // cancelled
	f.v.t.wait()
	if got := f.v.cfg.certFile.Text + " " + f.v.cfg.keyFile.Text; got != "/certs/ws.pem /certs/ws.key" {
		t.Errorf("files = %q", got)
	}
	if len(p.asked) != 3 || p.asked[0] != "Choose the listener's certificate" || p.asked[1] != "Choose the certificate's private key" {
		t.Errorf("dialogs asked: %q", p.asked)
	}
}

// TestInboxNoListener: without a listener the view says so.
func TestInboxNoListener(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	v := newInboxView(&viewEnv{win: w})
	w.SetContent(v)
	w.Resize(fyne.NewSize(900, 600))
	if got := texts(v); !strings.Contains(got, "The inbox listener is off") || !strings.Contains(got, "started without one") {
		t.Errorf("empty state:\n%s", got)
	}
	v.Toggle() // nothing to do, no panic
}

// TestInboxQueuedGolden renders the view with one item waiting, the
// listener stopped again so no port or count varies (the fixture's clock is
// fixed). It calls the view's actions directly: test.LaidOutObjects (under
// tapButton and texts) builds fresh renderers, which detaches a List from
// the one the canvas draws.
func TestInboxQueuedGolden(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0", Collections: []string{"shared"}})
	f.v.Toggle()
	f.v.t.wait()
	f.push(7, "shared")
	f.waitFor("the item", func() bool { return len(f.v.queue.items) == 1 })
	f.v.Toggle()
	f.v.t.wait()
	f.v.status.Info("")
	test.AssertRendersToMarkup(t, "inbox_queued.xml", f.win.Canvas())

	row := newQueueRow()
	row.set(f.v.queue, f.v.queue.items[0])
	row.Resize(fyne.NewSize(1100, row.MinSize().Height))
	test.AssertObjectRendersToMarkup(t, "inbox_queued_row.xml", row)
}

// TestInboxSelfSignedFingerprint: with HTTPS the view shows the
// certificate's fingerprint partners pin, with a Copy button.
func TestInboxSelfSignedFingerprint(t *testing.T) {
	f := newInboxFixture(t, app.ListenerConfig{Addr: "127.0.0.1:0", TLS: app.TLSSelfSigned})
	f.v.Toggle()
	f.v.t.wait()
	st := f.l.Status()
	if !st.Running || st.Fingerprint == "" {
		t.Fatalf("running %v, fingerprint %q: %v", st.Running, st.Fingerprint, st.Err)
	}
	if f.v.fingerprint.Text != st.Fingerprint || f.v.copyFP.Disabled() {
		t.Errorf("fingerprint shown %q (copy disabled %v), listener's %q", f.v.fingerprint.Text, f.v.copyFP.Disabled(), st.Fingerprint)
	}
	if !strings.HasPrefix(f.v.inboxURL.Text, "https://127.0.0.1:") {
		t.Errorf("inbox URL %q is not HTTPS", f.v.inboxURL.Text)
	}
	test.Tap(f.v.copyFP)
	if got := fyne.CurrentApp().Clipboard().Content(); got != st.Fingerprint {
		t.Errorf("clipboard = %q", got)
	}
}
