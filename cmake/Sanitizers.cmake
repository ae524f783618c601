# Sanitizer and fuzzing builds (CMakePresets.json: preset "asan", clang, both on; Makefile: make test, make fuzz).
#
# CARECAST_SANITIZE=ON builds every target with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc or clang). -fno-sanitize-recover=all makes the first report abort the process, so undefined
# behaviour fails a test instead of scrolling past in its log.
#
# CARECAST_BUILD_FUZZERS=ON (clang only) additionally instruments the code the harnesses drive for
# libFuzzer's coverage feedback (the files listed in fuzz_coverage_allowlist.txt) and builds the
# harnesses in tests/fuzz.
#
# Both switch toml++ from Debian's prebuilt shared library to header-only mode, so that the TOML
# parser is compiled here with the sanitizers (and its own assertions): toml++ 3.3.0 has known
# undefined behaviour and an assertion on some non-ASCII input (upstream issues 190, 294 and 295),
# which an uninstrumented library would hide. Release builds keep the shared library.
#
# Included after the packages are found (to re-point PkgConfig::TOMLPP) and before any target is
# defined (so that the flags reach every target).

option(CARECAST_SANITIZE "Build every target with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(CARECAST_BUILD_FUZZERS "Build the libFuzzer harnesses in tests/fuzz (clang; implies CARECAST_SANITIZE)" OFF)

if(CARECAST_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CARECAST_BUILD_FUZZERS needs clang (libFuzzer); configure with the 'fuzz' preset "
                        "or -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(CARECAST_SANITIZE ON CACHE BOOL "" FORCE)
endif()

if(CARECAST_SANITIZE)
  set(CARECAST_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${CARECAST_SANITIZER_FLAGS})
  add_link_options(${CARECAST_SANITIZER_FLAGS})
  if(CARECAST_BUILD_FUZZERS)
    # Coverage instrumentation (counters, comparison hooks) in the files the allowlist names; every
    # object is compiled with the same flags, so one precompiled header serves them all. Only the
    # harnesses link libFuzzer's main().
    # Neither make nor ccache sees the list as an input, so the digest of its entries (comments aside)
    # is part of every command line: changing an entry recompiles everything, as a changed flag would.
    set(CARECAST_FUZZ_COVERAGE_ALLOWLIST ${CMAKE_CURRENT_LIST_DIR}/fuzz_coverage_allowlist.txt)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CARECAST_FUZZ_COVERAGE_ALLOWLIST})
    file(STRINGS ${CARECAST_FUZZ_COVERAGE_ALLOWLIST} CARECAST_FUZZ_COVERAGE_ENTRIES REGEX "^[^#]")
    string(MD5 CARECAST_FUZZ_COVERAGE_ENTRIES_MD5 "${CARECAST_FUZZ_COVERAGE_ENTRIES}")
    add_compile_options(-fsanitize=fuzzer-no-link -fsanitize-coverage-allowlist=${CARECAST_FUZZ_COVERAGE_ALLOWLIST})
    add_compile_definitions(CARECAST_FUZZ_COVERAGE_ENTRIES_MD5=${CARECAST_FUZZ_COVERAGE_ENTRIES_MD5})
  endif()

  # Header-only toml++ (see above): drop the shared library and its "-DTOML_HEADER_ONLY=0".
  set_target_properties(PkgConfig::TOMLPP PROPERTIES
    INTERFACE_COMPILE_OPTIONS ""
    INTERFACE_COMPILE_DEFINITIONS "TOML_HEADER_ONLY=1"
    INTERFACE_LINK_LIBRARIES ""
    INTERFACE_LINK_OPTIONS ""
    INTERFACE_LINK_DIRECTORIES "")
endif()
