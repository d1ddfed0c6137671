# asimap. `make run` starts the demo server, `make test` runs the tests (see README.md).
.PHONY: all build test check-test-tools run demo bench clean package install up down profile logs

VERSION := $(shell node -p "require('./package.json').version")
TARBALL := asimap-$(VERSION).tgz
COMPOSE ?= docker compose

all: build

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules

build: node_modules
	npm run build

test: check-test-tools build
	npx vitest run

# One line naming the missing Debian packages, instead of dozens of failing tests.
check-test-tools:
	@node scripts/check-test-tools.mjs

run demo: build
	node dist/src/cli/demo.js

bench: build
	bash bench/run.sh

# An installable tarball with the generated parser and the compiled JavaScript.
package: build
	npm pack --ignore-scripts

# Puts asimapd, asimapd_set_password and asimap-replay on PATH.
install: package
	npm install --global --omit=dev ./$(TARBALL)

up:
	$(COMPOSE) --profile dev up --build -d asimap-dev

down:
	$(COMPOSE) --profile dev down

logs:
	$(COMPOSE) --profile dev logs -f asimap-dev

# CPU profiles of the root and every user process land in $OPT_ASIMAP_DIR/profiles.
profile:
	ASIMAP_PROFILE_DIR=/opt/asimap/profiles $(COMPOSE) --profile dev up --build -d asimap-dev

clean:
	rm -rf dist src/gen asimap-*.tgz
