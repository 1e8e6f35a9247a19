// Package apptest holds fakes of the application core's dependencies, so
// tests of the GUI and the command line need neither network nor Badger:
// Store (an in-memory cache with the same dedup and cursor rules as
// storage), Secrets (a map), Clock (time that moves only when told) and
// Client (a scripted TAXII server). NewApp wires them into an *app.App.
package apptest
