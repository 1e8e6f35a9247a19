package app

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMetadata(t *testing.T) {
	good := []byte("Website = \"https://example.org\"\n[Details]\nIcon = \"x.png\"\nName = \"TAXII Workstation\"\nID = \"org.example.tw\"\nVersion = \"1.2.3\"\nBuild = 7\n")
	m, err := ParseMetadata(good)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "TAXII Workstation" || m.ID != "org.example.tw" || m.Version != "1.2.3" || m.Build != 7 || m.Website != "https://example.org" {
		t.Errorf("ParseMetadata = %+v", m)
	}
	if got := m.String(); got != "1.2.3 (build 7)" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"[Details]\nName = \"x\"\n", "not toml ["} {
		if _, err := ParseMetadata([]byte(bad)); err == nil {
			t.Errorf("ParseMetadata(%q) succeeded, want error", bad)
		}
	}
}

func TestResolveDataDir(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	flagDir := t.TempDir()
	if got, _ := ResolveDataDir(flagDir, getenv, "id"); got != flagDir {
		t.Errorf("flag: got %q want %q", got, flagDir)
	}
	envDir := t.TempDir()
	env[DataDirEnv] = envDir
	if got, _ := ResolveDataDir("", getenv, "id"); got != envDir {
		t.Errorf("env: got %q want %q", got, envDir)
	}
	delete(env, DataDirEnv)
	got, err := ResolveDataDir("", getenv, "org.example.tw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got, filepath.Join("fyne", "org.example.tw")) {
		t.Errorf("default: got %q, want …/fyne/org.example.tw", got)
	}
}

type mapPrefs map[string]any

func (m mapPrefs) FloatWithFallback(k string, f float64) float64 {
	if v, ok := m[k].(float64); ok {
		return v
	}
	return f
}
func (m mapPrefs) SetFloat(k string, v float64) { m[k] = v }
func (m mapPrefs) StringWithFallback(k, f string) string {
	if v, ok := m[k].(string); ok {
		return v
	}
	return f
}
func (m mapPrefs) SetString(k, v string) { m[k] = v }

func TestSettingsWindow(t *testing.T) {
	p := mapPrefs{}
	s := NewSettings(p)
	if w, h := s.WindowSize(); w != DefaultWindowWidth || h != DefaultWindowHeight {
		t.Errorf("default size = %vx%v", w, h)
	}
	s.SetWindowSize(900, 650)
	if w, h := NewSettings(p).WindowSize(); w != 900 || h != 650 {
		t.Errorf("remembered size = %vx%v, want 900x650", w, h)
	}
	s.SetWindowSize(10, 10) // unusable: fall back
	if w, h := s.WindowSize(); w != DefaultWindowWidth || h != DefaultWindowHeight {
		t.Errorf("tiny size not replaced: %vx%v", w, h)
	}
	s.SetLastView("Cache")
	if got := NewSettings(p).LastView(); got != "Cache" {
		t.Errorf("LastView = %q", got)
	}
}
