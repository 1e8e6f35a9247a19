package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Exit statuses of Run.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what a command may touch of the outside world. Tests fill it with
// buffers and a map-backed Getenv.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Meta           app.Metadata
	// DataDir is the resolved data directory (see Global).
	DataDir string
	// OpenApp, when set, opens the application core instead of the data
	// directory on disk (tests: a core over an in-memory cache). The
	// returned function closes it.
	OpenApp func(ctx context.Context, o OpenConfig) (*app.App, func() error, error)
	// ReadPassword, when set, asks the user for a password instead of the
	// terminal on Stdin (tests).
	ReadPassword func(prompt string) (string, error)
}

// Command is one sub-command of the command line.
type Command struct {
	Name    string
	Summary string // one line for `help`
	Usage   string // argument synopsis, after the command name
	Run     func(ctx context.Context, env *Env, args []string) error
}

// UsageError reports bad arguments; Run prints it with the command's usage and exits 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// Global holds the options that come before the command name.
type Global struct {
	// Data is the --data value ("" when not given).
	Data string
}

// ParseGlobal splits the global options (--data DIR) from the command and
// its arguments. An empty rest means no command: the caller starts the GUI.
func ParseGlobal(args []string) (g Global, rest []string, err error) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--data" || a == "-data":
			if len(args) < 2 {
				return g, nil, usagef("--data needs a directory")
			}
			g.Data, args = args[1], args[2:]
		case strings.HasPrefix(a, "--data="):
			g.Data, args = strings.TrimPrefix(a, "--data="), args[1:]
		case a == "--":
			return g, args[1:], nil
		case strings.HasPrefix(a, "-") && a != "-h" && a != "--help" && a != "-help" && a != "--version":
			return g, nil, usagef("unknown global option %s (global options: --data DIR)", a)
		default:
			return g, args, nil
		}
	}
	return g, nil, nil
}

// Run executes the command named by args[0] and returns the process exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		printHelp(env.Stderr, env)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help":
		name = "help"
	case "--version":
		name = "version"
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(env.Stderr, "taxii-workstation: unknown command %q\nRun 'taxii-workstation help' for the list of commands.\n", args[0])
		return ExitUsage
	}
	err := cmd.Run(ctx, env, args[1:])
	var ue *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "taxii-workstation %s: %s\nusage: taxii-workstation %s %s\n", cmd.Name, ue.Msg, cmd.Name, cmd.Usage)
		return ExitUsage
	default:
		fmt.Fprintf(env.Stderr, "taxii-workstation %s: %s\n", cmd.Name, err)
		return ExitFailure
	}
}

func lookup(name string) (Command, bool) {
	for _, c := range commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// newFlagSet returns a flag set that reports errors as *UsageError instead
// of printing and exiting, and prints -h help to env.Stdout.
func newFlagSet(env *Env, cmd string, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "usage: taxii-workstation %s %s\n", cmd, usage)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args with fs: -h prints the command's help once (to
// stdout) and returns flag.ErrHelp; a bad flag becomes a *UsageError without
// the help (Run prints the synopsis to stderr). flag.FlagSet would call Usage
// itself on both, so it is silenced during Parse.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	case err != nil:
		return usagef("%v", err)
	}
	return nil
}
