# bash completion for rststorm: commands, each command's options, the values
# of options that take a fixed set, directories and files where an option
# takes a path, and scenario names for `rststorm check`. Plain bash: it
# needs nothing from the bash-completion package.
#
# The option lists below are checked against each command's --help by the
# project's tests (tests/integration/t_completion.sh): a new option goes in
# its command's _rststorm_opts_CMD list, and in _rststorm_args_CMD too when
# it takes a value.

_rststorm_commands='run serve check scenarios compare merge report schema probe version help'

_rststorm_opts_run='-c --concurrency -d --duration -n --connections -t --threads
	--server-threads --ports --close --seed --ops --op-size --server-sends
	--closer --wait --op-gap --timeout --csv -q --quiet --no-direct --no-multishot --ring --engine --netns --hold
	--churn --sources --no-server-direct --target --allow-remote --rate
	--client-index --json --hlog --interval -6 --ipv6 --foreign --request
	--link --repeat -h --help'
_rststorm_args_run='-c --concurrency -d --duration -n --connections -t
	--threads --server-threads --ports --close --seed --ops --op-size
	--server-sends --closer --wait --op-gap --timeout --csv --ring --engine
	--sources --target --rate --request --client-index --json --hlog --link
	--repeat'

_rststorm_opts_serve='-d --duration -t --threads --close --seed --server-sends --csv -q
	--quiet --no-multishot --ring --no-server-direct --listen --allow-remote
	-6 --ipv6 -h --help'
_rststorm_args_serve='-d --duration -t --threads --close --seed --server-sends --csv --ring
	--listen'

_rststorm_opts_check='--trials --repeat --load-c --gap --closer --parallel --timeout
	--csv --json --netns --link --ring --no-direct --no-multishot -f --file
	--all -6 --ipv6 -q --quiet -h --help'
_rststorm_args_check='--trials --repeat --load-c --gap --closer --parallel --timeout
	--csv --json --ring --link -f --file'

_rststorm_opts_compare='--alpha --min-diff --strict --csv --json --all -h
	--help'
_rststorm_args_compare='--alpha --min-diff --csv --json'

_rststorm_opts_merge='-o --output --json -h --help'
_rststorm_args_merge='-o --output --json'

_rststorm_opts_report='-o --output -h --help'
_rststorm_args_report='-o --output'

_rststorm_opts_schema='--markdown --check --update -h --help'
_rststorm_args_schema='--check --update'

_rststorm_opts_scenarios='-f --file --all --show -h --help'
_rststorm_args_scenarios='-f --file --show'
_rststorm_opts_probe='-h --help'
_rststorm_opts_version='-h --help'

# _rststorm_list CUR WORD...: the words that start with the part of CUR
# after its last comma, each prefixed with what comes before it, for
# comma-separated values (--close fin=1,rst=1, --ops write,read)
_rststorm_list() {
	local cur=$1 pre= w
	shift
	case $cur in *,*) pre=${cur%,*},; cur=${cur##*,} ;; esac
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
	done
}

# bash splits the line at = and : (COMP_WORDBREAKS), so COMP_WORDS has
# "--close" "fin" "=" "1,r" for --close fin=1,r. The completion works on
# whole words read from COMP_LINE (cur, and prev before it; --opt=VALUE is
# taken apart), then cuts what it offers back to the part bash replaces.
_rststorm() {
	local cur prev bcur=${COMP_WORDS[COMP_CWORD]} vpre= line cut i
	local -a toks
	cur=$bcur
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [[ -n ${COMP_LINE-} ]]; then
		line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
		read -ra toks <<<"$line"
		if [[ -z $line || $line == *[[:space:]] ]]; then
			cur=
			prev=${toks[${#toks[@]} - 1]-}
		else
			cur=${toks[${#toks[@]} - 1]}
			prev=
			((${#toks[@]} > 1)) && prev=${toks[${#toks[@]} - 2]}
		fi
	fi
	[[ $bcur == [=:] ]] && bcur=
	cut=$((${#cur} - ${#bcur}))
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		vpre=$prev=
		cur=${cur#*=}
	fi
	COMPREPLY=()
	_rststorm_words
	if [[ -n $vpre || $cut -gt 0 ]]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$vpre${COMPREPLY[i]}
			COMPREPLY[i]=${COMPREPLY[i]:cut}
		done
	fi
	return 0
}

# The candidates for the whole word cur after prev (dynamic scope: the
# caller's locals), into COMPREPLY.
_rststorm_words() {
	local cmd= w opts args

	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '-V --version -h --help' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_rststorm_commands" -- "$cur")
		fi
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case $cmd in
	help)
		((COMP_CWORD == 2)) &&
			mapfile -t COMPREPLY < <(compgen -W "$_rststorm_commands" -- "$cur")
		return 0 ;;
	run | serve | check | scenarios | compare | merge | report | schema | probe | version) ;;
	*) return 0 ;;
	esac
	w=_rststorm_opts_$cmd; opts=${!w}
	w=_rststorm_args_$cmd; args=${!w-}

	# the value of the option before the cursor
	if [[ " ${args//[$'\n\t']/ } " == *" $prev "* ]]; then
		case $cmd:$prev in
		*:--engine) mapfile -t COMPREPLY < <(compgen -W 'uring epoll' -- "$cur") ;;
		*:--ring) mapfile -t COMPREPLY < <(compgen -W 'auto defer coop plain' -- "$cur") ;;
		*:--wait) mapfile -t COMPREPLY < <(compgen -W 'close none' -- "$cur") ;;
		*:--closer) mapfile -t COMPREPLY < <(compgen -W 'server client' -- "$cur") ;;
		*:--close)
			# a weight (=N) or another mode may follow
			compopt -o nospace 2>/dev/null
			_rststorm_list "$cur" fin rst unread shutdown ;;
		*:--ops)
			# none only alone; another op may follow
			compopt -o nospace 2>/dev/null
			if [[ $cur == *,* ]]; then
				_rststorm_list "$cur" send sendmsg send-zc write recv read
			else
				_rststorm_list "$cur" send sendmsg send-zc write recv read none
			fi ;;
		scenarios:--show)
			w=${COMP_WORDS[0]}
			command -v "$w" >/dev/null 2>&1 &&
				mapfile -t COMPREPLY < <(compgen -W \
					"$("$w" scenarios 2>/dev/null | awk '/^[a-z]/ { print $1 }')" -- "$cur") ;;
		*:--json | *:-f | *:--file | run:--hlog | schema:--check | schema:--update | report:-o | report:--output)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		*:--csv | merge:-o | merge:--output)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
		run:--request)
			if [[ $cur == @* ]]; then
				compopt -o filenames 2>/dev/null
				mapfile -t COMPREPLY < <(compgen -f -- "${cur#@}")
				COMPREPLY=("${COMPREPLY[@]/#/@}")
			fi ;;
		esac
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi
	case $cmd in
	compare | merge | report)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	check)
		# scenario names, from the program being completed
		w=${COMP_WORDS[0]}
		if command -v "$w" >/dev/null 2>&1; then
			mapfile -t COMPREPLY < <(compgen -W \
				"$("$w" scenarios 2>/dev/null | awk '/^[a-z]/ { print $1 }')" -- "$cur")
		fi ;;
	esac
	return 0
}
complete -F _rststorm rststorm
