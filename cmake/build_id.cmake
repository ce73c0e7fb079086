# SPDX-License-Identifier: Apache-2.0
# Writes OUT: a header defining RUBRIC_BUILD_ID, a hash of every source that shapes compiled
# scoring code (cmake/build_id_sources.cmake). Cached and ahead-of-time objects carry it, so a
# rebuilt Rubric never runs code an older one compiled.
set(RUBRIC_ROOT ${ROOT})
include(${CMAKE_CURRENT_LIST_DIR}/build_id_sources.cmake)
set(all "")
foreach(f ${RUBRIC_BUILD_ID_SOURCES})
  file(SHA256 ${f} h)
  string(APPEND all "${h}")
endforeach()
string(SHA256 id "${all}")
string(SUBSTRING "${id}" 0 16 id)
set(text "#define RUBRIC_BUILD_ID \"${id}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
