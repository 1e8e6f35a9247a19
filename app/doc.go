// Package app is the application core: server profiles, poll and sync jobs,
// sharing, the inbox listener's lifecycle and settings. The GUI (package ui)
// and the command line (package app/cli) both stand on it. It imports no Fyne.
//
// An App is built with New from explicit dependencies: a Store (the cache;
// *storage.Store), a Secrets keeper (the OS keyring), a ClientFactory that
// makes a TAXII client for a profile (NewTAXIIClient), a Clock and a logger.
// There is no global state. Changes are published to subscribers (Subscribe)
// on the goroutine that made them, never while a lock is held.
//
// # Sync and the cursor
//
// A sync polls one collection and stores what arrives part by part through
// Store.CommitPart. Each collection has a cursor: where the next since-last
// sync begins (its Exclusive_Begin_Timestamp). The rule, from the field
// notes:
//
//   - The next begin is the response's Inclusive_End_Timestamp (the latest
//     of all parts); when the server sent none, the newest Timestamp_Label
//     received; never the local clock, which drifts from the server's.
//   - The cursor moves only together with the data it covers: intermediate
//     parts of a multi-part result commit their blocks only; the final part
//     commits its blocks and the new cursor in one transaction. A crash or
//     a cancel therefore never leaves the cursor ahead of stored data, and
//     the next sync re-asks from the old cursor; blocks already stored are
//     recognised by content hash (known, not new), so re-syncs are idempotent.
//   - A window sync moves the cursor only when the window leaves no gap
//     behind the stored data (no begin, or a begin not after the cursor).
//     COUNT_ONLY stores nothing and never moves it. The cursor only moves
//     forward; ResetCursor forgets it.
//   - Begin times are rounded down (end times up) to the profile's
//     timestamp precision, for servers that reject fractional seconds.
package app
