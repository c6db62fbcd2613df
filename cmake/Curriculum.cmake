# Curriculum.cmake — declare every module's targets from curriculum.json.
#
# For each module NN_name of the manifest, tinytorch_add_module() declares:
#   tinytorch_<name>         static library: every .cpp in modules/NN_name/,
#                            linked to the libraries of the modules it requires
#   test_NN_<name>           its visible tests   (ctest labels: module NN <name> visible)
#   hidden_NN_<name>         its hidden tests    (ctest labels: module NN <name> hidden),
#                            when tests/hidden/NN_name/ exists (instructor tree only)
#   module_NN                builds the three above (what `tito module test NN` builds)
#
# Grading (DESIGN.md §4): with -DTINYTORCH_SUBMISSION_DIR=<folder> each module
# also gets, outside `all`,
#   submission_<name>        the library built from the submission's copy of the
#                            module's student files (the rest from this tree),
#                            linked to this tree's libraries of the modules below
#   grade_NN_<name>_visible, grade_NN_<name>_hidden
#                            the same test objects linked to submission_<name>
# so a bug in a student's tensor never costs points in their layers. `tito
# grade` (tito/grade_build.cpp) configures a scratch build tree per submission
# with TINYTORCH_LIBRARY_ONLY=ON and builds each module's two grade targets
# separately, so a compile error costs that module only.

set(TINYTORCH_SUBMISSION_DIR "" CACHE PATH
    "Grading: a folder laid out like modules/ whose student files replace this tree's")

set(TINYTORCH_CURRICULUM "${PROJECT_SOURCE_DIR}/curriculum.json")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${TINYTORCH_CURRICULUM}")
file(READ "${TINYTORCH_CURRICULUM}" TINYTORCH_MANIFEST)

# Sets <out> to the CMake list of a JSON array of strings at the given path.
function(tinytorch_json_list out)
    string(JSON count LENGTH "${TINYTORCH_MANIFEST}" ${ARGN})
    set(items "")
    if(count GREATER 0)
        math(EXPR last "${count} - 1")
        foreach(i RANGE ${last})
            string(JSON item GET "${TINYTORCH_MANIFEST}" ${ARGN} ${i})
            list(APPEND items "${item}")
        endforeach()
    endif()
    set(${out} "${items}" PARENT_SCOPE)
endfunction()

# Test support shared by every test target: GoogleTest plus tests/support.
add_library(tinytorch_testing INTERFACE)
target_include_directories(tinytorch_testing INTERFACE "${PROJECT_SOURCE_DIR}/tests/support")
target_link_libraries(tinytorch_testing INTERFACE GTest::gtest GTest::gtest_main)
target_compile_definitions(tinytorch_testing INTERFACE
    TINYTORCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# tinytorch_discover_tests(<target> LABELS <labels...> [TIMEOUT s] [SERIAL] [FILTER f] [SUFFIX s])
# Registers a GoogleTest executable's tests with ctest at test time, with
# several labels. (gtest_discover_tests' PROPERTIES cannot carry a list, so
# the labels go on in a small script that ctest runs after discovery.)
function(tinytorch_discover_tests target)
    cmake_parse_arguments(ARG "SERIAL" "TIMEOUT;FILTER;SUFFIX" "LABELS" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set(list_var "${target}${ARG_SUFFIX}_TESTS")
    set(extra "")
    if(ARG_FILTER)
        list(APPEND extra TEST_FILTER "${ARG_FILTER}")
    endif()
    if(ARG_SUFFIX)
        list(APPEND extra TEST_SUFFIX "${ARG_SUFFIX}")
    endif()
    gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST TEST_LIST ${list_var} ${extra}
                         PROPERTIES TIMEOUT ${ARG_TIMEOUT})
    set(properties "LABELS \"${ARG_LABELS}\"")
    if(ARG_SERIAL)
        string(APPEND properties " RUN_SERIAL TRUE")
    endif()
    set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}${ARG_SUFFIX}_labels.cmake")
    file(WRITE "${script}"
        "if(${list_var})\n  set_tests_properties(\${${list_var}} PROPERTIES ${properties})\nendif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()

# tinytorch_add_gtest(<target> OBJECTS <object library> LIBRARY <lib> LABELS <labels...>)
# An executable from already compiled test objects, registered with ctest.
function(tinytorch_add_gtest target)
    cmake_parse_arguments(ARG "NO_CTEST;EXCLUDE_FROM_ALL" "OBJECTS;LIBRARY" "LABELS" ${ARGN})
    set(exclude "")
    if(ARG_EXCLUDE_FROM_ALL)
        set(exclude EXCLUDE_FROM_ALL)
    endif()
    add_executable(${target} ${exclude} $<TARGET_OBJECTS:${ARG_OBJECTS}>)
    target_link_libraries(${target} PRIVATE ${ARG_LIBRARY} tinytorch_testing)
    if(NOT ARG_NO_CTEST)
        tinytorch_discover_tests(${target} LABELS ${ARG_LABELS})
    endif()
endfunction()

# tinytorch_add_module(NUMBER 01 NAME tensor FILES tensor.cpp ... REQUIRES <numbers>)
function(tinytorch_add_module)
    cmake_parse_arguments(ARG "" "NUMBER;NAME" "FILES;REQUIRES" ${ARGN})
    set(folder "modules/${ARG_NUMBER}_${ARG_NAME}")
    set(dir "${PROJECT_SOURCE_DIR}/${folder}")
    if(NOT IS_DIRECTORY "${dir}")
        message(WARNING "curriculum.json lists module ${ARG_NUMBER} (${ARG_NAME}) but ${folder}/ "
                        "does not exist; its targets are skipped")
        return()
    endif()

    # The libraries this one links: those of the modules it requires.
    set(requires "")
    foreach(number IN LISTS ARG_REQUIRES)
        list(APPEND requires tinytorch_${TINYTORCH_MODULE_NAME_${number}})
    endforeach()

    file(GLOB sources CONFIGURE_DEPENDS "${dir}/*.cpp")
    set(student_sources "")
    set(provided_sources "${sources}")
    foreach(file IN LISTS ARG_FILES)
        if(NOT EXISTS "${dir}/${file}")
            message(FATAL_ERROR "curriculum.json: module ${ARG_NUMBER} lists ${folder}/${file}, "
                                "which does not exist")
        endif()
        list(APPEND student_sources "${dir}/${file}")
        list(REMOVE_ITEM provided_sources "${dir}/${file}")
    endforeach()

    # A stub leaves parameters unused; that is no reason to warn a student.
    set_source_files_properties(${student_sources} PROPERTIES COMPILE_OPTIONS -Wno-unused-parameter)

    add_library(tinytorch_${ARG_NAME} STATIC ${provided_sources} ${student_sources})
    target_include_directories(tinytorch_${ARG_NAME} PUBLIC "${dir}")
    target_link_libraries(tinytorch_${ARG_NAME} PUBLIC ${requires} fmt::fmt OpenMP::OpenMP_CXX ZLIB::ZLIB)
    add_library(tinytorch::${ARG_NAME} ALIAS tinytorch_${ARG_NAME})
    set_property(GLOBAL APPEND PROPERTY TINYTORCH_MODULE_LIBRARIES tinytorch_${ARG_NAME})

    # Test objects are compiled once and linked into the test executables of
    # this tree and, when grading, of the submission.
    set(module_targets tinytorch_${ARG_NAME})
    foreach(kind visible hidden)
        if(kind STREQUAL "visible")
            set(test_dir "${dir}/tests")
            set(target test_${ARG_NUMBER}_${ARG_NAME})
        else()
            set(test_dir "${PROJECT_SOURCE_DIR}/tests/hidden/${ARG_NUMBER}_${ARG_NAME}")
            set(target hidden_${ARG_NUMBER}_${ARG_NAME})
        endif()
        file(GLOB test_sources CONFIGURE_DEPENDS "${test_dir}/*.cpp")
        if(NOT test_sources)
            continue()
        endif()
        add_library(${target}_objects OBJECT ${test_sources})
        target_link_libraries(${target}_objects PRIVATE tinytorch_${ARG_NAME} tinytorch_testing)
        tinytorch_add_gtest(${target} OBJECTS ${target}_objects LIBRARY tinytorch_${ARG_NAME}
                            LABELS module ${ARG_NUMBER} ${ARG_NAME} ${kind})
        list(APPEND module_targets ${target})
        set_property(GLOBAL APPEND PROPERTY TINYTORCH_MODULE_TESTS ${target})

        if(TINYTORCH_SUBMISSION_DIR)
            tinytorch_add_submission_library(${ARG_NUMBER} ${ARG_NAME} "${provided_sources}"
                                             "${ARG_FILES}" "${requires}")
            tinytorch_add_gtest(grade_${ARG_NUMBER}_${ARG_NAME}_${kind} NO_CTEST EXCLUDE_FROM_ALL
                                OBJECTS ${target}_objects LIBRARY submission_${ARG_NAME})
        endif()
    endforeach()
    add_custom_target(module_${ARG_NUMBER} DEPENDS ${module_targets})
endfunction()

# The library of one module built from the submission's student files.
function(tinytorch_add_submission_library number name provided files requires)
    if(TARGET submission_${name})
        return()
    endif()
    set(student_sources "")
    foreach(file IN LISTS files)
        list(APPEND student_sources "${TINYTORCH_SUBMISSION_DIR}/modules/${number}_${name}/${file}")
    endforeach()
    # A warning in a submission is the student's business, never a lost module,
    # even when this tree is built with TINYTORCH_WERROR.
    set_source_files_properties(${student_sources} PROPERTIES COMPILE_OPTIONS
                                "-Wno-unused-parameter;-Wno-error")
    add_library(submission_${name} STATIC EXCLUDE_FROM_ALL ${provided} ${student_sources})
    target_include_directories(submission_${name} PUBLIC "${PROJECT_SOURCE_DIR}/modules/${number}_${name}")
    target_link_libraries(submission_${name} PUBLIC ${requires} fmt::fmt OpenMP::OpenMP_CXX ZLIB::ZLIB)
endfunction()

# Reads the manifest and declares every module in order.
function(tinytorch_declare_modules)
    string(JSON count LENGTH "${TINYTORCH_MANIFEST}" modules)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
        string(JSON number GET "${TINYTORCH_MANIFEST}" modules ${i} number)
        string(JSON name GET "${TINYTORCH_MANIFEST}" modules ${i} name)
        tinytorch_json_list(files modules ${i} files)
        tinytorch_json_list(requires modules ${i} requires)
        # Recorded before the module is declared so later ones can link it.
        set(TINYTORCH_MODULE_NAME_${number} ${name} CACHE INTERNAL "")
        tinytorch_add_module(NUMBER ${number} NAME ${name} FILES ${files} REQUIRES ${requires})
    endforeach()
    get_property(tests GLOBAL PROPERTY TINYTORCH_MODULE_TESTS)
    add_custom_target(library_tests DEPENDS ${tests})
endfunction()
