# Sanitizer and fuzzing builds (CMakePresets.json: preset "asan", clang, both on; Makefile: make test, make fuzz).
#
# CARECAST_SANITIZE=ON builds every target with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc or clang). -fno-sanitize-recover=all makes the first report abort the process, so undefined
# behaviour fails a test instead of scrolling past in its log.
#
# CARECAST_BUILD_FUZZERS=ON (clang only) additionally instruments the engine for libFuzzer's coverage
# feedback and builds the harnesses in tests/fuzz.
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
    # Coverage instrumentation for every object; only the harnesses link libFuzzer's main().
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()

  # Header-only toml++ (see above): drop the shared library and its "-DTOML_HEADER_ONLY=0".
  set_target_properties(PkgConfig::TOMLPP PROPERTIES
    INTERFACE_COMPILE_OPTIONS ""
    INTERFACE_COMPILE_DEFINITIONS "TOML_HEADER_ONLY=1"
    INTERFACE_LINK_LIBRARIES ""
    INTERFACE_LINK_OPTIONS ""
    INTERFACE_LINK_DIRECTORIES "")
endif()
