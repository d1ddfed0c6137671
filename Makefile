.PHONY: all build test run demo bench clean package install up down profile

all: build

node_modules: package.json package-lock.json
	npm ci
	touch node_modules

build: node_modules
	npm run build

test: build
	npx vitest run

run demo: build
	node dist/src/cli/demo.js

bench: build
	bash bench/run.sh

clean:
	rm -rf dist src/gen *.tgz
