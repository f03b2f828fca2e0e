# insgate — thin entry points over scripts/ and the CMake presets.
#   make demo   install the Debian packages, build, run the main job end to end
#   make test   install the Debian packages, build, run the whole test suite
.PHONY: deps build demo test clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset default
	cmake --build --preset default

demo: build
	./scripts/demo

test: build
	ctest --preset default

clean:
	rm -rf build
