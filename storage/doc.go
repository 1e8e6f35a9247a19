// Package storage is the workstation's embedded cache: a Badger database
// behind a few domain methods. It imports neither Fyne nor taxii.
package storage
