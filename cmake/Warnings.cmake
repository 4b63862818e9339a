# The whole warning policy in one list.
set(AFFILIATED_WARNINGS
	-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wformat=2 -Wcast-qual -Wwrite-strings -Wvla
	-Wno-format-nonliteral -Wno-overlength-strings -Werror)
