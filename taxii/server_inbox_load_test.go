package taxii_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/taxii-workstation/taxii-workstation/taxii"
	"github.com/taxii-workstation/taxii-workstation/taxii/taxiitest"
)

// idReceiver counts how often each message id was received.
type idReceiver struct {
	mu  sync.Mutex
	ids map[string]int
}

func (r *idReceiver) Receive(_ context.Context, in *taxii.Received) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[in.MessageID] += len(in.Blocks)
	return nil
}

func TestInboxConcurrentPushersLoseNothing(t *testing.T) {
	const pushers, each = 64, 100
	recv := &idReceiver{ids: map[string]int{}}
	h := &taxii.InboxHandler{Receiver: recv, ContentBindings: []taxii.ContentBinding{{ID: taxii.ContentSTIX12}}}
	var wg sync.WaitGroup
	errs := make(chan error, pushers)
	for p := range pushers {
		wg.Go(func() {
			for i := range each {
				m := &taxii.InboxMessage{MessageID: fmt.Sprintf("%d", p*each+i+1), ContentBlocks: []taxii.ContentBlock{stixBlock(p*each + i)}}
				body, err := taxii.Marshal(m)
				if err != nil {
					errs <- err
					return
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, taxii.DefaultInboxPath, bytes.NewReader(body)))
				reply, err := taxii.Unmarshal(rec.Body.Bytes())
				if err != nil {
					errs <- err
					return
				}
				if sm := reply.(*taxii.StatusMessage); sm.Type != taxii.StatusSuccess || sm.InResponseTo != m.MessageID {
					errs <- fmt.Errorf("message %s: %s in response to %s", m.MessageID, sm.Type, sm.InResponseTo)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(recv.ids) != pushers*each {
		t.Fatalf("received %d distinct messages, want %d", len(recv.ids), pushers*each)
	}
	for id, n := range recv.ids {
		if n != 1 {
			t.Fatalf("message %s received %d times", id, n)
		}
	}
}

// TestSlowSenderIsCutOffByReadTimeout shows how the application configures
// its http.Server: a sender that trickles its body is cut off by
// ReadTimeout (the handler waits for the whole body, so the server's
// deadline is what bounds it), and nothing is stored.
func TestSlowSenderIsCutOffByReadTimeout(t *testing.T) {
	recv := &memReceiver{}
	events := make(chan taxii.ServerEvent, 1)
	srv := httptest.NewUnstartedServer(&taxii.InboxHandler{Receiver: recv, OnEvent: func(e taxii.ServerEvent) { events <- e }})
	srv.Config.ReadHeaderTimeout = 200 * time.Millisecond
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := inboxBody(t, taxii.V11, nil, taxii.ContentBinding{ID: taxii.ContentSTIX12})
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: %s\r\nContent-Length: %d\r\n\r\n",
		taxii.DefaultInboxPath, srv.Listener.Addr(), taxii.BindingXML11, len(body))

	// Trickle one byte every 20 ms (the whole body would take over a
	// minute) until the server gives up or the test's deadline passes.
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for _, c := range body {
			select {
			case <-ctx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{c}); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if ctx.Err() != nil {
		t.Fatal("the server kept reading the trickled body until the test's deadline")
	}
	if err == nil { // the server may answer before closing, or just close
		defer res.Body.Close()
		if res.StatusCode == http.StatusOK || res.Header.Get("X-TAXII-Content-Type") == "" {
			t.Fatalf("reply %s to a cut-off body, want a TAXII BAD_MESSAGE", res.Status)
		}
	}
	select {
	case ev := <-events:
		if ev.Status != taxii.StatusBadMessage || !errors.Is(ev.Err, os.ErrDeadlineExceeded) {
			t.Errorf("event %s %v, want BAD_MESSAGE caused by the read deadline", ev.Status, ev.Err)
		}
	case <-ctx.Done():
		t.Fatal("no event for the cut-off request")
	}
	cancel()
	conn.Close()
	<-stopped
	if n := len(recv.received()); n != 0 {
		t.Fatalf("receiver called %d times for a body that never arrived", n)
	}
}

// gateReceiver blocks the message with id hold until open is closed.
type gateReceiver struct {
	memReceiver
	hold    string
	entered chan struct{}
	open    chan struct{}
}

func (g *gateReceiver) Receive(ctx context.Context, in *taxii.Received) error {
	if in.MessageID == g.hold {
		close(g.entered)
		<-g.open
	}
	return g.memReceiver.Receive(ctx, in)
}

func TestInboxMaxPendingBytesAnswersRetry(t *testing.T) {
	recv := &gateReceiver{hold: "1", entered: make(chan struct{}), open: make(chan struct{})}
	h := &taxii.InboxHandler{Receiver: recv, MaxBytes: 1 << 20, MaxPendingBytes: 1<<20 + 100<<10}
	big := func(id string) []byte {
		return mustMarshal(t, &taxii.InboxMessage{MessageID: id, ContentBlocks: []taxii.ContentBlock{
			{Binding: taxii.ContentBinding{ID: taxii.ContentSTIX12}, Content: taxiitest.STIXPackage(1, 900<<10), ContentIsXML: true}}})
	}
	small := mustMarshal(t, &taxii.InboxMessage{MessageID: "3", ContentBlocks: []taxii.ContentBlock{stixBlock(3)}})

	first := make(chan []byte)
	body1 := big("1")
	go func() { // no t.Fatal off the test goroutine: hand the reply back
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, taxii.DefaultInboxPath, bytes.NewReader(body1)))
		first <- rec.Body.Bytes()
	}()
	<-recv.entered // message 1 holds 900 KiB of the 1.1 MiB budget

	if sm := serveInbox(t, h, big("2")); sm.Type != taxii.StatusRetry {
		t.Errorf("second large message while the first is stored: %s, want RETRY", sm.Type)
	} else if n, _ := sm.EstimatedWait(); n <= 0 {
		t.Errorf("RETRY without ESTIMATED_WAIT")
	}
	if sm := serveInbox(t, h, small); sm.Type != taxii.StatusSuccess {
		t.Errorf("small message that fits the budget: %s, want SUCCESS", sm.Type)
	}
	close(recv.open)
	if reply := <-first; !bytes.Contains(reply, []byte(`status_type="SUCCESS"`)) {
		t.Errorf("first message: %s", reply)
	}
	if sm := serveInbox(t, h, big("2")); sm.Type != taxii.StatusSuccess {
		t.Errorf("second large message after the first was stored: %s, want SUCCESS", sm.Type)
	}
	if n := len(recv.received()); n != 3 {
		t.Errorf("stored %d messages, want 3", n)
	}
}
