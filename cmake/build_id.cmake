# Writes OUT: a header defining RUBRIC_BUILD_ID, a hash of every source that shapes compiled
# scoring code (lowering, ABI, runtime helpers, interpreters, built-ins, stdlib). Cached objects
# are keyed by it, so a rebuilt Rubric never loads code an older one compiled.
file(GLOB_RECURSE files ${ROOT}/compiler/lower/* ${ROOT}/compiler/check/* ${ROOT}/runtime/jit/* ${ROOT}/runtime/interp/*
     ${ROOT}/runtime/builtins/* ${ROOT}/stdlib/*.rubric)
list(SORT files)
set(all "")
foreach(f ${files})
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
