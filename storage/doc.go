// Package storage is the workstation's embedded cache: a Badger database
// behind a few domain methods, plus Secrets over the OS keyring. It imports
// neither Fyne nor taxii; the app maps protocol types onto the plain types
// here.
//
// # Guarantees
//
// A poll part's blocks, their sightings and the cursor move commit in one
// Badger transaction (CommitPart). A part too big for one transaction is
// split so that every block lands whole in one of them and the cursor moves
// in the last, so after a crash the cursor never points past stored data and
// the next sync resumes from it. Re-committing blocks is idempotent.
//
// Content is stored once, keyed by its SHA-256; each place a block was seen
// is a sighting, so Provenance can say "seen in 3 collections on 2 servers".
// Listings read only metadata, never content.
//
// Tables use ZSTD. Value-log GC runs on demand (GC) or in a loop (RunGC).
// Retention is keep-forever unless Prune is called. A schema version key
// and an ordered list of migrations upgrade old caches on Open. A second
// opener of the same directory gets ErrLocked.
//
// # Key layout
//
// Every key starts with one prefix byte naming the record kind. Strings are
// followed by a 0x00 terminator (names containing NUL are rejected), so
// "feed1" never prefixes "feed12". Times are big-endian uint64 nanoseconds
// since 1970 (earlier times clamp to 0), so byte order is time order and a
// reverse prefix iterator lists newest first. sha256 is the 32-byte SHA-256
// of the content; as a key suffix it makes re-polls idempotent.
//
//	'!' "schema"                                  -> uint32 BE schema version
//	'P' name 0x00                                 -> JSON Profile (no secrets)
//	'S' server 0x00                               -> JSON ServicesSnapshot
//	'C' server 0x00                               -> JSON CollectionsSnapshot
//	'U' server 0x00 collection 0x00               -> JSON Cursor
//	'K' sha256                                    -> content bytes, as received
//	'M' sha256                                    -> JSON BlockMeta (size, binding, first/last seen, title)
//	'W' sha256 'p' server 0x00 collection 0x00    -> JSON Sighting (one per block per collection)
//	'W' sha256 'l' BE(received)                   -> JSON Sighting (one per listener arrival)
//	'B' server 0x00 collection 0x00 BE(t) sha256  -> empty; t = timestamp label, else first received
//	'L' BE(received) sha256                       -> 1 byte review state
//	'Q' state BE(received) sha256                 -> empty (review queue index)
//	'X' BE(sent) 8 random bytes                   -> JSON Receipt
//	'G'                                           -> 3 x uint64 BE: blocks, content bytes, sightings
//	'N' server 0x00 collection 0x00               -> uint64 BE: entries listed in the collection
//
// 'B' lists a collection (reverse prefix scan, then point reads of 'W' and
// 'M'); 'W' answers provenance; 'L' and 'Q' list listener arrivals, all or
// by review state. 'G' and 'N' are updated in the same transaction as the
// records they count, so stats and per-collection counts cost one read.
//
// Values are decoded inside Item.Value callbacks (the slice is only valid
// there); ErrNotFound hides badger.ErrKeyNotFound. Check verifies all of the
// above in one snapshot.
package storage
