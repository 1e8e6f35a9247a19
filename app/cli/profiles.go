package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/storage"
)

const profilesUsage = "add NAME --url URL [auth flags] [--secrets-file FILE] [--test]\n" +
	"       | list [--json] | show NAME [--json] | remove NAME"

// profileJSON is a profile in `profiles list/show --json`: never a secret,
// only the names of those kept in the keyring (or the opted-in file).
type profileJSON struct {
	app.Profile
	Auth          string                   `json:"auth"`
	Secrets       []string                 `json:"secrets"` // names only, never values
	Subscriptions []app.SubscriptionRecord `json:"subscriptions,omitempty"`
}

func toProfileJSON(p app.Profile) profileJSON {
	out := profileJSON{Profile: p, Auth: p.AuthSummary(), Secrets: []string{}}
	if p.Username != "" {
		out.Secrets = append(out.Secrets, "password")
	}
	if p.CertFile != "" || p.PKCS12File != "" {
		out.Secrets = append(out.Secrets, "key password")
	}
	if p.JWTURL != "" {
		out.Secrets = append(out.Secrets, "JWT password")
	}
	for _, h := range p.Headers {
		if h.Secret {
			out.Secrets = append(out.Secrets, "header "+h.Name)
		}
	}
	return out
}

func profilesCommand() Command {
	return Command{
		Name:    "profiles",
		Summary: "add, list, show or remove saved servers (then use --server NAME instead of --url and auth flags)",
		Usage:   profilesUsage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				return usagef("profiles needs a sub-command: add, list, show or remove")
			}
			switch args[0] {
			case "-h", "-help", "--help":
				fmt.Fprintf(env.Stdout, "usage: taxii-workstation profiles %s\n\n", profilesUsage)
				fmt.Fprintf(env.Stdout, "Passwords, key passphrases and --header values are kept in the OS keyring, never in the cache.\n"+
					"Where no keyring is reachable (a headless box), opt into a file instead with --secrets-file FILE\n"+
					"or $%s=FILE on every command that uses the profile; %s.\n\nflags of 'profiles add':\n", SecretsFileEnv, storage.FallbackWarning)
				fs := newFlagSet(env, "profiles add", "")
				addProfileFlags(fs)
				fs.SetOutput(env.Stdout)
				fs.PrintDefaults()
				return nil
			case "add":
				return profilesAdd(ctx, env, args[1:])
			case "list":
				return profilesList(ctx, env, args[1:])
			case "show":
				return profilesShow(ctx, env, args[1:])
			case "remove":
				return profilesRemove(ctx, env, args[1:])
			}
			return usagef("unknown sub-command %q: use add, list, show or remove", args[0])
		},
	}
}

func addProfileFlags(fs *flag.FlagSet) (*connFlags, *bool) {
	return addConnFlags(fs, false), fs.Bool("test", false, "after saving, test the connection (discovery)")
}

func profilesAdd(ctx context.Context, env *Env, args []string) error {
	const usage = "add NAME --url URL [auth flags] [--secrets-file FILE] [--test]"
	fs := newFlagSet(env, "profiles", usage)
	cf, test := addProfileFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	cf.noteSet(fs)
	if len(pos) != 1 {
		return usagef("profiles add needs exactly one NAME")
	}
	if err := cf.check(); err != nil {
		return err
	}
	p, c, err := cf.profile(env, pos[0])
	if err != nil {
		return err
	}
	if cf.insecure {
		fmt.Fprintf(env.Stderr, "warning: certificate verification will be OFF for %s (--insecure); every use will warn\n", pos[0])
	}
	a, closeFn, err := openApp(ctx, env, cf.openConfig(env))
	if err != nil {
		return explain(err)
	}
	defer closeFn()
	if err := a.AddProfile(ctx, p, c); err != nil {
		var ve *app.ValidationError
		if errors.As(err, &ve) {
			return usagef("%s", app.Explain(err))
		}
		if errors.Is(err, storage.ErrNoKeyring) {
			return explain(fmt.Errorf("%w\nNothing was saved. To keep this profile's secrets in a file instead, add --secrets-file FILE (or set %s=FILE) here and on every command that uses --server %s", err, SecretsFileEnv, p.Name))
		}
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "Saved profile %s (%s, auth: %s).\n", p.Name, p.DiscoveryURL, p.AuthSummary())
	if fb := cf.secretsFallback(env); fb != "" && len(toProfileJSON(p).Secrets) > 0 {
		if err := storage.NewSecrets(storage.SecretsOptions{}).Probe(ctx); errors.Is(err, storage.ErrNoKeyring) {
			fmt.Fprintf(env.Stderr, "note: no OS keyring is reachable, so its secrets are in %s: %s\n", fb, storage.FallbackWarning)
		}
	}
	if *test {
		rep, err := a.TestConnection(ctx, p.Name)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(env.Stdout, "Connection works: TAXII %s, %d services (%s).\n", rep.Version, len(rep.Services), rep.Took.Round(time.Millisecond))
	}
	return nil
}

func profilesList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "profiles", "list [--json]")
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("profiles list takes no arguments")
	}
	a, closeFn, err := openLocal(ctx, env, "")
	if err != nil {
		return err
	}
	defer closeFn()
	ps, err := a.ListProfiles(ctx)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		out := make([]profileJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, toProfileJSON(p))
		}
		return writeJSON(env.Stdout, out)
	}
	if len(ps) == 0 {
		fmt.Fprintln(env.Stdout, "No saved profiles; add one with 'taxii-workstation profiles add NAME --url URL'.")
		return nil
	}
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, []string{p.Name, p.DiscoveryURL, p.AuthSummary(), orDash(string(p.Version)), statusText(p.Status)})
	}
	return writeTable(env.Stdout, []string{"NAME", "URL", "AUTH", "TAXII", "LAST CONNECTION"}, rows)
}

func statusText(s app.ConnStatus) string {
	switch s.State {
	case app.Reachable:
		return "ok " + timeText(s.At)
	case app.Failing:
		return "failing " + timeText(s.At) + ": " + oneLine(s.Message, 60)
	}
	return "never tried"
}

func profilesShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "profiles", "show NAME [--json]")
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("profiles show needs exactly one NAME")
	}
	a, closeFn, err := openLocal(ctx, env, "")
	if err != nil {
		return err
	}
	defer closeFn()
	p, err := a.GetProfile(ctx, pos[0])
	if err != nil {
		return explain(err)
	}
	out := toProfileJSON(p)
	out.Subscriptions, _ = a.Subscriptions(ctx, p.Name)
	if *asJSON {
		return writeJSON(env.Stdout, out)
	}
	var headers []string
	for _, h := range p.Headers {
		headers = append(headers, h.Name)
	}
	var overrides []string
	for k, v := range p.ServiceAddresses {
		overrides = append(overrides, k+"="+v)
	}
	slices.Sort(overrides)
	timeout := ""
	if p.Timeout > 0 {
		timeout = p.Timeout.String()
	}
	insecure := ""
	if p.InsecureSkipVerify {
		insecure = "YES: certificate verification is off"
	}
	if err := writeFields(env.Stdout,
		"name", p.Name,
		"url", p.DiscoveryURL,
		"taxii", orDash(string(p.Version)),
		"auth", p.AuthSummary(),
		"username", p.Username,
		"certificate", p.CertFile+p.PKCS12File,
		"key", p.KeyFile,
		"jwt login", p.JWTURL,
		"headers", strings.Join(headers, ", "),
		"ca file", p.CAFile,
		"insecure", insecure,
		"proxy", p.Proxy,
		"timeout", timeout,
		"service overrides", strings.Join(overrides, ", "),
		"secrets", orDash(strings.Join(out.Secrets, ", "))+" (in the keyring or the opted-in secrets file; never shown)",
		"last connection", statusText(p.Status),
		"created", timeText(p.Created),
	); err != nil {
		return err
	}
	for _, s := range out.Subscriptions {
		fmt.Fprintf(env.Stdout, "subscription:       %s %s %s %s\n", s.Collection, s.ID, s.Status, s.InboxAddress)
	}
	return nil
}

func profilesRemove(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "profiles", "remove NAME [--secrets-file FILE]")
	secretsFile := fs.String("secrets-file", "", "the opted-in secrets `FILE`, if the profile's secrets are there")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("profiles remove needs exactly one NAME")
	}
	a, closeFn, err := openLocal(ctx, env, *secretsFile)
	if err != nil {
		return err
	}
	defer closeFn()
	if err := a.RemoveProfile(ctx, pos[0]); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "Removed profile %s and its secrets (its cached blocks stay; 'cache prune' removes old ones).\n", pos[0])
	return nil
}
