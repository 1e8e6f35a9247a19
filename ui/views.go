package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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
	return &views{
		servers:  newServersView(env),
		cache:    newCacheView(env),
		share:    newShareView(env),
		inbox:    newInboxView(env),
		settings: newSettingsView(env),
	}
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
