# Two commands for a fresh Debian 12 machine, as root:
#   make demo   install what is missing, build, run the default scenario, make its board pack
#   make test   install what is missing, build, run the whole test suite
BUILD ?= build
JOBS ?= $(shell nproc)
APT_PACKAGES = g++ cmake make pkg-config libeigen3-dev libboost-dev libcli11-dev libtomlplusplus-dev \
  libcsv-dev libgtest-dev libbenchmark-dev python3 python3-matplotlib \
  libxlsxwriter-dev nlohmann-json3-dev python3-openpyxl chromium fonts-dejavu-core

.PHONY: deps build demo test benchmark clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	./$(BUILD)/carecast run --runs 1000 --seed 1 --out demo-output
	./$(BUILD)/carecast report demo-output

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

benchmark: build
	./$(BUILD)/carecast_benchmark

clean:
	rm -rf $(BUILD) demo-output
