# Dependencies.cmake — find every library TinyTorch uses, from Debian's
# packages. The package names come from tools/dependencies.txt, the one list
# that tools/setup.sh installs from; a missing library stops configure with the
# exact command to run.

file(STRINGS "${PROJECT_SOURCE_DIR}/tools/dependencies.txt" _tt_dependency_lines
     REGEX "^(package|optional)[ \t]")

function(_tinytorch_debian_package name out)
    foreach(line IN LISTS _tt_dependency_lines)
        string(REGEX MATCH "^[a-z]+[ \t]+([^ \t]+)[ \t]+([^ \t]+)" _ "${line}")
        if(CMAKE_MATCH_1 STREQUAL name)
            set(${out} "${CMAKE_MATCH_2}" PARENT_SCOPE)
            return()
        endif()
    endforeach()
    message(FATAL_ERROR "tools/dependencies.txt does not list ${name}")
endfunction()

# tinytorch_require(<find_package name> [find_package arguments...])
macro(tinytorch_require name)
    find_package(${name} ${ARGN} QUIET)
    if(NOT ${name}_FOUND)
        _tinytorch_debian_package(${name} _tt_package)
        message(FATAL_ERROR
            "TinyTorch needs ${name}, which was not found.\n"
            "Install it with:\n    sudo apt-get install ${_tt_package}\n"
            "or run tools/setup.sh, which installs every dependency.")
    endif()
endmacro()

tinytorch_require(GTest)
tinytorch_require(fmt)
tinytorch_require(nlohmann_json)
tinytorch_require(CLI11)
tinytorch_require(OpenMP)
tinytorch_require(ZLIB)
if(NOT TINYTORCH_LIBRARY_ONLY)
    # Only tito needs these.
    tinytorch_require(LibArchive)
    tinytorch_require(OpenSSL)
    tinytorch_require(CURL)
endif()

# Optional: kernel benchmarks are skipped without Google Benchmark.
find_package(benchmark QUIET)
