package app

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// Metadata describes this build of the workstation. It is read from
// FyneApp.toml (embedded by package main), so the version shown by the
// command line, the About box and `fyne package` all come from one file.
type Metadata struct {
	ID      string
	Name    string
	Version string
	Build   int
	Website string
}

// String gives the version as users see it, such as "0.1.0 (build 3)".
func (m Metadata) String() string {
	return fmt.Sprintf("%s (build %d)", m.Version, m.Build)
}

// ParseMetadata reads the [Details] table of a FyneApp.toml file.
func ParseMetadata(fyneAppTOML []byte) (Metadata, error) {
	var doc struct {
		Website string
		Details struct {
			ID      string
			Name    string
			Version string
			Build   int
		}
	}
	if err := toml.Unmarshal(fyneAppTOML, &doc); err != nil {
		return Metadata{}, fmt.Errorf("app: read FyneApp.toml: %w", err)
	}
	d := doc.Details
	if d.ID == "" || d.Name == "" || d.Version == "" {
		return Metadata{}, fmt.Errorf("app: FyneApp.toml: [Details] needs ID, Name and Version (got ID=%q Name=%q Version=%q)", d.ID, d.Name, d.Version)
	}
	return Metadata{ID: d.ID, Name: d.Name, Version: d.Version, Build: d.Build, Website: doc.Website}, nil
}
