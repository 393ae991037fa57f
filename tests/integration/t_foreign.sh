# run --foreign against a server rststorm did not write: Debian's nginx, in
# a fresh network namespace. /fin answers with "Connection: close" (a FIN
# after the response), /rst returns 444 with reset_timedout_connection on
# (an RST). rststorm must tell them apart from what it observes and show
# the seeds' outcomes after each: FIN, first write ok then EPIPE; RST,
# first write ECONNRESET.
. "$(dirname "$0")/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed (make deps installs it)"
unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
mkdir -p "$TMP/ngx/logs" "$TMP/ngx/tmp"
cat >"$TMP/ngx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $TMP/ngx/nginx.pid;
error_log $TMP/ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/ngx/tmp/body;
	proxy_temp_path $TMP/ngx/tmp/proxy;
	fastcgi_temp_path $TMP/ngx/tmp/fastcgi;
	uwsgi_temp_path $TMP/ngx/tmp/uwsgi;
	scgi_temp_path $TMP/ngx/tmp/scgi;
	server {
		listen 127.0.0.1:8080;
		location /fin {
			keepalive_timeout 0;
			lingering_close off;
			return 200 "fin\n";
		}
		location /rst {
			reset_timedout_connection on;
			return 444;
		}
	}
}
CONF
"$NGINX" -t -q -e "$TMP/ngx/logs/error.log" -p "$TMP/ngx" -c "$TMP/ngx/nginx.conf" \
	>"$TMP/ngx.t" 2>&1 || skip "nginx cannot run here: $(tail -n1 "$TMP/ngx.t")"

cat >"$TMP/inns.sh" <<INNER
set -u
ip link set lo up || exit 20
"$NGINX" -e "$TMP/ngx/logs/error.log" -p "$TMP/ngx" -c "$TMP/ngx/nginx.conf" \
	>"$TMP/ngx.out" 2>&1 &
npid=\$!
up=0
for i in \$(seq 200); do
	if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then up=1; break; fi
	kill -0 \$npid 2>/dev/null || break
	sleep 0.05
done
[ \$up = 1 ] || { kill -9 \$npid 2>/dev/null; exit 21; }
rc=0
# /fin's request as a string with escapes, /rst's from a file (@FILE)
printf 'GET /rst HTTP/1.1\r\nHost: test\r\n\r\n' >"$TMP/req.rst"
for loc in fin rst; do
	if [ \$loc = fin ]; then
		req="GET /fin HTTP/1.1\\\\r\\\\nHost: test\\\\r\\\\n\\\\r\\\\n"
	else
		req="@$TMP/req.rst"
	fi
	"$RSTSTORM" run -q -c 20 -n 400 --target 127.0.0.1:8080 --foreign \
		--request "\$req" --ops write,write,read --csv "$TMP/\$loc" \
		>"$TMP/\$loc.out" 2>"$TMP/\$loc.err" || rc=22
done
kill -TERM \$npid
wait \$npid
exit \$rc
INNER
unshare -n bash "$TMP/inns.sh"
rc=$?
case $rc in
0) ;;
20) skip "cannot bring lo up in a fresh namespace" ;;
21) skip "nginx did not start: $(tail -n2 "$TMP/ngx/logs/error.log" "$TMP/ngx.out" 2>/dev/null | tr '\n' ' ')" ;;
*) fail "exit $rc: $(cat "$TMP/fin.err" "$TMP/rst.err" 2>/dev/null)" ;;
esac

for loc in fin rst; do
	d=$TMP/$loc
	[ "$(summary books_balanced "$d")" = 1 ] || fail "$loc: books"
	[ "$(summary conns_completed "$d")" = 400 ] ||
		fail "$loc: completed $(summary conns_completed "$d") of 400: $(grep 'not completed' "$TMP/$loc.out")"
	[ "$(summary clock "$d")" = seen ] || fail "$loc: clock $(summary clock "$d")"
	[ "$(summary target "$d")" = "foreign 127.0.0.1:8080" ] || fail "$loc: target $(summary target "$d")"
	grep -q '^clock: seen: foreign server' "$TMP/$loc.out" || fail "$loc: clock line"
done
# every connection classified as what nginx did: /fin only FIN, /rst only RST
awk -F, 'NR > 1 && $4 != "fin" { exit 1 }' "$TMP/fin/outcomes.csv" ||
	fail "/fin: a close not seen as FIN: $(cat "$TMP/fin/outcomes.csv")"
awk -F, 'NR > 1 && $4 != "rst" { exit 1 }' "$TMP/rst/outcomes.csv" ||
	fail "/rst: a close not seen as RST: $(cat "$TMP/rst/outcomes.csv")"
expect_op fin 1 ok 0.95 "$TMP/fin"
expect_op fin 2 EPIPE 0.95 "$TMP/fin"
expect_op fin 3 eof 0.95 "$TMP/fin"
expect_op rst 1 ECONNRESET 0.95 "$TMP/rst"
expect_op rst 2 EPIPE 0.95 "$TMP/rst"
sed -n '1,12p' "$TMP/fin.out" | grep -E '^(fin|rst) |^  ' | sed 's/^/measured: nginx \/fin: /'
sed -n '1,12p' "$TMP/rst.out" | grep -E '^(fin|rst) |^  ' | sed 's/^/measured: nginx \/rst: /'
exit 0
