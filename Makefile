# insgate — thin entry points over scripts/ and the CMake presets.
#   make demo   install the Debian packages, build, run the main job end to end
#   make test   install the Debian packages, build, run the whole test suite
.PHONY: deps build demo test test-asan test-tsan clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset default
	cmake --build --preset default

demo: build
	./scripts/demo

test: build
	ctest --preset default

# The whole suite under AddressSanitizer+UBSan, and under ThreadSanitizer
# (separate build trees build-asan/ and build-tsan/; each builds everything).
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan

clean:
	rm -rf build build-asan build-tsan
