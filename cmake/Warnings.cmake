# Project-wide compile settings as INTERFACE targets, linked privately by every target.
add_library(toolkit_warnings INTERFACE)
target_compile_options(toolkit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(TOOLKIT_WERROR)
  target_compile_options(toolkit_warnings INTERFACE -Werror)
endif()

add_library(toolkit_sanitizers INTERFACE)
if(TOOLKIT_SANITIZE)
  target_compile_options(toolkit_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(toolkit_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(toolkit_options INTERFACE)
target_link_libraries(toolkit_options INTERFACE toolkit_warnings toolkit_sanitizers)
