// Package taxii speaks TAXII 1.1 and 1.0: one Go type per message with its
// XML binding, the HTTP binding, the Client that polls, pushes and manages
// subscriptions, and the inbox and discovery http.Handlers of our listener.
//
// Messages: Marshal and Unmarshal encode and decode every TAXII 1.1 and 1.0
// XML message; Unmarshal dispatches on namespace URI and root element, never
// on a prefix. TAXII 1.0 messages decode into the same types with Version V10
// and re-encode as 1.0. Decoding refuses DOCTYPEs, caps size and depth
// (Decoder, DefaultMaxBytes, DefaultMaxDepth) and returns *DecodeError;
// Marshal returns *EncodeError for output the schema would reject. XML
// payloads come out as standalone documents, kept byte for byte plus the
// namespace declarations they inherited.
//
// Client: Client.Do is the only code that speaks HTTP. Typed methods
// (Discover, CollectionInformation, Poll, Push, Subscribe, ...) sit on top;
// a Status Message reply is a *StatusError, anything that is not a TAXII
// message an *HTTPError, and Explain puts any of them in plain words.
//
// Server: InboxHandler and DiscoveryHandler are plain http.Handlers; the
// application owns the http.Server around them.
//
// The package imports neither Fyne nor Badger: callers map its types to
// storage and UI.
package taxii
