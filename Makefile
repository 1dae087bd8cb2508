# persomux: every target installs what it needs first, so a fresh machine works.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STAMP := node_modules/.persomux-installed

.PHONY: help deps sysdeps run test typecheck bench build clean release deploy rollback need-host

help:
	@echo "make run    - simulated site for 30 s (24 stations, 2 data servers), then a report"
	@echo "make test   - type-check and run every test; ends with 'N passed, N failed'"
	@echo "make bench  - measure routing throughput and latency"
	@echo "make build  - compile to dist/ (what the appliance runs)"
	@echo "make release                - pack a release: build/releases/persomux-<version>-<commit>.tar.gz"
	@echo "make deploy HOST=user@box   - release, ship it over SSH, switch, and keep it only if healthy"
	@echo "make rollback HOST=user@box - return the box to its previous release"

# npm ci only when the lock file changed since the last install.
$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(STAMP)

# Debian packages the tests need, installed once when missing: socat makes
# the pseudo-terminal pairs; softhsm2 is the PKCS#11 token of the key store
# tests; chromium loads the status page; openssh-server is the box of the
# deploy tests; systemd's systemd-analyze checks the unit files.
sysdeps:
	@missing=""; \
	command -v socat >/dev/null || missing="$$missing socat"; \
	command -v softhsm2-util >/dev/null || missing="$$missing softhsm2"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	if [ -n "$$missing" ]; then \
	  echo "installing (Debian):$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: deps sysdeps
	bin/persomux sim --seconds 30

typecheck: deps
	npx tsc --noEmit

test: deps sysdeps typecheck
	node test/run-tests.mjs

bench: deps sysdeps
	node --import tsx test/bench/run.ts

# dist/COMMIT: what `persomux --version` names on the appliance, where there is no git.
build: deps
	rm -rf dist && npx tsc -p tsconfig.build.json
	cp src/http/status-page.html dist/http/
	git rev-parse --short=12 HEAD > dist/COMMIT 2>/dev/null || rm -f dist/COMMIT

# The appliance (README "Updating a box"). HEALTH_TIMEOUT (s) and PREFIX pass through.
RELEASE_DIR ?= build/releases
release: deps
	RELEASE_DIR=$(RELEASE_DIR) scripts/release.sh

# Deploys RELEASE=path, or the release just built from this tree.
deploy: need-host $(if $(RELEASE),,release)
	scripts/deploy.sh deploy "$(HOST)" "$(or $(RELEASE),$$(cat $(RELEASE_DIR)/LATEST))"

rollback: need-host
	scripts/deploy.sh rollback "$(HOST)"

need-host:
	@test -n "$(HOST)" || { echo "usage: make deploy|rollback HOST=user@box [RELEASE=archive] [HEALTH_TIMEOUT=30]"; exit 2; }

clean:
	rm -rf dist node_modules
