// Package taxii speaks TAXII 1.1 and 1.0: one Go type per message with its XML
// binding (Marshal/Unmarshal), the HTTP binding, the Client that polls, pushes
// and manages subscriptions, and the inbox http.Handler.
//
// It imports neither Fyne nor Badger: callers map its types to storage and UI.
package taxii
