package app

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DataDirEnv names the environment variable that overrides the data directory.
const DataDirEnv = "TAXII_WORKSTATION_DATA"

// DefaultDataDir is where the workstation keeps its cache and settings when
// neither --data nor TAXII_WORKSTATION_DATA says otherwise. It is the same
// directory Fyne uses as the app's storage root (fyne/<app ID> under the
// user's configuration directory), computed without starting Fyne so the
// command line finds the same cache as the window.
func DefaultDataDir(appID string) (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("app: cannot find the home directory for the data directory; pass --data DIR or set " + DataDirEnv)
	}
	var root string
	switch runtime.GOOS {
	case "windows":
		root = filepath.Join(home, "AppData", "Roaming")
	case "darwin":
		root = filepath.Join(home, "Library", "Preferences")
	default:
		if root, err = os.UserConfigDir(); err != nil {
			root = filepath.Join(home, ".config")
		}
	}
	return filepath.Join(root, "fyne", appID), nil
}

// ResolveDataDir picks the data directory: an explicit flag value first, then
// the environment variable, then DefaultDataDir.
func ResolveDataDir(flagValue string, getenv func(string) string, appID string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if v := getenv(DataDirEnv); v != "" {
		return filepath.Abs(v)
	}
	return DefaultDataDir(appID)
}
