package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// SecretsFileEnv names the environment variable that opts into keeping
// secrets in a file when no OS keyring is reachable (see --secrets-file).
const SecretsFileEnv = "TAXII_WORKSTATION_SECRETS_FILE"

// PasswordEnv and KeyPasswordEnv name the environment variables that carry
// a password or a key passphrase, so they stay out of shell history.
const (
	PasswordEnv    = "TAXII_PASSWORD"
	KeyPasswordEnv = "TAXII_KEY_PASSWORD"
)

// OpenConfig says how a command wants the application core opened.
type OpenConfig struct {
	// Logger receives the core's warnings (shown on stderr).
	Logger *slog.Logger
	// SecretsFallbackFile is the opted-in file for secrets when no OS
	// keyring is reachable ("" = keyring only).
	SecretsFallbackFile string
	// OnExchange, when set (--debug), receives every HTTP exchange of the
	// TAXII clients, credentials redacted.
	OnExchange func(*taxii.Exchange)
}

// openApp opens the core for a command: env.OpenApp when set (tests),
// otherwise the data directory on disk.
func openApp(ctx context.Context, env *Env, o OpenConfig) (*app.App, func() error, error) {
	if env.OpenApp != nil {
		return env.OpenApp(ctx, o)
	}
	return openDataDir(ctx, env.DataDir, o)
}

// openDataDir is the production opener: app.OpenDataDir, with a client
// factory that logs every exchange when --debug asked for it.
func openDataDir(ctx context.Context, dataDir string, o OpenConfig) (*app.App, func() error, error) {
	opts := app.OpenOptions{Logger: o.Logger, SecretsFallbackFile: o.SecretsFallbackFile}
	if o.OnExchange != nil {
		opts.NewClient = clientFactory(o.OnExchange)
	}
	op, err := app.OpenDataDir(ctx, dataDir, opts)
	if err != nil {
		return nil, nil, err
	}
	return op.App, op.Close, nil
}

// clientFactory is app.NewTAXIIClient with OnExchange set on the client.
func clientFactory(onExchange func(*taxii.Exchange)) app.ClientFactory {
	return func(p app.Profile, c app.Credentials, log *slog.Logger) (app.Client, error) {
		cl, err := app.NewTAXIIClient(p, c, log)
		if err != nil {
			return nil, err
		}
		if tc, ok := cl.(*taxii.Client); ok && onExchange != nil {
			tc.OnExchange = onExchange
		}
		return cl, nil
	}
}

// warnLogger returns a logger that prints warnings and errors to w as
// "warning: message (key=value ...)".
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(&warnHandler{w: w, mu: &sync.Mutex{}})
}

type warnHandler struct {
	w     io.Writer
	mu    *sync.Mutex
	attrs []slog.Attr
}

func (h *warnHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *warnHandler) Handle(_ context.Context, r slog.Record) error {
	var extra []string
	add := func(a slog.Attr) bool {
		extra = append(extra, a.Key+"="+a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	line := "warning: " + r.Message
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, ", ") + ")"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintln(h.w, line)
	return err
}

func (h *warnHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &warnHandler{w: h.w, mu: h.mu, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *warnHandler) WithGroup(string) slog.Handler { return h }
