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

// defaultViews lists the sidebar's views in order. Views that later releases
// fill in say honestly that they are empty and why.
func defaultViews(dataDir string) []view {
	return []view{
		{ViewServers, theme.ComputerIcon(), newEmptyState(theme.ComputerIcon(), "No servers yet",
			"Partner TAXII servers will be listed here, with their services and collections. "+
				"Adding a server from the window is not available in this version yet.")},
		{ViewCache, theme.StorageIcon(), newEmptyState(theme.StorageIcon(), "The cache is empty",
			"Content blocks polled from your servers will be kept here for offline review. "+
				"Nothing has been received yet. Data directory: "+dataDir)},
		{ViewShare, theme.MailSendIcon(), newEmptyState(theme.MailSendIcon(), "Nothing shared yet",
			"Share STIX files with a partner's inbox from here. "+
				"Sharing from the window is not available in this version yet.")},
		{ViewInbox, theme.DownloadIcon(), newEmptyState(theme.DownloadIcon(), "The inbox listener is off",
			"Partners and hubs will be able to push content to this workstation. "+
				"The listener is not available in this version yet.")},
		{ViewSettings, theme.SettingsIcon(), newEmptyState(theme.SettingsIcon(), "No settings yet",
			"Theme, poll schedules and retention will be set here. Data directory: "+dataDir)},
	}
}
