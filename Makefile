# Two entry points for a fresh Debian 12 machine: `make serve` and `make test`.
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)
CONFIG     ?= samples/vnsdi.yaml
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps build build-san sample serve test clean

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

build-san: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DVNSDI_SANITIZE=ON
	cmake --build $(BUILD_SAN) -j $(JOBS)

sample: build
	./scripts/make-sample.sh $(BUILD)

serve: sample
	$(BUILD)/vnsdi serve --config $(CONFIG) --listen $(LISTEN)

# Every test runs twice: once on the release build and once under
# AddressSanitizer and UndefinedBehaviorSanitizer.
test: build build-san
	cd $(BUILD) && ctest --output-on-failure
	cd $(BUILD_SAN) && ctest --output-on-failure

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
