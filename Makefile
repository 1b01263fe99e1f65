# Porte-voix — the two commands of the quick start are `make run` and
# `make test`. Everything else here is what they are made of.

CARGO ?= cargo
DATA_DIR ?= ./data
NPM_CI = npm ci --no-audit --no-fund --prefer-offline

.PHONY: run test build pwa server lint fmt rust-test pwa-test interop-test e2e-test bench clean

## Build everything and start the server with demo data on ./data.
run: pwa
	$(CARGO) build --release --bin porte-voix
	PORTE_VOIX_DATA_DIR=$(DATA_DIR) ./target/release/porte-voix demo
	@echo "Ouvrez http://127.0.0.1:$${PORTE_VOIX_PORT:-8080}/ (API : /swagger-ui/)"
	PORTE_VOIX_DATA_DIR=$(DATA_DIR) ./target/release/porte-voix serve

## Every test: lint, Rust unit + integration, PWA unit, JS interop, browser end-to-end.
test: lint rust-test pwa-test interop-test e2e-test

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && $(NPM_CI)

pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm run build

server:
	$(CARGO) build -p porte-voix-server --bins

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test: server
	$(CARGO) test --workspace

pwa-test: pwa/node_modules/.package-lock.json
	cd pwa && npm run check && npm test

interop-test: server
	cd tests/interop && $(NPM_CI) && PORTE_VOIX_BIN=$(CURDIR)/target/debug/porte-voix npm test

e2e-test: server pwa
	cd tests/e2e && $(NPM_CI) && PORTE_VOIX_BIN=$(CURDIR)/target/debug/porte-voix PORTE_VOIX_PWA_DIR=$(CURDIR)/pwa/dist npm test

## Benchmarks (figures in docs/PERFORMANCE.md).
bench:
	$(CARGO) build --release --bin porte-voix --bin porte-voix-loadgen
	./target/release/porte-voix-loadgen all

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf pwa/dist pwa/node_modules tests/e2e/node_modules tests/interop/node_modules
