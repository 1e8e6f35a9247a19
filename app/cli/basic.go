package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/taxii-workstation/taxii-workstation/app"
)

func versionCommand() Command {
	return Command{
		Name:    "version",
		Summary: "print the program's version",
		Usage:   "",
		Run: func(_ context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return usagef("version takes no arguments")
			}
			fmt.Fprintf(env.Stdout, "%s %s\n", env.Meta.Name, env.Meta)
			return nil
		},
	}
}

func helpCommand() Command {
	return Command{
		Name:    "help",
		Summary: "list the commands, or show one command's usage",
		Usage:   "[COMMAND]",
		Run: func(ctx context.Context, env *Env, args []string) error {
			switch len(args) {
			case 0:
				printHelp(env.Stdout, env)
				return nil
			case 1:
				c, ok := lookup(args[0])
				if !ok {
					return usagef("unknown command %q", args[0])
				}
				if c.Name == "help" || c.Name == "version" {
					fmt.Fprintf(env.Stdout, "usage: taxii-workstation %s %s\n\n%s\n", c.Name, c.Usage, c.Summary)
					return nil
				}
				return c.Run(ctx, env, []string{"-h"})
			default:
				return usagef("help takes at most one command name")
			}
		},
	}
}

func printHelp(w io.Writer, env *Env) {
	fmt.Fprintf(w, "%s %s: exchange STIX threat intelligence over TAXII.\n\n", env.Meta.Name, env.Meta.Version)
	fmt.Fprintf(w, "usage:\n  taxii-workstation [--data DIR]            open the window\n  taxii-workstation [--data DIR] COMMAND ...  run one command without a window\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'taxii-workstation help COMMAND' for a command's options.\nData directory: %s (choose another with --data DIR or $%s).\n", env.DataDir, app.DataDirEnv)
}
