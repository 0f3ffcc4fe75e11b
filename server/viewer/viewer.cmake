# The map viewer: embed server/viewer/dist into the vnsdi_server library,
# and two optional npm steps. Included from server/CMakeLists.txt after
# add_library(vnsdi_server ...), with:  include(viewer/viewer.cmake)
#
# The bundle in dist/ is committed, so the server builds where npm is
# missing. `cmake --build BUILD --target viewer-bundle` rebuilds it from
# src/ with the locked npm packages (node_modules in BUILD/viewer-npm).

set(VIEWER_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB_RECURSE VIEWER_DIST_FILES CONFIGURE_DEPENDS ${VIEWER_DIR}/dist/*)
set(VIEWER_ASSETS_C ${CMAKE_CURRENT_BINARY_DIR}/viewer_assets.c)
add_custom_command(
  OUTPUT ${VIEWER_ASSETS_C}
  COMMAND ${CMAKE_COMMAND} -DDIST=${VIEWER_DIR}/dist -DOUTPUT=${VIEWER_ASSETS_C}
          -P ${VIEWER_DIR}/embed.cmake
  DEPENDS ${VIEWER_DIST_FILES} ${VIEWER_DIR}/embed.cmake
  COMMENT "Embedding the map viewer from server/viewer/dist"
  VERBATIM)
target_sources(vnsdi_server PRIVATE ${VIEWER_ASSETS_C})

find_program(VIEWER_NPM npm)
find_program(VIEWER_NODE node)
if(VIEWER_NPM AND VIEWER_NODE)
  # Rebuild dist/ from src/ (not part of the default build).
  set(VIEWER_NPM_DIR ${CMAKE_BINARY_DIR}/viewer-npm)
  add_custom_target(viewer-bundle
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIEWER_NPM_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${VIEWER_DIR}/package.json
            ${VIEWER_DIR}/package-lock.json ${VIEWER_NPM_DIR}
    COMMAND ${VIEWER_NPM} ci --no-audit --no-fund --prefix ${VIEWER_NPM_DIR}
    COMMAND ${CMAKE_COMMAND} -E env VIEWER_NODE_MODULES=${VIEWER_NPM_DIR}/node_modules
            ${VIEWER_NODE} ${VIEWER_DIR}/build.mjs
    WORKING_DIRECTORY ${VIEWER_DIR}
    COMMENT "Rebuilding server/viewer/dist with esbuild"
    VERBATIM)

  # playwright-core for the browser test (tests/integration/test_viewer.py),
  # installed from the lock file into BUILD/browser-test. A failure (no
  # registry) is reported and leaves the build going; the test then fails
  # and names the missing folder.
  set(VIEWER_TEST_DIR ${CMAKE_BINARY_DIR}/browser-test)
  set(VIEWER_TEST_SRC ${CMAKE_SOURCE_DIR}/tests/browser)
  set(VIEWER_TEST_STAMP ${VIEWER_TEST_DIR}/node_modules/.package-lock.json)
  add_custom_command(
    OUTPUT ${VIEWER_TEST_STAMP}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VIEWER_TEST_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${VIEWER_TEST_SRC}/package.json
            ${VIEWER_TEST_SRC}/package-lock.json ${VIEWER_TEST_DIR}
    COMMAND sh -c "${VIEWER_NPM} ci --no-audit --no-fund --prefix '${VIEWER_TEST_DIR}' || echo 'warning: npm ci failed in ${VIEWER_TEST_DIR}: the viewer browser test will fail'"
    DEPENDS ${VIEWER_TEST_SRC}/package.json ${VIEWER_TEST_SRC}/package-lock.json
    COMMENT "Installing playwright-core for the viewer browser test"
    VERBATIM)
  add_custom_target(viewer-test-deps ALL DEPENDS ${VIEWER_TEST_STAMP})
endif()
