package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// View names, as shown in the sidebar and remembered in settings.
const (
	ViewServers  = "Servers"
	ViewCache    = "Cache"
	ViewShare    = "Share"
	ViewInbox    = "Inbox"
	ViewSettings = "Settings"
)

// view is one entry of the sidebar and the screen it shows.
type view struct {
	name    string
	icon    fyne.Resource
	content fyne.CanvasObject
}

// views holds the main window's screens, typed so menus and shortcuts can
// reach the actions they trigger.
type views struct {
	servers  *serversView
	cache    *cacheView
	share    *shareView
	inbox    *inboxView
	settings *settingsView
}

func newViews(env *viewEnv) *views {
	vs := &views{
		servers:  newServersView(env),
		cache:    newCacheView(env),
		share:    newShareView(env),
		inbox:    newInboxView(env),
		settings: newSettingsView(env),
	}
	// Views hand work to each other: blocks from the cache to sharing, a
	// server's collection to the cache.
	vs.cache.shareTo = func(items []app.PushItem) {
		env.show(ViewShare)
		vs.share.AddItems(items)
	}
	vs.servers.OpenInCache = func(server, collection string) {
		env.show(ViewCache)
		vs.cache.OpenCollection(server, collection)
	}
	vs.inbox.OpenInCache = vs.cache.OpenCollection // the Inbox view switches to the Cache view itself
	return vs
}

// sidebar lists the views in sidebar order.
func (v *views) sidebar() []view {
	return []view{
		{ViewServers, theme.ComputerIcon(), v.servers},
		{ViewCache, theme.StorageIcon(), v.cache},
		{ViewShare, theme.MailSendIcon(), v.share},
		{ViewInbox, theme.DownloadIcon(), v.inbox},
		{ViewSettings, theme.SettingsIcon(), v.settings},
	}
}
