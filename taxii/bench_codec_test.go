package taxii

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

const benchBlocks = 1000

// benchPayload is a STIX 1.2 package of about 2 KB whose namespaces are
// declared on the Poll_Response, as servers write them.
func benchPayload(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<stix:STIX_Package id="example:Package-%d" version="1.2"><stix:Indicators>`, i)
	for j := 0; b.Len() < 1900; j++ {
		fmt.Fprintf(&b, `<stix:Indicator xsi:type="indicator:IndicatorType" id="example:indicator-%d-%d"><indicator:Title>Phishing domain %d.%d.example.com</indicator:Title></stix:Indicator>`, i, j, i, j)
	}
	b.WriteString(`</stix:Indicators></stix:STIX_Package>`)
	return b.String()
}

func benchPollResponse(tb testing.TB) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<taxii_11:Poll_Response xmlns:taxii_11="` + NS11 + `" xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" message_id="1" in_response_to="2" collection_name="c">
<taxii_11:Inclusive_End_Timestamp>2024-01-02T00:00:00Z</taxii_11:Inclusive_End_Timestamp>
<taxii_11:Record_Count>1000</taxii_11:Record_Count>
`)
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchBlocks {
		fmt.Fprintf(&b, `<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/><taxii_11:Content>%s</taxii_11:Content><taxii_11:Timestamp_Label>%s</taxii_11:Timestamp_Label></taxii_11:Content_Block>
`, benchPayload(i), ts.Add(time.Duration(i)*time.Second).Format(timestampLayout))
	}
	b.WriteString(`</taxii_11:Poll_Response>`)
	return []byte(b.String())
}

// reportPerBlock adds ns/block, allocs/block and B/block, and the heap in use
// at the end of the run (a lower bound on peak memory).
func reportPerBlock(b *testing.B, before runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := float64(b.N) * benchBlocks
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/block")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/block")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/block")
	b.ReportMetric(float64(after.HeapSys)/(1<<20), "MiB-heap-sys")
}

func BenchmarkUnmarshalPollResponse(b *testing.B) {
	doc := benchPollResponse(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		m, err := Unmarshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(m.(*PollResponse).ContentBlocks); n != benchBlocks {
			b.Fatalf("%d blocks", n)
		}
	}
	reportPerBlock(b, before)
}

func BenchmarkMarshalPollResponse(b *testing.B) {
	doc := benchPollResponse(b)
	m, err := Unmarshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	out, err := Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if _, err := Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
	reportPerBlock(b, before)
}
