// Command taxii-workstation is TAXII Workstation: with no command it opens
// the window; with a command (see `taxii-workstation help`) it runs that
// command without initialising the GUI.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/app/cli"
	"github.com/taxii-workstation/taxii-workstation/icons"
	"github.com/taxii-workstation/taxii-workstation/ui"
)

//go:embed FyneApp.toml
var fyneAppTOML []byte

func main() {
	meta, err := app.ParseMetadata(fyneAppTOML)
	if err != nil {
		fail(cli.ExitFailure, err)
	}
	global, command, err := cli.ParseGlobal(os.Args[1:])
	if err != nil {
		fail(cli.ExitUsage, err)
	}
	dataDir, err := app.ResolveDataDir(global.Data, os.Getenv, meta.ID)
	if err != nil {
		fail(cli.ExitFailure, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(command) > 0 {
		env := &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Meta: meta, DataDir: dataDir}
		code := cli.Run(ctx, env, command)
		stop()
		os.Exit(code)
	}

	fyneapp.SetMetadata(ui.FyneMetadata(meta, icons.App()))
	a := fyneapp.NewWithID(meta.ID)
	core, err := app.OpenDataDir(ctx, dataDir, app.OpenOptions{})
	if err != nil {
		ui.RunStartupError(a, meta, err)
		os.Exit(cli.ExitFailure)
	}
	defer core.Close()
	go core.Run(ctx) // schedules and cache housekeeping while the window is open
	w := ui.NewMainWindow(a, core.App, ui.Options{Meta: meta, Icon: icons.App(), DataDir: dataDir, Listener: core.Listener})
	w.QuitWhenDone(ctx)
	w.ShowAndRun()
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, "taxii-workstation:", err)
	os.Exit(code)
}
