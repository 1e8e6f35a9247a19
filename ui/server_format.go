package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/taxii-workstation/taxii-workstation/app"
)

// Words and numbers the servers views show, kept pure so tests can table them.

// bindingName names a content or message binding the way analysts say it.
func bindingName(id string) string {
	switch {
	case strings.HasPrefix(id, "urn:stix.mitre.org:xml:"):
		return "STIX " + strings.TrimPrefix(id, "urn:stix.mitre.org:xml:")
	case strings.HasPrefix(id, "urn:taxii.mitre.org:message:xml:"):
		return "TAXII XML " + strings.TrimPrefix(id, "urn:taxii.mitre.org:message:xml:")
	case strings.HasPrefix(id, "urn:cybox.mitre.org:xml:"):
		return "CybOX " + strings.TrimPrefix(id, "urn:cybox.mitre.org:xml:")
	case strings.HasPrefix(id, "urn:stix.mitre.org:json:"):
		return "STIX JSON " + strings.TrimPrefix(id, "urn:stix.mitre.org:json:")
	}
	return id
}

// bindingNames joins bindings; none means the server accepts any.
func bindingNames(ids []string) string {
	if len(ids) == 0 {
		return "any"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = bindingName(id)
	}
	return strings.Join(out, ", ")
}

// yesNo says yes, no or "not said" for an optional flag.
func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "—"
	case *b:
		return "yes"
	}
	return "no"
}

// count formats n with thousands separators: 12,345.
func thousands[T ~int | ~int64 | ~uint64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// srvBytes formats a byte count in binary units: 1.5 MiB.
func srvBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// stamp formats a time for tables: UTC to the minute, "—" when zero.
func utcStamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// every describes a schedule: "every 1h", "—" when none.
func scheduleText(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return "every " + shortDuration(d)
}

// shortDuration drops the zero units time.Duration prints: 1h, 1h30m, 90s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// countdown formats a remaining wait as m:ss.
func countdownText(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// connText says what a server's status dot means.
func connText(s app.ConnStatus) string {
	switch s.State {
	case app.Reachable:
		return "Reachable (tested " + utcStamp(s.At) + ")"
	case app.Failing:
		msg := "Failing (" + utcStamp(s.At) + ")"
		if s.Message != "" {
			msg += ": " + s.Message
		}
		return msg
	}
	return "Never tried: use Test connection to check the address and credentials"
}

// modeText names what a sync asked for.
func modeText(r app.SyncRequest) string {
	var s string
	switch r.Mode {
	case app.SinceLast:
		s = "since last"
	case app.Everything:
		s = "everything"
	case app.Window:
		switch {
		case r.Begin.IsZero() && r.End.IsZero():
			s = "everything"
		case r.End.IsZero():
			s = "from " + utcStamp(r.Begin)
		case r.Begin.IsZero():
			s = "up to " + utcStamp(r.End)
		default:
			s = utcStamp(r.Begin) + " to " + utcStamp(r.End)
		}
	default:
		s = string(r.Mode)
	}
	if r.CountOnly {
		s = "count only, " + s
	}
	return s
}

// jobTitle is the first line of an activity row.
func jobTitle(j app.Job) string {
	t := j.Request.Server + " / " + j.Request.Collection + " (" + modeText(j.Request) + ")"
	if j.Scheduled {
		t += " · scheduled"
	}
	return t
}

// progressText is parts, blocks and bytes so far.
func progressText(p app.Progress) string {
	s := fmt.Sprintf("%s parts · %s blocks", thousands(p.Parts), thousands(p.Blocks))
	if p.Parts == 1 {
		s = fmt.Sprintf("1 part · %s blocks", thousands(p.Blocks))
	}
	if rc := p.RecordCount; rc != nil {
		of := thousands(rc.Count)
		if rc.Partial {
			of = "at least " + of
		}
		s += " of " + of
	}
	return s + " · " + srvBytes(p.Bytes)
}

// jobStatus is the second line of an activity row: progress, the PENDING
// countdown, or how the job ended.
func jobStatus(j app.Job) string {
	p := j.Progress
	switch j.State {
	case app.StateWaiting:
		return fmt.Sprintf("The server is preparing the result: asking again in %s (of %s) · %s",
			countdownText(p.Remaining), countdownText(p.WaitTotal), progressText(p))
	case app.StateRunning:
		if p.Parts == 0 {
			return "Asking the server…"
		}
		return progressText(p)
	case app.StateDone:
		if j.Request.CountOnly {
			return "Done: " + recordsText(p.RecordCount)
		}
		s := fmt.Sprintf("Done: %s new, %s already cached · %s", thousands(p.New), thousands(p.Known), progressText(p))
		if r := j.Result; r != nil && r.CursorMoved {
			s += " · cached up to " + utcStamp(r.Cursor)
		}
		return s
	case app.StateCanceled:
		return fmt.Sprintf("Cancelled after %s new blocks; the next poll continues from the last complete result", thousands(p.New))
	case app.StateFailed:
		return "Failed: " + j.Error
	}
	return string(j.State)
}

func recordsText(rc *app.RecordCount) string {
	if rc == nil {
		return "the server did not say how many records there are"
	}
	if rc.Partial {
		return "at least " + thousands(rc.Count) + " records"
	}
	if rc.Count == 1 {
		return "1 record"
	}
	return thousands(rc.Count) + " records"
}

// fraction is how far a job is, when the server said how many records to
// expect; ok is false when the bar must be indeterminate.
func jobFraction(j app.Job) (f float64, ok bool) {
	p := j.Progress
	if j.State.Final() {
		return 1, true
	}
	if p.RecordCount == nil || p.RecordCount.Partial || p.RecordCount.Count == 0 || j.Request.CountOnly {
		return 0, false
	}
	return min(float64(p.Blocks)/float64(p.RecordCount.Count), 1), true
}

// notification is what the desktop notification says when a job ends.
func jobNotification(j app.Job) (title, content string) {
	where := j.Request.Server + " / " + j.Request.Collection
	switch j.State {
	case app.StateDone:
		if j.Request.CountOnly {
			return "Count finished", where + ": " + recordsText(j.Progress.RecordCount)
		}
		return "Poll finished", fmt.Sprintf("%s: %s new blocks", where, thousands(j.Progress.New))
	case app.StateCanceled:
		return "Poll cancelled", where
	}
	return "Poll failed", where + ": " + j.Error
}
