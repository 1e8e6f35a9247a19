// Package cli is the workstation's command-line front end: the same binary
// run with arguments executes one command and exits, without initialising
// the GUI, so it works over SSH, in scripts and in CI.
//
// Adding a command: write it in its own file as a function returning a
// Command, and add one line to the table in commands.go. A command parses its
// own flags with newFlagSet, prints results to Env.Stdout (a readable table
// by default, JSON with --json) and returns an error: a *UsageError (exit
// status 2) for bad arguments, any other error (exit status 1) for a
// failure, explained in words on Env.Stderr.
package cli
