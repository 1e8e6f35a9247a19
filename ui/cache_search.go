package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/theme"

	"github.com/taxii-workstation/taxii-workstation/app"
)

func (v *cacheView) loadReceipts() {
	at := v.at
	core := v.env.core
	runTask(&v.t, func() ([]rowData, error) {
		var rows []rowData
		page := app.PageRequest{Limit: 500}
		for len(rows) < receiptsLimit {
			p, err := core.Receipts(context.Background(), page)
			if err != nil {
				return rows, err
			}
			for _, rc := range p.Items {
				rows = append(rows, receiptRow(rc))
			}
			if p.Next == "" {
				break
			}
			page.Token = p.Next
		}
		return rows, nil
	}, func(rows []rowData, err error) {
		if v.at != at {
			return
		}
		if err != nil {
			v.status.Error("Reading the receipts failed", err)
		}
		if len(rows) == 0 && err == nil {
			v.showEmpty(newEmptyState(theme.MailSendIcon(), "Nothing shared yet",
				"Files you share from the Share view are listed here with the server's receipt: status, time and message id."))
			return
		}
		v.heading.SetText(fmt.Sprintf("Shared by me · %s pushes, newest first", grouped(int64(len(rows)))))
		v.setSource(&listSource{rows: rows})
	})
}

// Search looks for query across the whole cache and lists what it finds.
func (v *cacheView) Search(query string) {
	query = strings.TrimSpace(query)
	if query == "" {
		v.status.Info("Type some words to search for.")
		return
	}
	v.tree.UnselectAll()
	v.showPlace(place{kind: placeSearch, query: query})
}

func (v *cacheView) runSearch(query string) {
	at := v.at
	core := v.env.core
	runTask(&v.t, func() ([]app.Hit, error) {
		return core.Search(context.Background(), query, searchLimit)
	}, func(hits []app.Hit, err error) {
		if v.at != at {
			return
		}
		if err != nil {
			v.heading.SetText(fmt.Sprintf("Search “%s”", query))
			v.status.Error("The search failed", err)
			return
		}
		if len(hits) == 0 {
			v.showEmpty(newEmptyState(theme.SearchIcon(), "Nothing found",
				fmt.Sprintf("No cached block contains “%s”. Try fewer or other words.", query)))
			return
		}
		rows := make([]rowData, len(hits))
		for i, h := range hits {
			rows[i] = hitRow(h)
		}
		more := ""
		if len(hits) == searchLimit {
			more = fmt.Sprintf(" (the first %d; add words to narrow it)", searchLimit)
		}
		v.heading.SetText(fmt.Sprintf("Search “%s” · %s blocks found across the cache%s", query, grouped(int64(len(hits))), more))
		v.setSource(&listSource{rows: rows})
	})
}

// FocusSearch puts the cursor in the search box (Ctrl+F).
func (v *cacheView) FocusSearch() {
	if c := v.env.win.Canvas(); c != nil {
		c.Focus(v.search)
	}
}
