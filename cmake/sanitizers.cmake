# SPDX-License-Identifier: Apache-2.0
# The safety-net builds, each in its own build directory (issue 9; docs/reliability.md):
#   RUBRIC_SANITIZE  everything under AddressSanitizer + UndefinedBehaviorSanitizer (g++), so the
#                    whole ctest suite runs instrumented:  cmake -B build-asan -DRUBRIC_SANITIZE=ON
#   RUBRIC_FUZZ      the libFuzzer targets of tests/fuzz (clang only): every library instrumented
#                    with -fsanitize=fuzzer-no-link,address,undefined, the targets linked with
#                    -fsanitize=fuzzer; only tests/fuzz is added as tests in that build:
#                    CC=clang-19 CXX=clang++-19 cmake -B build-fuzz -DRUBRIC_FUZZ=ON
# Included from the top-level CMakeLists.txt before any target is defined.
option(RUBRIC_SANITIZE "Build everything with -fsanitize=address,undefined" OFF)
option(RUBRIC_FUZZ "Build the libFuzzer targets in tests/fuzz (clang), instead of the usual tests" OFF)

if(RUBRIC_SANITIZE AND RUBRIC_FUZZ)
  message(FATAL_ERROR "RUBRIC_SANITIZE and RUBRIC_FUZZ each need a build directory of their own")
endif()

# A finding must stop the program: UBSan otherwise prints and carries on.
set(RUBRIC_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)

if(RUBRIC_SANITIZE)
  add_compile_options(${RUBRIC_SANITIZER_FLAGS})
  add_link_options(${RUBRIC_SANITIZER_FLAGS})
endif()

if(RUBRIC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RUBRIC_FUZZ needs clang (libFuzzer): configure with CC=clang-19 CXX=clang++-19")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link ${RUBRIC_SANITIZER_FLAGS})
  add_link_options(${RUBRIC_SANITIZER_FLAGS})
  # The fuzz targets add -fsanitize=fuzzer to their own link (tests/fuzz/CMakeLists.txt).
endif()
