package ui

import (
	"crypto/sha256"
	"fmt"

	"github.com/taxii-workstation/taxii-workstation/app"
)

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// reportID is the block id of seed's block "Report i".
func reportID(i int) string {
	return app.BlockID(sha(stixDoc(fmt.Sprintf("Report %d", i), ""))).String()
}
