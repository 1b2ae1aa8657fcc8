# deepsim_module(NAME [DEPS dep...]): one static library per sim/ module folder.
# Sources are the folder's *.cpp; headers are included as "sim/<module>/<file>.h" from the repo root.
function(deepsim_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${name}/*.cpp")
  set(target deepsim_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE deepsim_warnings)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(deepsim::${name} ALIAS ${target})
endfunction()

# deepsim_test(MODULE [DEPS dep...]): tests/<module>/*_test.cpp -> one GoogleTest program <module>_tests,
# registered with CTest test by test (gtest_discover_tests) and labelled with the module name.
function(deepsim_test module)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${module}/*_test.cpp")
  if(NOT sources)
    return()
  endif()
  set(target ${module}_tests)
  add_executable(${target} ${sources})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock deepsim_warnings)
  target_compile_definitions(${target} PRIVATE DEEPSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                               DEEPSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${module};${ARG_LABELS}" ENVIRONMENT "DEEPSIM_SOURCE_DIR=${PROJECT_SOURCE_DIR};QT_QPA_PLATFORM=offscreen")
endfunction()
