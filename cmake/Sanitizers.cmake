# SANITIZE=address: ASan + UBSan, every report fatal. SANITIZE=thread: TSan.
set(SANITIZE "" CACHE STRING "address | thread | empty")
if(SANITIZE STREQUAL "address")
	add_compile_options(-fsanitize=address,undefined
		-fno-sanitize-recover=all -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
elseif(SANITIZE STREQUAL "thread")
	add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
	add_link_options(-fsanitize=thread)
endif()
