# TAXII Workstation. `make run` opens the window; `make test` runs every check.
# Both install the system packages they need first (scripts/deps.sh, apt).

GO          ?= go
BIN         := taxii-workstation
BUILD       := build
FYNE_TOOLS  := fyne.io/tools/cmd/fyne@v1.7.4
FYNE        := $(BUILD)/bin/fyne

# Headers Fyne's GL driver (cgo: OpenGL, X11) and sqweek/dialog (GTK 3) compile
# against; Xvfb, xauth, ImageMagick's import and xdotool for the window smoke
# test; xmllint for the schema checks of every TAXII message we emit.
APT_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libgtk-3-dev \
	xvfb xauth imagemagick xdotool libxml2-utils

# Quiet the locale and dconf noise of GTK and Fyne.
export LANG ?= C.UTF-8
export LANGUAGE ?= en_US
export GSETTINGS_BACKEND ?= memory
export NO_AT_BRIDGE ?= 1

.PHONY: all deps build run test fmt-check vet staticcheck depcheck unit smoke screenshots bench package clean

all: build

deps:
	@scripts/deps.sh $(APT_PACKAGES)

build: deps
	$(GO) build -o $(BIN) .

run: build
	./$(BIN)

test: deps fmt-check vet staticcheck depcheck unit smoke
	@echo "make test: all checks passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# taxii, storage and app must never import Fyne (ui -> app -> taxii, storage).
depcheck:
	@if $(GO) list -deps ./taxii/... ./storage/... ./app/... | grep '^fyne\.io/'; then \
		echo "depcheck: Fyne is imported below ui/ (see above)"; exit 1; fi
	@echo "depcheck: taxii, storage and app are free of Fyne"

unit:
	$(GO) test -race ./...

# The real binary under Xvfb with software OpenGL, empty and then over a cache
# filled from a local fake TAXII server; screenshots land in build/screenshots.
smoke:
	$(GO) test -tags smoke -count=1 -run 'TestSmoke' -v .

# Refresh the README's screenshots from the last smoke run.
screenshots: smoke
	cp $(BUILD)/screenshots/*.png docs/screenshots/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

$(FYNE):
	GOBIN=$(abspath $(BUILD)/bin) $(GO) install $(FYNE_TOOLS)

# fyne package bumps Build in FyneApp.toml; keep the file as committed.
package: build $(FYNE)
	cp FyneApp.toml $(BUILD)/FyneApp.toml.keep
	$(FYNE) package --os linux --executable $(BIN) --release; status=$$?; \
		cp $(BUILD)/FyneApp.toml.keep FyneApp.toml; exit $$status
	@ls -l *.tar.xz

clean:
	rm -rf $(BIN) $(BUILD) *.tar.xz
