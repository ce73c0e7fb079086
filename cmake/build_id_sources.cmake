# SPDX-License-Identifier: Apache-2.0
# The sources whose change changes compiled scoring code or the model it refers to: grammar,
# parser, checker, lowering, ABI, helpers, interpreters, built-ins, stdlib. Sets
# RUBRIC_BUILD_ID_SOURCES from RUBRIC_ROOT; used at configure time and by build_id.cmake.
set(_rubric_glob_flag CONFIGURE_DEPENDS)
if(CMAKE_SCRIPT_MODE_FILE)
  set(_rubric_glob_flag "")
endif()
file(GLOB_RECURSE RUBRIC_BUILD_ID_SOURCES ${_rubric_glob_flag}
     ${RUBRIC_ROOT}/grammar/* ${RUBRIC_ROOT}/compiler/ast/* ${RUBRIC_ROOT}/compiler/parse/* ${RUBRIC_ROOT}/compiler/driver/*
     ${RUBRIC_ROOT}/compiler/lower/* ${RUBRIC_ROOT}/compiler/check/* ${RUBRIC_ROOT}/runtime/jit/* ${RUBRIC_ROOT}/runtime/native/*
     ${RUBRIC_ROOT}/runtime/interp/* ${RUBRIC_ROOT}/runtime/builtins/* ${RUBRIC_ROOT}/stdlib/*.rubric)
list(SORT RUBRIC_BUILD_ID_SOURCES)
unset(_rubric_glob_flag)
