// Package app is the application core: server profiles, poll and sync jobs,
// sharing, the inbox listener's lifecycle and settings. The GUI (package ui)
// and the command line (package app/cli) both stand on it. It imports no Fyne.
package app
