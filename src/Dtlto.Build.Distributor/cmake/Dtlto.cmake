# Dtlto.cmake: links a CMake project's executables and shared libraries through LLVM's Integrated
# Distributed ThinLTO with dtlto-distributor, without editing the project. Pass it on the
# configure line (its path is what `dtlto-distributor --cmake-module` prints):
#
#   cmake -G Ninja -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
#         -DCMAKE_BUILD_TYPE=Release -DCMAKE_PROJECT_INCLUDE="$(dtlto-distributor --cmake-module)" ..
#
# or include() it after project() in a project of your own. Compiles get -flto=thin; links get
# -fuse-ld=lld and -fthinlto-distributor= with the options below. Everything it needs is checked
# here, at configure time, so a missing piece is one message now rather than a failed link later.
include_guard(GLOBAL)
# The project's own cmake_minimum_required may predate what this file uses (taglib asks for
# 3.0, before if(IN_LIST)); these policies hold for this file only.
cmake_policy(PUSH)
cmake_policy(VERSION 3.13...3.25)

set(DTLTO_DISTRIBUTOR "" CACHE FILEPATH "dtlto-distributor to run as lld's distributor (default: found on PATH or beside this module's tool install)")
set(DTLTO_JOBS "" CACHE STRING "Backend compiles at once on this machine (dtlto-distributor --jobs; default: the processor count)")
set(DTLTO_REMOTE "" CACHE STRING "A Remote Execution API server, grpc://host:port or grpcs://host:port (--remote); empty compiles here")
set(DTLTO_REMOTE_INSTANCE "" CACHE STRING "The server's instance name (--remote-instance)")
set(DTLTO_REMOTE_PLATFORM "" CACHE STRING "A ;-list of name=value platform properties (--remote-platform)")
option(DTLTO_REMOTE_STRICT "Fail the link when the farm cannot do its part, instead of compiling here (--remote-strict)" OFF)
set(DTLTO_DISTRIBUTOR_OPTIONS "" CACHE STRING "A ;-list of further dtlto-distributor options (e.g. --verbose;--cache-max-size=20G)")

get_property(_dtlto_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
set(_dtlto_compiler "")
foreach(_dtlto_language IN ITEMS C CXX)
  if(_dtlto_language IN_LIST _dtlto_languages)
    if(NOT CMAKE_${_dtlto_language}_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "Dtlto.cmake: DTLTO needs clang, but CMAKE_${_dtlto_language}_COMPILER is ${CMAKE_${_dtlto_language}_COMPILER} (${CMAKE_${_dtlto_language}_COMPILER_ID}); configure with -DCMAKE_${_dtlto_language}_COMPILER=clang-22 (LLVM 21 or newer)")
    endif()
    set(_dtlto_compiler "${CMAKE_${_dtlto_language}_COMPILER}")
  endif()
endforeach()
if(_dtlto_compiler STREQUAL "")
  message(FATAL_ERROR "Dtlto.cmake: the project enables neither C nor C++; include this module after project()")
endif()
if(CMAKE_CXX_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC" OR CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
  message(FATAL_ERROR "Dtlto.cmake: clang-cl and lld-link are not handled by this module yet; use the clang driver")
endif()

# lld as the compiler driver finds it, and whether it has DTLTO (--thinlto-distributor=).
execute_process(COMMAND "${_dtlto_compiler}" -print-prog-name=ld.lld OUTPUT_VARIABLE _dtlto_lld OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND "${_dtlto_lld}" --help OUTPUT_VARIABLE _dtlto_lld_help ERROR_QUIET RESULT_VARIABLE _dtlto_lld_result)
if(NOT _dtlto_lld_result EQUAL 0 OR NOT _dtlto_lld_help MATCHES "--thinlto-distributor=")
  message(FATAL_ERROR "Dtlto.cmake: ${_dtlto_compiler} has no lld with DTLTO ('${_dtlto_lld}' lacks --thinlto-distributor=); install lld of LLVM 21 or newer (e.g. apt-get install lld-22) and use that LLVM's clang")
endif()

if(DTLTO_DISTRIBUTOR STREQUAL "")
  # A dotnet tool install keeps this module in <tools>/.store/<id>/<version>/<id>/<version>/tools/<tfm>/any/cmake.
  find_program(_dtlto_found dtlto-distributor HINTS "$ENV{HOME}/.dotnet/tools" "${CMAKE_CURRENT_LIST_DIR}/../../../../../../../../.." NO_CACHE)
  set(DTLTO_DISTRIBUTOR "${_dtlto_found}")
endif()
if(NOT DTLTO_DISTRIBUTOR)
  message(FATAL_ERROR "Dtlto.cmake: dtlto-distributor not found; install it (dotnet tool install --global Dtlto.Distributor) or set -DDTLTO_DISTRIBUTOR=/path/to/dtlto-distributor")
elseif(NOT EXISTS "${DTLTO_DISTRIBUTOR}" OR IS_DIRECTORY "${DTLTO_DISTRIBUTOR}")
  message(FATAL_ERROR "Dtlto.cmake: DTLTO_DISTRIBUTOR is ${DTLTO_DISTRIBUTOR}, which is not a file; install dtlto-distributor (dotnet tool install --global Dtlto.Distributor) or set -DDTLTO_DISTRIBUTOR=/path/to/dtlto-distributor")
endif()

set(_dtlto_options ${DTLTO_DISTRIBUTOR_OPTIONS})
if(NOT DTLTO_JOBS STREQUAL "")
  list(APPEND _dtlto_options "--jobs=${DTLTO_JOBS}")
endif()
if(NOT DTLTO_REMOTE STREQUAL "")
  list(APPEND _dtlto_options "--remote=${DTLTO_REMOTE}")
  if(NOT DTLTO_REMOTE_INSTANCE STREQUAL "")
    list(APPEND _dtlto_options "--remote-instance=${DTLTO_REMOTE_INSTANCE}")
  endif()
  foreach(_dtlto_property IN LISTS DTLTO_REMOTE_PLATFORM)
    list(APPEND _dtlto_options "--remote-platform=${_dtlto_property}")
  endforeach()
  if(DTLTO_REMOTE_STRICT)
    list(APPEND _dtlto_options "--remote-strict")
  endif()
endif()

add_compile_options(-flto=thin)
add_link_options(-flto=thin -fuse-ld=lld "-fthinlto-distributor=${DTLTO_DISTRIBUTOR}")
foreach(_dtlto_option IN LISTS _dtlto_options)
  add_link_options("-Xthinlto-distributor=${_dtlto_option}")
endforeach()
message(STATUS "DTLTO: links through ${DTLTO_DISTRIBUTOR} (lld: ${_dtlto_lld})")
cmake_policy(POP)
