# envwatch — two commands: `make run` and `make test`.
GO        ?= go
BIN       := $(CURDIR)/bin
INFLUXD   := $(BIN)/influxd
INFLUXD_VERSION := v1.8.3
PROMTOOL  := $(BIN)/promtool
PROMETHEUS_VERSION := v0.316.0
AMTOOL    := $(BIN)/amtool
ALERTMANAGER_VERSION := v0.35.0
# Only bench/run.sh uses Telegraf (the peer a bureau would otherwise load files with).
TELEGRAF  := $(BIN)/telegraf
TELEGRAF_VERSION := v1.37.2
INFLUX_PORT ?= 8086
CONFIG    ?= examples/luoyang.yaml
VAR       := $(CURDIR)/var
export GOFLAGS := -buildvcs=false

VERSION   ?= $(shell git describe --tags --always 2>/dev/null || echo dev)
REVISION  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BRANCH    := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_DATE := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=$(BRANCH) \
             -X github.com/prometheus/common/version.BuildUser=make \
             -X github.com/prometheus/common/version.BuildDate=$(BUILD_DATE)
# make run: the ports of the throwaway influxd and of envwatch's web server.
WEB_PORT  ?= 9065
# Release packaging (make dist): nfpm pinned like the other tools.
NFPM      := $(BIN)/nfpm
NFPM_VERSION := v2.45.2
DIST      := $(CURDIR)/dist
# The pages' browser test drives Debian's Chromium (installed with apt when missing, with
# CJK fonts so that screenshots and PDFs show Chinese).
CHROMIUM  ?= /usr/bin/chromium
export ENVWATCH_CHROMIUM := $(CHROMIUM)
ARCHES    ?= amd64 arm64

.PHONY: all build run test test-short vet fmt-check tools bench-tools bench backtest national clean dashboards fuzz dist docker

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/envwatch ./cmd/envwatch

# Pinned tools, installed into ./bin once (a cold install compiles for a few minutes).
tools: $(INFLUXD) $(PROMTOOL) $(AMTOOL)

$(INFLUXD):
	GOBIN=$(BIN) $(GO) install github.com/influxdata/influxdb/cmd/influxd@$(INFLUXD_VERSION)

$(PROMTOOL):
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)

$(AMTOOL):
	GOBIN=$(BIN) $(GO) install github.com/prometheus/alertmanager/cmd/amtool@$(ALERTMANAGER_VERSION)

# Tools of the national benchmark (a cold Telegraf build is long: ~25 min on 2 cores).
bench-tools: $(INFLUXD) $(TELEGRAF)

$(TELEGRAF):
	GOBIN=$(BIN) $(GO) install github.com/influxdata/telegraf/cmd/telegraf@$(TELEGRAF_VERSION)

# Starts a throwaway influxd on loopback with data under ./var, then envwatch with the
# Luoyang example and the simulate source; Ctrl-C stops both. Needs influxd only (promtool
# and amtool are for make test). ADMIN=1 enables the admin API (backfills, spool, rebuild).
run: build $(INFLUXD)
	@scripts/run.sh "$(INFLUXD)" "$(BIN)/envwatch" "$(CONFIG)" "$(VAR)" "$(INFLUX_PORT)" "$(WEB_PORT)" $(if $(filter 1,$(ADMIN)),--web.enable-admin-api)

# Release archives and packages for linux/amd64 and linux/arm64 into ./dist: a tar.gz
# each (binary, example configurations, dashboards, rules, Alertmanager example, systemd
# unit, README, licence), .deb and .rpm (nfpm), and SHA256SUMS.
$(CHROMIUM):
	@echo "installing Debian's chromium and fonts-noto-cjk (apt) for the pages' browser test"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk || \
	{ $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }

$(NFPM):
	GOBIN=$(BIN) $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

dist: $(NFPM)
	@scripts/dist.sh "$(VERSION)" "$(DIST)" "$(NFPM)" "$(LDFLAGS)" $(ARCHES)

docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) --build-arg BRANCH=$(BRANCH) \
		--build-arg BUILD_DATE=$(BUILD_DATE) -t envwatch:$(VERSION) .

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: tools $(NFPM) $(CHROMIUM) fmt-check vet
	$(GO) test -race -count=1 -timeout 20m ./...
	cd dashboards && $(GO) vet ./... && $(GO) test -count=1 ./...

# The pure tests: no tools in ./bin, no real influxd, well under a minute. Integration
# tests (named by testenv.Integration) skip themselves under -short.
test-short:
	$(GO) test -short -count=1 ./...

# Fuzz each target for FUZZTIME (seed corpora under testdata/fuzz run in `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseCNEMC$$' -fuzztime $(FUZZTIME) ./collector/cnemc/
	$(GO) test -run '^$$' -fuzz '^FuzzUnframeParse$$' -fuzztime $(FUZZTIME) ./hj212/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCPReuse$$' -fuzztime $(FUZZTIME) ./hj212/
	$(GO) test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(FUZZTIME) ./collector/httpjson/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./config/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./fixed/

# Regenerate the dashboards' JSON after changing dashboards/gen.
dashboards:
	cd dashboards && $(GO) run ./gen

# Is the outlook calibrated? Replays past years from each month-end (docs/targets.md).
backtest:
	$(GO) run ./bench/backtest

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./airquality/ ./waterquality/ ./fixed/

# National scale, side by side with raw InfluxDB and Telegraf (docs/performance.md).
national: bench-tools
	bench/run.sh

clean:
	rm -rf $(BIN)/envwatch $(VAR)
