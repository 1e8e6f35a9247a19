package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
	"github.com/taxii-workstation/taxii-workstation/taxii"
)

// ListenerPasswordEnv carries the password of `listen --user`, so it stays
// out of the command line and shell history.
const ListenerPasswordEnv = "TAXII_LISTENER_PASSWORD"

// listStringFlag collects a repeatable flag.
type listStringFlag []string

func (l *listStringFlag) String() string { return strings.Join(*l, ",") }

func (l *listStringFlag) Set(s string) error {
	for _, v := range splitList(s) {
		*l = append(*l, v)
	}
	return nil
}

func listenCommand() Command {
	const usage = "[--addr HOST:PORT] [--tls-cert FILE --tls-key FILE | --self-signed] [--user NAME] [--collection NAME]...\n" +
		"       [--max-size BYTES] [--auto-accept] [--advertise URL]"
	return Command{
		Name:    "listen",
		Summary: "run the TAXII inbox listener in the foreground, storing what partners push in the cache (Ctrl-C stops)",
		Usage:   usage,
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, "listen", usage)
			addr := fs.String("addr", app.DefaultListenerAddr, "`HOST:PORT` to bind; anything but loopback needs --user")
			certFile := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (with --tls-key)")
			keyFile := fs.String("tls-key", "", "PEM private key `FILE` of --tls-cert")
			selfSigned := fs.Bool("self-signed", false, "serve HTTPS with a certificate generated on first use and kept in the data directory")
			user := fs.String("user", "", "accept pushes only from this account `NAME`; the password comes from $"+ListenerPasswordEnv+" or a prompt")
			var collections listStringFlag
			fs.Var(&collections, "collection", "a destination collection `NAME` senders may name (repeat, or comma-separate)")
			maxSize := fs.Int64("max-size", app.DefaultListenerMaxBytes, "largest message accepted, in `BYTES`")
			autoAccept := fs.Bool("auto-accept", false, "put received content straight into its collection instead of the review queue")
			advertise := fs.String("advertise", "", "base `URL` partners reach this listener at (behind NAT or a proxy)")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return usagef("unexpected argument %q", fs.Arg(0))
			}
			cfg := app.ListenerConfig{Addr: *addr, AdvertiseURL: *advertise, Collections: collections,
				MaxBytes: *maxSize, AutoAccept: *autoAccept}
			switch {
			case *selfSigned && (*certFile != "" || *keyFile != ""):
				return usagef("use either --self-signed or --tls-cert/--tls-key, not both")
			case *selfSigned:
				cfg.TLS = app.TLSSelfSigned
			case *certFile != "" || *keyFile != "":
				if *certFile == "" || *keyFile == "" {
					return usagef("--tls-cert and --tls-key go together")
				}
				cfg.TLS, cfg.CertFile, cfg.KeyFile = app.TLSFiles, *certFile, *keyFile
			}
			if *maxSize <= 0 {
				return usagef("--max-size must be positive")
			}
			if *user != "" {
				pw, err := listenerPassword(env, *user)
				if err != nil {
					return err
				}
				if cfg, err = cfg.WithAccount(*user, pw); err != nil {
					return usagef("%v", err)
				}
			}
			if err := cfg.Check(); err != nil {
				return usagef("%s", strings.TrimPrefix(err.Error(), "app: listener settings: "))
			}
			a, closeFn, err := openLocal(ctx, env, "")
			if err != nil {
				return err
			}
			defer closeFn()
			l, err := app.NewListener(a, app.ListenerOptions{DataDir: env.DataDir, Config: &cfg})
			if err != nil {
				return explain(err)
			}
			out := &lockedWriter{w: env.Stdout}
			defer l.SubscribeListener(func(ev app.ListenerEvent) { logListenerEvent(out, ev) })()
			if err := l.Start(ctx); err != nil {
				return explain(err)
			}
			st := l.Status()
			out.printf("Listening on %s (TLS: %s)\n", st.Addr, st.TLS)
			out.printf("Discovery: %s\nInbox:     %s\n", st.URL, st.InboxURL)
			if st.Fingerprint != "" {
				out.printf("Certificate SHA-256 fingerprint (partners pin this): %s\n", st.Fingerprint)
			}
			if len(collections) > 0 {
				out.printf("Destination collections: %s\n", strings.Join(collections, ", "))
			}
			if *autoAccept {
				out.printf("Received content goes straight into its collection (--auto-accept).\n")
			} else {
				out.printf("Received content waits in the review queue (Inbox, unreviewed).\n")
			}
			for _, w := range st.Warnings {
				fmt.Fprintf(env.Stderr, "warning: %s\n", w)
			}
			<-ctx.Done()
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			err = l.Close(stopCtx)
			final := l.Status()
			out.printf("Stopped: %d message(s), %d block(s) stored.\n", final.Messages, final.Blocks)
			return explain(err)
		},
	}
}

// listenerPassword reads the account's password from the environment or a
// terminal prompt, never from the command line.
func listenerPassword(env *Env, user string) (string, error) {
	if pw := env.Getenv(ListenerPasswordEnv); pw != "" {
		return pw, nil
	}
	pw, ok, err := promptPassword(env, fmt.Sprintf("Password senders must give for %s: ", user))
	if err != nil {
		return "", fmt.Errorf("cannot read the password: %w", err)
	}
	if !ok || pw == "" {
		return "", usagef("--user %s needs a password: set $%s or run on a terminal to be asked", user, ListenerPasswordEnv)
	}
	return pw, nil
}

// lockedWriter serialises log lines written from request goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// logListenerEvent prints one line per request and per stored message.
func logListenerEvent(out *lockedWriter, ev app.ListenerEvent) {
	ts := ev.Time.UTC().Format(time.RFC3339)
	switch ev.Kind {
	case app.ListenerRequest:
		r := ev.Request
		status := string(r.Status)
		if status == "" {
			status = "OK" // a discovery answer
		}
		line := fmt.Sprintf("%s %s %s %s", ts, strings.ToLower(string(r.Service)), r.Sender.String(), status)
		if r.Service == taxii.ServiceInbox && r.Blocks > 0 {
			line += fmt.Sprintf(" %d block(s)", r.Blocks)
		}
		if len(r.Destinations) > 0 {
			line += " to " + strings.Join(r.Destinations, ",")
		}
		if r.Subscription != nil {
			line += " subscription " + r.Subscription.SubscriptionID
		}
		if r.Status != taxii.StatusSuccess && r.Message != "" {
			line += ": " + oneLine(r.Message, 160)
		}
		out.printf("%s\n", line)
	case app.ContentArrived:
		a := ev.Arrival
		where := a.Server + "/" + a.Collection
		state := "waiting for review (accepting lists it in " + where + ")"
		if a.AutoAccepted {
			state = "accepted into " + where
		}
		sub := ""
		if a.Subscription != "" {
			sub = ", subscription " + a.Subscription
		}
		out.printf("%s received %d block(s) (%d new) from %s, message %s%s: %s\n", ts, a.Blocks, a.New, a.Sender, a.MessageID, sub, state)
	case app.ListenerFailed:
		out.printf("%s listener failed: %v\n", ts, ev.Err)
	}
}

// Compile-time check that the flag type satisfies flag.Value.
var _ flag.Value = (*listStringFlag)(nil)
