# Shared by t_man.sh and t_completion.sh: what the binary says it takes,
# read from its own help texts, so the man page and the completion are
# checked against the program rather than against a copy.
#   commands            the commands `rststorm help` lists, one a line
#   help_options CMD    CMD's options from `rststorm CMD --help`, one a
#                       line: "--long" or "-s,--long"
#   help_argopts CMD    the long options of CMD that take an argument
commands() {
	"$RSTSTORM" help | awk '/^commands:/ { on = 1; next }
		on && /^  [a-z]/ { print $1 }'
}

# An option line starts with blanks, an optional "-s, " and "--long"; text
# that merely mentions an option (--target/--listen) is not at that place.
help_options() {
	"$RSTSTORM" "$1" --help | sed -n -E \
		-e 's/^ +-([A-Za-z0-9]), --([a-z0-9][a-z0-9-]*).*/-\1,--\2/p' \
		-e 's/^ +--([a-z0-9][a-z0-9-]*).*/--\1/p' | sort -u
}

help_argopts() {
	"$RSTSTORM" "$1" --help | sed -n -E \
		's/^ +(-[A-Za-z0-9], )?--([a-z0-9][a-z0-9-]*) [A-Z][A-Z:|@/]* .*/--\2/p' | sort -u
}
