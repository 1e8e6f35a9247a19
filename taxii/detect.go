package taxii

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// NSSTIX1 is the namespace of a STIX 1.x STIX_Package.
const NSSTIX1 = "http://stix.mitre.org/stix-1"

// ErrUnknownBinding is wrapped when DetectBinding cannot tell the content
// binding of a file; the user must then name it.
var ErrUnknownBinding = errors.New("content binding not recognised")

var stixVersionBinding = map[string]string{
	"1.0":   ContentSTIX10,
	"1.0.1": ContentSTIX101,
	"1.1":   ContentSTIX11,
	"1.1.1": ContentSTIX111,
	"1.2":   ContentSTIX12,
}

var capNamespaceBinding = map[string]string{
	"urn:oasis:names:tc:emergency:cap:1.1": ContentCAP11,
	"urn:oasis:names:tc:emergency:cap:1.2": ContentCAP12,
}

// DetectBinding returns the TAXII content binding ID of a document from its
// root element: a STIX 1.0 to 1.2 STIX_Package by namespace and @version, or
// a CAP 1.1/1.2 alert by namespace. Anything else fails with an error
// wrapping ErrUnknownBinding that says what was found.
func DetectBinding(content []byte) (string, error) {
	head := bytes.TrimSpace(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")))
	if len(head) > 0 && head[0] != '<' {
		kind := "text"
		if head[0] == '{' || head[0] == '[' {
			kind = "JSON (STIX 2 is not carried by TAXII 1.x content bindings)"
		}
		return "", fmt.Errorf("taxii: %w: the file is not XML but %s; name the content binding yourself", ErrUnknownBinding, kind)
	}
	d := xml.NewDecoder(bytes.NewReader(content))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", fmt.Errorf("taxii: %w: the file has no XML root element; name the content binding yourself", ErrUnknownBinding)
		}
		if err != nil {
			return "", fmt.Errorf("taxii: %w: the file is not well-formed XML (%v); name the content binding yourself", ErrUnknownBinding, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return "", fmt.Errorf("taxii: %w: the file has a DOCTYPE, which STIX never uses; name the content binding yourself", ErrUnknownBinding)
			}
		case xml.StartElement:
			return bindingOfRoot(t)
		}
	}
}

func bindingOfRoot(el xml.StartElement) (string, error) {
	if b, ok := capNamespaceBinding[el.Name.Space]; ok && el.Name.Local == "alert" {
		return b, nil
	}
	if el.Name.Space != NSSTIX1 || el.Name.Local != "STIX_Package" {
		return "", fmt.Errorf("taxii: %w: the root element is {%s}%s, not a STIX 1.x STIX_Package; name the content binding yourself", ErrUnknownBinding, el.Name.Space, el.Name.Local)
	}
	var version string
	for _, a := range el.Attr {
		if a.Name.Local == "version" && a.Name.Space == "" {
			version = strings.TrimSpace(a.Value)
		}
	}
	if b, ok := stixVersionBinding[version]; ok {
		return b, nil
	}
	if version == "" {
		return "", fmt.Errorf("taxii: %w: the STIX_Package has no version attribute; name the content binding (e.g. %s)", ErrUnknownBinding, ContentSTIX12)
	}
	return "", fmt.Errorf("taxii: %w: STIX version %q is not one of 1.0, 1.0.1, 1.1, 1.1.1, 1.2; name the content binding yourself", ErrUnknownBinding, version)
}

// DetectBindingFile is DetectBinding on the start of a file.
func DetectBindingFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("taxii: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 64<<10) // the root element is near the start
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("taxii: read %s: %w", path, err)
	}
	b, derr := detectHead(head[:n])
	if derr != nil {
		return "", fmt.Errorf("%w (%s)", derr, path)
	}
	return b, nil
}

// detectHead is DetectBinding on a prefix: it only needs the root start tag,
// so an unexpected end after it is fine.
func detectHead(head []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(head))
	for {
		tok, err := d.Token()
		if err != nil {
			return DetectBinding(head) // gives the right words for the failure
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return DetectBinding(head)
			}
		case xml.StartElement:
			return bindingOfRoot(t)
		}
	}
}
