package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// connFlags are the flags that say which server to talk to and how:
// --server NAME (a saved profile) or --url URL with the auth flags.
type connFlags struct {
	server, url                            string
	username, password                     string
	cert, key, keyPassword, caCert, jwtURL string
	proxy, version                         string
	insecure, debug                        bool
	timeout                                time.Duration
	headers                                headerFlag
	secretsFile                            string
	set                                    map[string]bool // auth flags given
	withServer                             bool
}

// headerFlag collects repeated --header 'Name: value' flags.
type headerFlag []app.Header

func (h *headerFlag) String() string { return "" }

func (h *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("%q is not a header like 'X-API-Key: value'", s)
	}
	*h = append(*h, app.Header{Name: name, Value: strings.TrimSpace(value), Secret: true})
	return nil
}

// authFlagNames are the flags that describe a connection; with --server
// they are refused (the profile has them).
var authFlagNames = []string{"url", "username", "password", "cert", "key", "key-password", "ca-cert", "insecure",
	"jwt-auth", "header", "proxy", "taxii", "timeout"}

// addConnFlags registers the connection flags on fs. withServer adds
// --server NAME (every command but `profiles add`).
func addConnFlags(fs *flag.FlagSet, withServer bool) *connFlags {
	cf := &connFlags{withServer: withServer}
	if withServer {
		fs.StringVar(&cf.server, "server", "", "`NAME` of a saved profile (see 'profiles'), instead of --url and the auth flags")
	}
	fs.StringVar(&cf.url, "url", "", "the server's discovery `URL`, or the address of the service itself")
	fs.StringVar(&cf.username, "username", "", "user `NAME` for HTTP basic auth (or for the --jwt-auth login)")
	fs.StringVar(&cf.password, "password", "", "`PASSWORD` (visible in shell history: prefer $"+PasswordEnv+" or the prompt)")
	fs.StringVar(&cf.cert, "cert", "", "client certificate `FILE` (PEM, or a PKCS#12 .p12/.pfx bundle)")
	fs.StringVar(&cf.key, "key", "", "client key `FILE` (PEM; may be encrypted)")
	fs.StringVar(&cf.keyPassword, "key-password", "", "`PASSPHRASE` of the key or PKCS#12 bundle (prefer $"+KeyPasswordEnv+")")
	fs.StringVar(&cf.caCert, "ca-cert", "", "CA certificate `FILE` (PEM) trusted in addition to the system's")
	fs.BoolVar(&cf.insecure, "insecure", false, "do not verify the server's certificate (dangerous; warned about on every use)")
	fs.StringVar(&cf.jwtURL, "jwt-auth", "", "log in at this token `URL` with --username/--password and send the JWT as a bearer token")
	fs.Var(&cf.headers, "header", "extra HTTP header `'Name: value'`, e.g. an API key (repeatable; kept in the keyring in profiles)")
	fs.StringVar(&cf.proxy, "proxy", "", "proxy `URL`, or \"direct\" for none (default: from the environment)")
	fs.StringVar(&cf.version, "taxii", "", "force the TAXII `VERSION` 1.0 or 1.1 (default: detected by discovery)")
	fs.DurationVar(&cf.timeout, "timeout", 0, "bound each request by this `DURATION`, e.g. 30s (default: the client's)")
	fs.BoolVar(&cf.debug, "debug", false, "print every HTTP exchange (credentials redacted) to stderr")
	fs.StringVar(&cf.secretsFile, "secrets-file", "", "opt in: keep secrets in this `FILE` (unencrypted, mode 0600) when no OS keyring is reachable; or set $"+SecretsFileEnv)
	return cf
}

// noteSet records which flags were given, after parsing.
func (cf *connFlags) noteSet(fs *flag.FlagSet) {
	cf.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cf.set[f.Name] = true })
}

// check validates the combination of flags (usage errors).
func (cf *connFlags) check() error {
	if cf.server != "" {
		for _, n := range authFlagNames {
			if cf.set[n] {
				return usagef("--%s cannot be combined with --server (the profile says how to connect; change it with 'profiles')", n)
			}
		}
		return nil
	}
	if cf.url == "" {
		if cf.withServer {
			return usagef("say which server: --url URL (with auth flags) or --server NAME")
		}
		return usagef("--url is required")
	}
	if err := checkURL("--url", cf.url); err != nil {
		return err
	}
	if cf.jwtURL != "" {
		if err := checkURL("--jwt-auth", cf.jwtURL); err != nil {
			return err
		}
	}
	switch cf.version {
	case "", "1.0", "1.1":
	default:
		return usagef("--taxii must be 1.0 or 1.1, not %q", cf.version)
	}
	if cf.timeout < 0 {
		return usagef("--timeout must be positive")
	}
	if cf.key != "" && cf.cert == "" {
		return usagef("--key needs --cert")
	}
	return nil
}

func checkURL(flagName, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("%s %q is not an http:// or https:// URL, e.g. https://taxii.example.org/taxii-discovery-service", flagName, raw)
	}
	return nil
}

// profile builds the profile and credentials the auth flags describe.
// Passwords come from the flag, then the environment, then a prompt on a
// terminal.
func (cf *connFlags) profile(env *Env, name string) (app.Profile, app.Credentials, error) {
	p := app.Profile{
		Name: name, DiscoveryURL: cf.url, Version: app.TAXIIVersion(cf.version),
		CAFile: cf.caCert, InsecureSkipVerify: cf.insecure, Proxy: cf.proxy, Timeout: cf.timeout,
		Headers: cf.headers,
	}
	var c app.Credentials
	if len(cf.headers) > 0 {
		c.Headers = map[string]string{}
		for i, h := range cf.headers {
			c.Headers[h.Name] = h.Value
			p.Headers[i].Value = ""
		}
	}
	switch ext := strings.ToLower(cf.cert); {
	case strings.HasSuffix(ext, ".p12") || strings.HasSuffix(ext, ".pfx"):
		p.PKCS12File = cf.cert
	default:
		p.CertFile, p.KeyFile = cf.cert, cf.key
	}
	if cf.cert != "" {
		c.KeyPassword = cf.keyPassword
		if c.KeyPassword == "" {
			c.KeyPassword = env.Getenv(KeyPasswordEnv)
		}
	}
	if cf.username != "" {
		pw, err := cf.passwordFor(env)
		if err != nil {
			return p, c, err
		}
		if cf.jwtURL != "" {
			p.JWTURL, p.JWTUsername, c.JWTPassword = cf.jwtURL, cf.username, pw
		} else {
			p.Username, c.Password = cf.username, pw
		}
	} else if cf.jwtURL != "" {
		return p, c, usagef("--jwt-auth needs --username (and a password)")
	}
	return p, c, nil
}

func (cf *connFlags) passwordFor(env *Env) (string, error) {
	if cf.password != "" {
		return cf.password, nil
	}
	if pw := env.Getenv(PasswordEnv); pw != "" {
		return pw, nil
	}
	pw, ok, err := promptPassword(env, fmt.Sprintf("Password for %s: ", cf.username))
	if err != nil {
		return "", fmt.Errorf("cannot read the password: %w", err)
	}
	if !ok {
		fmt.Fprintf(env.Stderr, "warning: no password for %s (give --password, set $%s, or run on a terminal to be asked); sending an empty one\n", cf.username, PasswordEnv)
	}
	return pw, nil
}

// promptPassword asks on the terminal without echo; ok is false when there
// is no terminal to ask on.
func promptPassword(env *Env, prompt string) (string, bool, error) {
	if env.ReadPassword != nil {
		pw, err := env.ReadPassword(prompt)
		return pw, err == nil, err
	}
	f, isFile := env.Stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return "", false, nil
	}
	fmt.Fprint(env.Stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	return string(b), err == nil, err
}

func (cf *connFlags) secretsFallback(env *Env) string {
	if cf.secretsFile != "" {
		return cf.secretsFile
	}
	return env.Getenv(SecretsFileEnv)
}

// session is an opened core and the server a command talks to.
type session struct {
	app    *app.App
	server string // profile name (ad hoc: the URL's host)
	adHoc  bool
	close  func() error
}

// connect opens the core and registers the server: the saved profile of
// --server, or an ad-hoc profile from --url and the auth flags. need is the
// service the command uses: when --url turns out to be that service itself
// (it refuses discovery), it is used as the service's address.
// parseConnFlags parses the flags of a command that takes the connection
// flags and no positional arguments.
func parseConnFlags(fs *flag.FlagSet, cf *connFlags, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cf.noteSet(fs)
	return nil
}

func connect(ctx context.Context, env *Env, cf *connFlags, need taxii.ServiceType) (*session, error) {
	if err := cf.check(); err != nil {
		return nil, err
	}
	var p app.Profile
	var c app.Credentials
	if cf.server == "" {
		var err error
		if p, c, err = cf.profile(env, ""); err != nil {
			return nil, err
		}
		if cf.insecure {
			fmt.Fprintf(env.Stderr, "warning: certificate verification is OFF for %s (--insecure): anyone on the network path can read and change this exchange\n", cf.url)
		}
	}
	a, closeFn, err := openApp(ctx, env, cf.openConfig(env))
	if err != nil {
		return nil, explain(err)
	}
	s := &session{app: a, close: closeFn, server: cf.server}
	if cf.server != "" {
		if _, err := a.GetProfile(ctx, cf.server); err != nil {
			s.close()
			return nil, explain(err)
		}
		return s, nil
	}
	s.adHoc = true
	if s.server, err = a.UseAdHoc(p, c); err != nil {
		s.close()
		return nil, adHocError(err)
	}
	if need == "" || need == taxii.ServiceDiscovery {
		return s, nil
	}
	// Find out whether --url is a discovery service; if it refuses
	// discovery, it is the service itself.
	if _, err := a.Discover(ctx, s.server); err != nil {
		var se *taxii.StatusError
		var he *taxii.HTTPError
		if !errors.As(err, &se) && !(errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500) {
			s.close()
			return nil, explain(err)
		}
		if se != nil && se.Type == taxii.StatusUnauthorized {
			s.close()
			return nil, explain(err)
		}
		p.ServiceAddresses = map[string]string{string(need): cf.url}
		if _, err := a.UseAdHoc(p, c); err != nil {
			s.close()
			return nil, adHocError(err)
		}
	}
	return s, nil
}

func adHocError(err error) error {
	var ve *app.ValidationError
	if errors.As(err, &ve) {
		return usagef("%s", app.Explain(err))
	}
	return explain(err)
}

func (cf *connFlags) openConfig(env *Env) OpenConfig {
	o := OpenConfig{Logger: warnLogger(env.Stderr), SecretsFallbackFile: cf.secretsFallback(env)}
	if cf.debug {
		var mu sync.Mutex
		o.OnExchange = func(ex *taxii.Exchange) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(env.Stderr, "--- exchange ---\n%s\n", strings.TrimRight(ex.Dump(debugBodyBytes), "\n"))
		}
	}
	return o
}

// debugBodyBytes caps each body shown by --debug.
const debugBodyBytes = 4096

// openLocal opens the core for a command that only reads or changes the
// cache or the profiles (no server).
func openLocal(ctx context.Context, env *Env, secretsFile string) (*app.App, func() error, error) {
	if secretsFile == "" {
		secretsFile = env.Getenv(SecretsFileEnv)
	}
	a, closeFn, err := openApp(ctx, env, OpenConfig{Logger: warnLogger(env.Stderr), SecretsFallbackFile: secretsFile})
	if err != nil {
		return nil, nil, explain(err)
	}
	return a, closeFn, nil
}
