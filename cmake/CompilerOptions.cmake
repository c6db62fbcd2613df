# CompilerOptions.cmake — flags shared by every target.
#
# Release by default; -march=native on by default with a portable fallback;
# never -ffast-math (results must not depend on the optimiser's mood).

option(TINYTORCH_NATIVE "Tune the kernels for this machine's CPU (-march=native)" ON)
option(TINYTORCH_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(TINYTORCH_WERROR "Treat compiler warnings as errors" OFF)
option(TINYTORCH_CCACHE "Compile through ccache when it is installed" ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

add_compile_options(-Wall -Wextra -Wpedantic)
if(TINYTORCH_WERROR)
    add_compile_options(-Werror)
endif()

if(TINYTORCH_NATIVE)
    include(CheckCXXCompilerFlag)
    check_cxx_compiler_flag(-march=native TINYTORCH_HAS_MARCH_NATIVE)
    if(TINYTORCH_HAS_MARCH_NATIVE)
        add_compile_options(-march=native)
    else()
        message(STATUS "TinyTorch: -march=native is not supported; building portable code")
    endif()
endif()

if(TINYTORCH_SANITIZE)
    set(_tt_sanitize -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    add_compile_options(${_tt_sanitize})
    add_link_options(${_tt_sanitize})
endif()

if(TINYTORCH_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    find_program(TINYTORCH_CCACHE_PROGRAM ccache)
    if(TINYTORCH_CCACHE_PROGRAM)
        set(CMAKE_CXX_COMPILER_LAUNCHER "${TINYTORCH_CCACHE_PROGRAM}")
    endif()
endif()
