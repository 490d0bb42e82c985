# Dtlto.cmake: links a CMake project's executables and shared libraries through LLVM's Integrated
# Distributed ThinLTO with dtlto-distributor, without editing the project. Pass it on the
# configure line (its path is what `dtlto-distributor --cmake-module` prints):
#
#   cmake -G Ninja -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
#         -DCMAKE_BUILD_TYPE=Release -DCMAKE_PROJECT_INCLUDE="$(dtlto-distributor --cmake-module)" ..
#
# or include() it after project() in a project of your own. Compiles get -flto=thin; links get
# -fuse-ld=lld and -fthinlto-distributor= with the options below. With clang-cl, whose links CMake
# runs with the linker itself, links get lld-link's /thinlto-distributor: and
# /thinlto-remote-compiler: (the clang driver beside clang-cl: clang-cl would misread the
# options lld gives its backend compiles). MinGW targets (windows-gnu) link through ld.lld's
# MinGW driver, which has no DTLTO options of its own: it hands lld-link's on through --Xlink=.
# Everything it needs is checked here, at configure time, so a missing piece is one message now
# rather than a failed link later.
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
set(DTLTO_CONFIGURATIONS "" CACHE STRING "A ;-list of the build configurations linked through DTLTO (e.g. Release;RelWithDebInfo); empty: every configuration")
set(DTLTO_BACKEND_COMPILER "" CACHE FILEPATH "clang-cl and MinGW builds: the clang driver lld-link runs for backend compiles (default: the clang beside clang-cl, or the project's clang)")

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
set(_dtlto_msvc FALSE)
if(CMAKE_CXX_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC" OR CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
  set(_dtlto_msvc TRUE)
endif()
# The triple the compiler builds for, as it says itself (a toolchain file's target included).
set(_dtlto_target_option "")
if(CMAKE_C_COMPILER_TARGET)
  set(_dtlto_target_option "--target=${CMAKE_C_COMPILER_TARGET}")
elseif(CMAKE_CXX_COMPILER_TARGET)
  set(_dtlto_target_option "--target=${CMAKE_CXX_COMPILER_TARGET}")
endif()
set(_dtlto_mingw FALSE)
if(NOT _dtlto_msvc)
  execute_process(COMMAND "${_dtlto_compiler}" ${_dtlto_target_option} -dumpmachine OUTPUT_VARIABLE _dtlto_triple OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_dtlto_triple MATCHES "windows-gnu|mingw")
    set(_dtlto_mingw TRUE)
  endif()
endif()

if(_dtlto_msvc)
  # CMake runs CMAKE_LINKER itself for clang-cl builds: it has to be an lld-link with DTLTO.
  execute_process(COMMAND "${CMAKE_LINKER}" -help OUTPUT_VARIABLE _dtlto_lld_help ERROR_QUIET RESULT_VARIABLE _dtlto_lld_result)
  if(NOT _dtlto_lld_result EQUAL 0 OR NOT _dtlto_lld_help MATCHES "/thinlto-distributor:")
    message(FATAL_ERROR "Dtlto.cmake: the linker '${CMAKE_LINKER}' has no DTLTO (it lacks /thinlto-distributor:); configure with -DCMAKE_LINKER=lld-link of LLVM 21 or newer")
  endif()
  set(_dtlto_lld "${CMAKE_LINKER}")
  if(DTLTO_BACKEND_COMPILER STREQUAL "")
    get_filename_component(_dtlto_compiler_dir "${_dtlto_compiler}" DIRECTORY)
    get_filename_component(_dtlto_compiler_name "${_dtlto_compiler}" NAME)
    string(REPLACE "clang-cl" "clang" _dtlto_driver_name "${_dtlto_compiler_name}")
    set(DTLTO_BACKEND_COMPILER "${_dtlto_compiler_dir}/${_dtlto_driver_name}")
  endif()
  if(NOT EXISTS "${DTLTO_BACKEND_COMPILER}" OR IS_DIRECTORY "${DTLTO_BACKEND_COMPILER}")
    message(FATAL_ERROR "Dtlto.cmake: no clang driver at '${DTLTO_BACKEND_COMPILER}' for the backend compiles; set -DDTLTO_BACKEND_COMPILER=/path/to/clang of the same LLVM as ${_dtlto_compiler}")
  endif()
elseif(_dtlto_mingw)
  # ld.lld's MinGW driver: DTLTO is lld-link's (/thinlto-distributor:), reached through --Xlink=.
  execute_process(COMMAND "${_dtlto_compiler}" -print-prog-name=ld.lld OUTPUT_VARIABLE _dtlto_lld OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND "${_dtlto_lld}" -flavor link -help OUTPUT_VARIABLE _dtlto_lld_help ERROR_QUIET RESULT_VARIABLE _dtlto_lld_result)
  if(NOT _dtlto_lld_result EQUAL 0 OR NOT _dtlto_lld_help MATCHES "/thinlto-distributor:")
    message(FATAL_ERROR "Dtlto.cmake: ${_dtlto_compiler} builds for ${_dtlto_triple}, and its lld ('${_dtlto_lld}') has no DTLTO for MinGW links (lld-link lacks /thinlto-distributor:); install lld of LLVM 21 or newer and use that LLVM's clang")
  endif()
  if(DTLTO_BACKEND_COMPILER STREQUAL "")
    set(DTLTO_BACKEND_COMPILER "${_dtlto_compiler}")
  endif()
else()
  # lld as the compiler driver finds it, and whether it has DTLTO (--thinlto-distributor=).
  execute_process(COMMAND "${_dtlto_compiler}" -print-prog-name=ld.lld OUTPUT_VARIABLE _dtlto_lld OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND "${_dtlto_lld}" --help OUTPUT_VARIABLE _dtlto_lld_help ERROR_QUIET RESULT_VARIABLE _dtlto_lld_result)
  if(NOT _dtlto_lld_result EQUAL 0 OR NOT _dtlto_lld_help MATCHES "--thinlto-distributor=")
    message(FATAL_ERROR "Dtlto.cmake: ${_dtlto_compiler} has no lld with DTLTO ('${_dtlto_lld}' lacks --thinlto-distributor=); install lld of LLVM 21 or newer (e.g. apt-get install lld-22) and use that LLVM's clang")
  endif()
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

set(_dtlto_compile_options -flto=thin)
if(_dtlto_msvc)
  set(_dtlto_link_options "/thinlto-distributor:${DTLTO_DISTRIBUTOR}" "/thinlto-remote-compiler:${DTLTO_BACKEND_COMPILER}")
  foreach(_dtlto_option IN LISTS _dtlto_options)
    list(APPEND _dtlto_link_options "/thinlto-distributor-arg:${_dtlto_option}")
  endforeach()
elseif(_dtlto_mingw)
  # SHELL: keeps each -Xlinker with its value (CMake would fold repeated -Xlinker words).
  set(_dtlto_link_options -flto=thin -fuse-ld=lld
    "SHELL:-Xlinker \"--Xlink=/thinlto-distributor:${DTLTO_DISTRIBUTOR}\""
    "SHELL:-Xlinker \"--Xlink=/thinlto-remote-compiler:${DTLTO_BACKEND_COMPILER}\"")
  foreach(_dtlto_option IN LISTS _dtlto_options)
    list(APPEND _dtlto_link_options "SHELL:-Xlinker \"--Xlink=/thinlto-distributor-arg:${_dtlto_option}\"")
  endforeach()
else()
  set(_dtlto_link_options -flto=thin -fuse-ld=lld "-fthinlto-distributor=${DTLTO_DISTRIBUTOR}")
  foreach(_dtlto_option IN LISTS _dtlto_options)
    list(APPEND _dtlto_link_options "-Xthinlto-distributor=${_dtlto_option}")
  endforeach()
endif()

set(_dtlto_where "")
if(NOT DTLTO_CONFIGURATIONS STREQUAL "")
  # Generator expressions, so multi-configuration generators (Ninja Multi-Config, Xcode, Visual
  # Studio) keep their other configurations, Debug say, free of LTO.
  set(_dtlto_tests "")
  foreach(_dtlto_configuration IN LISTS DTLTO_CONFIGURATIONS)
    list(APPEND _dtlto_tests "$<CONFIG:${_dtlto_configuration}>")
  endforeach()
  string(REPLACE ";" "," _dtlto_tests "${_dtlto_tests}")
  foreach(_dtlto_list IN ITEMS _dtlto_compile_options _dtlto_link_options)
    set(_dtlto_wrapped "")
    foreach(_dtlto_option IN LISTS ${_dtlto_list})
      list(APPEND _dtlto_wrapped "$<$<OR:${_dtlto_tests}>:${_dtlto_option}>")
    endforeach()
    set(${_dtlto_list} ${_dtlto_wrapped})
  endforeach()
  set(_dtlto_where " in ${DTLTO_CONFIGURATIONS}")
  get_property(_dtlto_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(NOT _dtlto_multi_config AND NOT CMAKE_BUILD_TYPE IN_LIST DTLTO_CONFIGURATIONS)
    message(STATUS "DTLTO: CMAKE_BUILD_TYPE '${CMAKE_BUILD_TYPE}' is not in DTLTO_CONFIGURATIONS (${DTLTO_CONFIGURATIONS}): this build tree links without ThinLTO")
  endif()
endif()

add_compile_options(${_dtlto_compile_options})
add_link_options(${_dtlto_link_options})
message(STATUS "DTLTO: links through ${DTLTO_DISTRIBUTOR}${_dtlto_where} (lld: ${_dtlto_lld})")
cmake_policy(POP)
