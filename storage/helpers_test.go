package storage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// base is the timestamp label of block 0 in generated feeds.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func label(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }

func newMem(t testing.TB) *Store {
	t.Helper()
	s, err := OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func quiet(string, ...any) {}

func openDir(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{Logf: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// feedBlocks returns blocks i in [from, to) of a generated feed: content
// stixDoc(seed+i), label(i).
func feedBlocks(seed, from, to int) []NewBlock {
	out := make([]NewBlock, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, NewBlock{
			Content:        stixDoc(seed + i),
			Binding:        "urn:stix.mitre.org:xml:1.1.1",
			TimestampLabel: label(i),
			MessageID:      fmt.Sprintf("msg-%d", i/50),
			Received:       base.Add(time.Hour),
		})
	}
	return out
}

var (
	words = strings.Fields(`phishing campaign targeting finance sector observed credential harvesting
	domain registered recently hosting malware loader beacon command control infrastructure ransomware
	affiliate spear attachment macro document exploit vulnerability lateral movement exfiltration
	actor cluster overlapping tooling certificate reuse passive dns sinkhole telemetry partner report`)
	titles = []string{"Phishing domain", "C2 server", "Malware hash", "Scanning host", "Ransomware note",
		"Credential harvester", "Exploit kit landing", "Botnet node"}
	tlps    = []string{"WHITE", "GREEN", "AMBER", "RED"}
	tlds    = []string{"com", "net", "org", "info", "ru", "cn", "top", "xyz"}
	sectors = []string{"Finance", "Energy", "Health", "Government", "Telecom", "Retail"}
)

// stixDoc returns a realistic ~2 KB STIX 1.1.1 indicator package, different
// for every n (random hashes, addresses, words), so compression figures are
// honest. The same n always gives the same bytes.
func stixDoc(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 0x7a11))
	h := sha256.Sum256(fmt.Appendf(nil, "block-%d", n))
	id := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	sentence := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	var b strings.Builder
	ts := label(n).Format(time.RFC3339)
	fmt.Fprintf(&b, `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:example="http://example.com" id="example:Package-%s" version="1.1.1" timestamp="%s">
  <stix:STIX_Header>
    <stix:Title>%s %d</stix:Title>
    <stix:Description>%s</stix:Description>
    <stix:Handling color="%s"/>
  </stix:STIX_Header>
  <stix:Indicators>
    <stix:Indicator xsi:type="indicator:IndicatorType" id="example:indicator-%s" timestamp="%s">
      <indicator:Title>%s targeting %s</indicator:Title>
      <indicator:Description>%s</indicator:Description>
      <indicator:Observable id="example:Observable-%x">
        <cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr"><AddressObj:Address_Value condition="Equals">%d.%d.%d.%d</AddressObj:Address_Value></cybox:Properties></cybox:Object>
      </indicator:Observable>
      <indicator:Observable id="example:Observable-%x">
        <cybox:Object><cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType"><DomainNameObj:Value condition="Equals">%s-%d.%s</DomainNameObj:Value></cybox:Properties></cybox:Object>
      </indicator:Observable>
      <indicator:Observable id="example:Observable-%x">
        <cybox:Object><cybox:Properties xsi:type="FileObj:FileObjectType"><FileObj:Hashes><cyboxCommon:Hash><cyboxCommon:Type>SHA256</cyboxCommon:Type><cyboxCommon:Simple_Hash_Value>%x</cyboxCommon:Simple_Hash_Value></cyboxCommon:Hash></FileObj:Hashes></cybox:Properties></cybox:Object>
      </indicator:Observable>
      <indicator:Confidence><stixCommon:Value>%s</stixCommon:Value></indicator:Confidence>
    </stix:Indicator>
  </stix:Indicators>
</stix:STIX_Package>
`,
		id, ts, titles[r.IntN(len(titles))], n, sentence(5+r.IntN(6)), tlps[r.IntN(len(tlps))],
		id, ts, titles[r.IntN(len(titles))], sectors[r.IntN(len(sectors))], sentence(8+r.IntN(12)),
		h[16:20], r.IntN(223)+1, r.IntN(256), r.IntN(256), r.IntN(254)+1,
		h[20:24], words[r.IntN(len(words))], r.IntN(100000), tlds[r.IntN(len(tlds))],
		h[24:28], sha256.Sum256(h[8:]),
		[]string{"High", "Medium", "Low"}[r.IntN(3)])
	return []byte(b.String())
}

func TestStixDocSize(t *testing.T) {
	total := 0
	for i := range 1000 {
		d := stixDoc(i)
		if i > 0 && string(d) == string(stixDoc(i-1)) {
			t.Fatalf("stixDoc(%d) equals stixDoc(%d)", i, i-1)
		}
		total += len(d)
	}
	if avg := total / 1000; avg < 1800 || avg > 2400 {
		t.Errorf("average generated block is %d bytes; want about 2 KB", avg)
	}
}
