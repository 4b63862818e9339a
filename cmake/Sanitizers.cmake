# SANITIZE=address: ASan + UBSan, every report fatal. SANITIZE=thread: TSan.
# SANITIZE=fuzzer (clang only): ASan + UBSan with libFuzzer's coverage
# hooks in every file, for the targets under tests/fuzz.
set(SANITIZE "" CACHE STRING "address | thread | fuzzer | empty")
if(SANITIZE STREQUAL "address")
	add_compile_options(-fsanitize=address,undefined
		-fno-sanitize-recover=all -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
elseif(SANITIZE STREQUAL "fuzzer")
	if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
		message(FATAL_ERROR "SANITIZE=fuzzer needs clang (CC=clang)")
	endif()
	add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
		-fno-sanitize-recover=all -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
elseif(SANITIZE STREQUAL "thread")
	add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
	add_link_options(-fsanitize=thread)
endif()
