#!/usr/bin/env bash
# The kernel matrix: boots Debian's kernels in qemu with a busybox initramfs
# that holds rststorm-static, runs bench/matrix/commands.sh in each guest and
# on the host, and stores what comes out under results/kernels/<uname -r>/.
# Kernel packages are only downloaded (never installed), through a private
# apt configuration, into bench/cache/kernels/. docs/kernels.md has the rest.
set -euo pipefail
usage='usage: bench/kernel-matrix.sh [-h]   environment: KERNELS="5.10 6.1 6.12 latest host" ACCEL=auto|tcg|kvm TIMEOUT=900 MATRIX_CMDS=... TRIALS=50 LOAD_C=200 GAP=200ms (see the header of the script)'
# Environment (all optional):
#   KERNELS      kernels to run: a version (5.10, 6.1, 6.12, 7.2, ...: the newest
#                package of that series in SUITES), latest (the newest of all)
#                or host (this machine's kernel, no qemu); default
#                "5.10 6.1 6.12 latest host"
#   FLAVOUR      kernel flavour, default cloud-amd64 (virtio and the rest built
#                in); a series without it falls back to amd64
#   SUITES       the Debian suites searched, default "bullseye bookworm
#                bookworm-backports trixie trixie-backports sid experimental"
#   ACCEL        auto (KVM when a guest boots with it, else TCG), tcg or kvm
#   TIMEOUT      seconds for one guest, boot to poweroff (default 900)
#   MEM, SMP     guest memory and CPUs (default 1G, 2)
#   CPU          qemu's -cpu under TCG (default max; KVM uses host)
#   TCG_OPTS     more -accel tcg options, e.g. thread=single (6.12 oopses
#                less often under single-threaded TCG)
#   REFRESH=1    re-read the suites' package lists (else reused for a day)
#   MATRIX_CMDS, TRIALS, LOAD_C, GAP (check's --gap, default 200ms), CMD_TIMEOUT
#                the commands run in each guest
#                and on the host: see bench/matrix/commands.sh
#   RETRIES      boots tried again after an oops, hang or no results (default 2)
#   RESULTS      where results go, from the top of the repository (default
#                results/kernels)

die() {
	echo "kernel-matrix: $*" >&2
	exit 1
}
note() { echo "kernel-matrix: $*" >&2; }

case "${1:-}" in
-h | --help)
	echo "$usage"
	exit 0
	;;
'' | _fetch | _kernel | _host) ;;
*)
	echo "kernel-matrix: '$1': unknown argument (settings come from the environment)" >&2
	echo "$usage" >&2
	exit 2
	;;
esac

cd "$(dirname "$0")/.."
top=$(pwd)
cache=$top/bench/cache/kernels
A=$cache/apt
RESULTS=${RESULTS:-results/kernels}
FLAVOUR=${FLAVOUR:-cloud-amd64}
SUITES=${SUITES:-bullseye bookworm bookworm-backports trixie trixie-backports sid experimental}
TIMEOUT=${TIMEOUT:-900}
MEM=${MEM:-1G}
SMP=${SMP:-2}
ACCEL=${ACCEL:-auto}
KERNELS=${KERNELS:-5.10 6.1 6.12 latest host}
export MATRIX_CMDS="${MATRIX_CMDS:-}" TRIALS="${TRIALS:-50}" LOAD_C="${LOAD_C:-200}" GAP="${GAP:-200ms}" CMD_TIMEOUT="${CMD_TIMEOUT:-600}"

# Options that make apt read and write only under $A: its own sources list,
# package lists, cache and (empty) dpkg status, so the host's apt setup and
# installed packages are untouched.
apt_opts=(
	-o "Dir::Etc::SourceList=$A/sources.list"
	-o "Dir::Etc::SourceParts=$A/sources.list.d"
	-o "Dir::Etc::Preferences=$A/preferences"
	-o "Dir::Etc::PreferencesParts=$A/preferences.d"
	-o "Dir::State::Lists=$A/lists"
	-o "Dir::State::Status=$A/status"
	-o "Dir::Cache=$A/cache"
	-o "APT::Architecture=amd64"
	-o "Acquire::Languages=none"
)

# Kernel options the guest cannot boot or run rststorm without. The
# initramfs carries no modules, so each must be built in (=y).
required_config=(BLK_DEV_INITRD RD_GZIP DEVTMPFS PROC_FS SYSFS TTY SERIAL_8250
	SERIAL_8250_CONSOLE NET INET UNIX IO_URING)

# need_tools: install the host tools this script uses, with apt, when missing.
need_tools() {
	local missing=() p
	for p in qemu-system-x86 busybox-static cpio; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian's apt"
	((${#missing[@]})) || return 0
	[ "$(id -u)" = 0 ] || die "missing host packages ${missing[*]}: run: sudo apt-get install --no-install-recommends ${missing[*]}"
	note "installing ${missing[*]} on the host"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
		die "apt-get install ${missing[*]} failed: install them by hand and run again"
}

# archive: "URI KEYRING" of the main Debian archive that the host's deb822
# sources name (the first stanza whose suites are not -security).
archive() {
	local f=/etc/apt/sources.list.d/debian.sources
	[ -r "$f" ] || die "$f not found: this script reads the Debian archive's URI from it; write it or set up apt first"
	awk 'BEGIN { RS = ""; FS = "\n" }
	{
		u = ""; k = ""; s = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, a, /[ \t]+/); u = a[1] }
			if ($i ~ /^Suites:/) s = $i
			if ($i ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", $i); k = $i }
		}
		if (u != "" && s !~ /-security/) { print u, (k ~ /^\// ? k : "-"); exit }
	}' "$f"
}

# apt_lists: write the private sources list and read the suites' package
# lists, at most once a day (REFRESH=1: now).
apt_lists() {
	local uri key opt=""
	read -r uri key < <(archive) || true
	[ -n "${uri:-}" ] || die "no archive URI in /etc/apt/sources.list.d/debian.sources: add a stanza with URIs: and Suites:"
	[ "$key" != - ] && [ -r "$key" ] && opt="[signed-by=$key] "
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" "$A/preferences.d"
	touch "$A/status" "$A/preferences"
	local want s
	want=$(for s in $SUITES; do echo "deb ${opt}$uri $s main"; done)
	if [ "$want" != "$(cat "$A/sources.list" 2>/dev/null)" ]; then
		echo "$want" >"$A/sources.list"
		rm -f "$A/updated"
	fi
	if [ "${REFRESH:-0}" = 1 ] || [ -z "$(find "$A/updated" -mmin -1440 2>/dev/null)" ]; then
		note "reading the package lists of $SUITES from $uri (private apt lists in $A)"
		if apt-get "${apt_opts[@]}" -qq update >"$A/update.log" 2>&1; then
			touch "$A/updated"
		elif compgen -G "$A/lists/*_Packages*" >/dev/null; then
			note "apt-get update failed (see $A/update.log); using the lists read before"
		else
			die "apt-get update of the private lists failed: see $A/update.log (a suite in SUITES may no longer be in the archive)"
		fi
	fi
}

# resolve NAME: "METAPACKAGE VERSION SUITE" of the newest kernel metapackage
# of that series (or of all, for latest) in SUITES; cloud flavour first.
resolve() {
	local name=$1 fl meta v s best bestsuite
	local pat="^${name//./\\.}[.~-]"
	for fl in "$FLAVOUR" amd64; do
		meta=linux-image-$fl best="" bestsuite=""
		while read -r v s; do
			[ "$name" = latest ] || [[ $v =~ $pat ]] || continue
			if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
				best=$v bestsuite=${s%%/*}
			fi
		done < <(apt-cache "${apt_opts[@]}" madison "$meta" 2>/dev/null |
			awk -F'|' '{ gsub(/ /, "", $2); split($3, a, " "); print $2, a[2] }')
		if [ -n "$best" ]; then
			echo "$meta $best $bestsuite"
			return 0
		fi
	done
	return 1
}

# closure PKG VERSION: PKG and the linux-* packages it depends on at exactly
# VERSION, recursively, without modules and headers. Bookworm's kernels are
# one linux-image-ABI package; from 7.x the image, base files and modules are
# split (linux-binary-ABI holds vmlinuz, linux-base-ABI the config).
closure() {
	local ver=$2 todo=("$1") seen=" " p dep re='^(linux-[a-z0-9.+~-]+) \(= ([^)]+)\)$'
	while ((${#todo[@]})); do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		[[ $seen == *" $p "* ]] && continue
		seen+="$p "
		echo "$p"
		while IFS= read -r dep; do
			dep=$(echo "$dep" | sed 's/^ *//; s/ *$//')
			[[ $dep =~ $re ]] || continue
			[ "${BASH_REMATCH[2]}" = "$ver" ] || continue
			case ${BASH_REMATCH[1]} in linux-modules-* | linux-headers-*) continue ;; esac
			todo+=("${BASH_REMATCH[1]}")
		done < <(apt-cache "${apt_opts[@]}" show "$p=$ver" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n')
	done
}

# fetch NAME: downloads and unpacks that kernel once; prints its cache dir,
# which holds vmlinuz, config and package.txt.
fetch() {
	local name=$1 meta ver suite dir pkgs p
	read -r meta ver suite < <(resolve "$name") ||
		die "no linux-image-$FLAVOUR or linux-image-amd64 of series $name in $SUITES: check KERNELS or set SUITES"
	dir=$cache/${meta}_$ver
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/debs"
		# apt drops root for downloads: let its user write there
		id _apt >/dev/null 2>&1 && chown _apt "$dir/debs"
		mapfile -t pkgs < <(closure "$meta" "$ver")
		note "$name: downloading ${pkgs[*]} $ver ($suite)"
		(cd "$dir/debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]/%/=$ver}") >"$dir/download.log" 2>&1 ||
			die "$name: apt-get download of ${pkgs[*]} $ver failed: see $dir/download.log"
		mkdir -p "$dir/x"
		for p in "$dir"/debs/*.deb; do
			dpkg-deb -x "$p" "$dir/x" || die "$name: dpkg-deb -x $p failed: delete $dir and run again"
		done
		local vmlinuz config
		vmlinuz=$(find "$dir/x" \( -path '*/boot/vmlinuz-*' -o -path '*/lib/modules/*/vmlinuz' \) -type f | head -n1)
		config=$(find "$dir/x" \( -path '*/boot/config-*' -o -path '*/lib/modules/*/config' \) -type f | head -n1)
		[ -n "$vmlinuz" ] || die "$name: no vmlinuz in ${pkgs[*]}: the packaging changed; look at $dir/x"
		[ -n "$config" ] || die "$name: no kernel config in ${pkgs[*]}: the packaging changed; look at $dir/x"
		cp "$vmlinuz" "$dir/vmlinuz"
		cp "$config" "$dir/config"
		{
			echo "series $name"
			echo "metapackage $meta"
			echo "version $ver"
			echo "suite $suite"
			echo "archive $(archive | cut -d' ' -f1)"
			for p in "$dir"/debs/*.deb; do
				echo "deb $(basename "$p") sha256 $(sha256sum <"$p" | cut -d' ' -f1)"
			done
		} >"$dir/package.txt"
		rm -rf "$dir/x"
		touch "$dir/.done"
	fi
	check_config "$name" "$dir/config"
	echo "$dir"
}

# check_config NAME CONFIG: every required option is built in.
check_config() {
	local o v
	for o in "${required_config[@]}"; do
		v=$(sed -n "s/^CONFIG_$o=//p" "$2")
		case $v in
		y) ;;
		m) die "$1: CONFIG_$o=m: this kernel needs its module for that, and the initramfs carries none: try FLAVOUR=amd64 or another series" ;;
		*) die "$1: CONFIG_$o is not set in $2: this kernel cannot run the matrix; choose another series" ;;
		esac
	done
}

# sq WORD: WORD quoted for sh.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# initramfs OUT: busybox, rststorm-static, the init and the commands.
initramfs() {
	local out=$1 root
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,out,matrix}
	cp /bin/busybox "$root/bin/busybox"
	cp rststorm-static "$root/bin/rststorm"
	cp bench/matrix/init "$root/init"
	cp bench/matrix/commands.sh "$root/matrix/commands.sh"
	chmod 755 "$root/init" "$root/bin/busybox" "$root/bin/rststorm"
	{
		echo "MATRIX_CMDS=$(sq "$MATRIX_CMDS")"
		echo "TRIALS=$(sq "$TRIALS")"
		echo "LOAD_C=$(sq "$LOAD_C")"
		echo "GAP=$(sq "$GAP")"
		echo "CMD_TIMEOUT=$(sq "$CMD_TIMEOUT")"
	} >"$root/matrix/env"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out" ||
		die "building the initramfs failed (cpio, gzip): check that both are installed"
	rm -rf "$root"
}

# boot VMLINUZ INITRD ACCEL WORKDIR [KERNEL ARGS...]: one guest, bounded by
# TIMEOUT; console in WORKDIR/console.raw, results port in WORKDIR/data.raw.
# oops=panic and panic=-1 with -no-reboot end qemu at the first oops: an
# oops in a kernel thread would otherwise leave the guest hung until TIMEOUT.
boot() {
	local vmlinuz=$1 initrd=$2 accel=$3 work=$4 cpu
	shift 4
	[ "$accel" = kvm ] && cpu=host || cpu=${CPU:-max}
	# TCG_OPTS=thread=single: one host thread for all vCPUs (fewer of
	# 6.12's oopses under TCG; slower)
	[ "$accel" = tcg ] && [ -n "${TCG_OPTS:-}" ] && accel="tcg,$TCG_OPTS"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
		-m "$MEM" -smp "$SMP" -nographic -no-reboot -net none \
		-serial mon:stdio -serial "file:$work/data.raw" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic $*" </dev/null >"$work/console.raw" 2>&1
}

# clean_log: serial text without CR and terminal escapes.
clean_log() { sed -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'; }

# store OUT DEST: replace DEST by OUT.
store() {
	mkdir -p "$(dirname "$2")"
	rm -rf "$2.old"
	[ -e "$2" ] && mv "$2" "$2.old"
	mv "$1" "$2"
	rm -rf "$2.old"
}

# pick_accel VMLINUZ INITRD: kvm if a guest boots with it, else tcg.
pick_accel() {
	[ "$ACCEL" = auto ] || { echo "$ACCEL"; return; }
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		local work
		work=$(mktemp -d)
		TIMEOUT=60 boot "$1" "$2" kvm "$work" rststorm.smoke=1 || true
		if grep -q 'matrix: smoke ok' "$work/console.raw"; then
			rm -rf "$work"
			echo kvm
			return
		fi
		note "/dev/kvm is there but a guest did not boot with it ($(grep -m1 -i error "$work/console.raw" | tr -d '\r' || echo 'no error text')): using TCG"
		rm -rf "$work"
	fi
	echo tcg
}

# oops_in LOG: the first line of a kernel oops or panic in a console log,
# and whether it came before or after /init started.
oops_in() {
	local line
	line=$(grep -m1 -E 'BUG: |Oops: |general protection fault|Kernel panic' "$1" || true)
	[ -n "$line" ] || return 0
	if grep -q '^matrix: init at' "$1" && [ "$(grep -n -m1 -F "$line" "$1" | cut -d: -f1)" -gt "$(grep -n -m1 '^matrix: init at' "$1" | cut -d: -f1)" ]; then
		echo "$line (after /init started)"
	else
		echo "$line (before /init)"
	fi
}

# run_kernel NAME (a child process, so that set -e holds in it): boot the
# kernel of that series and store its results. A boot that oopses, hangs or
# sends nothing is tried again, up to RETRIES more times (default 2), and
# each such attempt is written down in attempts.txt: under TCG, Debian's
# 6.12 kernel sometimes faults in early boot on a loaded host (docs/kernels.md).
run_kernel() {
	local name=$1 dir work t0 t1 rc release dest attempt=1 oops why
	local retries=${RETRIES:-2}
	dir=$(fetch "$name")
	# kept when something fails: the messages point into it
	work=$(mktemp -d "$cache/run.XXXXXX")
	: >"$work/attempts.txt"
	while :; do
		note "$name: booting $(sed -n 's/^metapackage //p' "$dir/package.txt") $(sed -n 's/^version //p' "$dir/package.txt") under $KM_ACCEL (timeout ${TIMEOUT}s, attempt $attempt)"
		rm -f "$work/data.raw" "$work/console.raw"
		rc=0
		t0=$(date +%s.%N)
		boot "$dir/vmlinuz" "$KM_INITRD" "$KM_ACCEL" "$work" || rc=$?
		t1=$(date +%s.%N)
		clean_log <"$work/console.raw" >"$work/console.log"
		oops=$(oops_in "$work/console.log")
		why=""
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			why="no poweroff within ${TIMEOUT}s"
		elif ! grep -q '^===RSTSTORM-MATRIX-END===' "$work/data.raw" 2>/dev/null; then
			why="no results (qemu exit $rc)"
		fi
		[ -n "$why$oops" ] || break
		echo "attempt $attempt: ${why:-results sent}${oops:+; kernel: $oops}" >>"$work/attempts.txt"
		note "$name: attempt $attempt: ${why:-results sent}${oops:+; kernel: $oops}"
		cp "$work/console.log" "$work/console-attempt$attempt.log"
		((attempt <= retries)) || break
		attempt=$((attempt + 1))
	done
	[ -z "$why" ] ||
		die "$name: $why after $attempt attempts: see $work/console-attempt*.log; the last console lines: $(tail -n3 "$work/console.log" | tr '\n' ' ')"
	mkdir -p "$work/out"
	tr -d '\r' <"$work/data.raw" | sed -n '/^===RSTSTORM-MATRIX-BEGIN===$/,/^===RSTSTORM-MATRIX-END===$/p' |
		sed '1d;$d' | base64 -d | tar -xz -C "$work/out" ||
		die "$name: the guest's results did not decode (base64, tar): see $work/data.raw"
	release=$(sed -n 's/^release //p' "$work/out/guest.txt")
	[ -n "$release" ] || die "$name: the guest sent no uname -r: see $work/out"
	cp "$dir/package.txt" "$work/out/package.txt"
	cp "$work/console.log" "$work/out/console.log"
	if [ -s "$work/attempts.txt" ]; then
		cp "$work/attempts.txt" "$work/out/attempts.txt"
		cp "$work"/console-attempt*.log "$work/out/"
	fi
	{
		echo "accel $KM_ACCEL"
		[ "$KM_ACCEL" = kvm ] || echo "cpu ${CPU:-max}"
		echo "attempt $attempt"
		echo "qemu_wall_s $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
		sed -n 's/^\(init_uptime_s\|done_uptime_s\) /\1 /p' "$work/out/guest.txt"
	} >"$work/out/boot-time.txt"
	dest=$RESULTS/$release
	store "$work/out" "$dest"
	rm -rf "$work"
	summary "$name" "$dest"
	[ -z "$oops" ] || die "$name: the kernel oopsed in every attempt, the last one $oops: results stored, see $dest/console.log"
}

# run_host: the same commands on this machine, without qemu.
run_host() {
	local work release
	work=$(mktemp -d "$cache/run.XXXXXX")
	mkdir -p "$work/bin" "$work/out"
	ln -s "$top/rststorm-static" "$work/bin/rststorm"
	note "host: running the commands on $(uname -r), no qemu"
	PATH="$work/bin:$PATH" sh bench/matrix/commands.sh "$work/out" >&2
	release=$(uname -r)
	{
		echo "release $release"
		echo "uname $(uname -a)"
		echo "cpus $(nproc)"
		echo "mem_kb $(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
		echo "host 1 (no qemu)"
	} >"$work/out/guest.txt"
	store "$work/out" "$RESULTS/$release"
	rm -rf "$work"
	summary host "$RESULTS/$release"
}

# summary NAME DEST: one line per command with its exit status.
summary() {
	local boot=""
	[ -f "$2/boot-time.txt" ] && boot=", boot to poweroff $(sed -n 's/^qemu_wall_s //p' "$2/boot-time.txt") s"
	echo "== $1: $2$boot"
	awk -F'\t' 'NR > 1 { printf "   %-8s exit %-3s %6ss  %s\n", $1, $2, $3, $4 }' "$2/commands.tsv"
	[ ! -f "$2/attempts.txt" ] || sed 's/^/   retried: /' "$2/attempts.txt"
}

case "${1:-}" in
_fetch)
	fetch "$2"
	exit 0
	;;
_kernel)
	run_kernel "$2"
	exit 0
	;;
_host)
	run_host
	exit 0
	;;
esac

# main
for k in $KERNELS; do
	[[ $k =~ ^[0-9]+\.[0-9]+$ || $k == latest || $k == host ]] ||
		die "KERNELS: '$k' is not a kernel series: use versions like 6.1, 'latest' or 'host'"
done
case $ACCEL in auto | tcg | kvm) ;; *) die "ACCEL: '$ACCEL' is not auto, tcg or kvm" ;; esac
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT: '$TIMEOUT' is not a number of seconds"
need_tools
[ -x rststorm-static ] || make static >&2 || die "make static failed: fix the build, then run again"
[ -x /bin/busybox ] || die "/bin/busybox missing: apt-get install busybox-static"
! ldd /bin/busybox >/dev/null 2>&1 || die "/bin/busybox is dynamically linked: apt-get install busybox-static"
mkdir -p "$cache"
# work dirs of failed guests are kept for a day, for their console logs
find "$cache" -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} +

failed=()
for k in $KERNELS; do
	if [ "$k" = host ]; then
		"$0" _host || failed+=(host)
		continue
	fi
	if [ -z "${KM_INITRD:-}" ]; then
		apt_lists
		export KM_INITRD=$cache/initramfs.cpio.gz
		initramfs "$KM_INITRD"
	fi
	# each kernel in a child process: set -e holds there, and one kernel
	# that fails does not stop the others
	if ! dir=$("$0" _fetch "$k"); then
		failed+=("$k")
		continue
	fi
	if [ -z "${KM_ACCEL:-}" ]; then
		KM_ACCEL=$(pick_accel "$dir/vmlinuz" "$KM_INITRD")
		export KM_ACCEL
	fi
	"$0" _kernel "$k" || failed+=("$k")
done
((${#failed[@]} == 0)) || die "no results for: ${failed[*]} (the messages above say why)"
note "done: results in $RESULTS/; bench/kernels-table.sh prints the table"
