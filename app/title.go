package app

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// titleHead is how much of a block titleOf reads.
const titleHead = 64 << 10

// titleOf returns the first Title element's text in the start of an XML
// document (STIX_Header/Title, Indicator/Title, ...), or "".
func titleOf(content []byte) string {
	if !bytes.HasPrefix(bytes.TrimLeft(content, " \t\r\n\ufeff"), []byte("<")) {
		return ""
	}
	d := xml.NewDecoder(bytes.NewReader(content[:min(len(content), titleHead)]))
	d.Strict = false
	inTitle := false
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.Directive:
			return "" // never expand DOCTYPEs
		case xml.StartElement:
			if inTitle {
				return ""
			}
			inTitle = t.Name.Local == "Title"
		case xml.CharData:
			if inTitle {
				sb.Write(t)
			}
		case xml.EndElement:
			if inTitle {
				s := strings.Join(strings.Fields(sb.String()), " ")
				if len(s) > 200 {
					s = s[:200]
				}
				return strings.ToValidUTF8(s, "")
			}
		}
	}
}
