/* The scenario catalogue and the one expectation table of `rststorm
 * check`. Each entry says what the closer does, what the victim (the other
 * side) does afterwards, and what the kernel is expected to return to every
 * op, with the basis in net/ipv4 (tcp.c, tcp_input.c) and io_uring.
 *
 * Facts the table rests on (Linux 5.10 to 6.18, read in the source):
 *  F1 tcp_reset() sets sk_err by state: CLOSE_WAIT -> EPIPE (the peer's FIN
 *     came first), SYN_SENT -> ECONNREFUSED, otherwise ECONNRESET; then
 *     tcp_done() sets sk_shutdown = SHUTDOWN_MASK.
 *  F2 tcp_sendmsg fails when sk_err or SEND_SHUTDOWN is set; sk_stream_error
 *     reports sock_error() (which clears sk_err) or EPIPE, and raises SIGPIPE
 *     for EPIPE unless MSG_NOSIGNAL.
 *  F3 tcp_recvmsg returns queued data first; with nothing queued, 0 once a
 *     FIN was received (SOCK_DONE), else a pending sk_err (cleared), else 0
 *     after RCV_SHUTDOWN.
 *  F4 A write to a socket in CLOSE_WAIT succeeds: the bytes go out, and the
 *     peer, whose socket is closed (orphan, TIME_WAIT or gone), answers with
 *     an RST. On loopback the RST is processed before that write returns
 *     (the softirq runs on the writer's CPU; the socket is owned, so the RST
 *     waits in the backlog that release_sock() drains).
 *  F5 tcp_close() with unread data sends an RST instead of a FIN
 *     (TCPAbortOnClose); SO_LINGER {1, 0} makes close() send an RST
 *     (tcp_disconnect, TCPAbortOnData).
 *  F6 getsockopt(SO_ERROR) returns sock_error(): the pending error, cleared.
 *  F7 io_uring SEND/SENDMSG/RECV imply MSG_NOSIGNAL since 5.12 (commit
 *     76cd979f4f38), which also brought IORING_FEAT_NATIVE_WORKERS: the
 *     probe's features word tells, whatever the release number says; IORING_OP_WRITE goes through sock_write_iter with no
 *     flags, so an EPIPE raises SIGPIPE on the task that issued it: the
 *     submitter when issued inline, an io-wq worker or the SQPOLL thread
 *     otherwise (those block every signal: it is never delivered). SIGPIPE
 *     is a standard signal: it does not queue, so the EPIPEs of the ops one
 *     io_uring_enter issued deliver it once (measured: 3 deliveries for 100
 *     EPIPEs with 50 trials in flight, 100 for 100 with one).
 */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "plan.h"

#define OK RS_RES_OK
#define EOF_ RS_RES_EOF
#define E(e) (RS_RES_ERRNO0 + (e))
#define NOCLAIM (-1)
#define KILL RS_RES_KILLED
#define NOTRUN RS_RES_NOTRUN

/* one op: kind, gap before it, judged how, expected result(s), claim */
#define X(k, r) { RS_SOP_##k, false, RS_EXP_EXACT, 1, { r, 0 }, NOCLAIM }
#define XG(k, r, c) { RS_SOP_##k, true, RS_EXP_EXACT, 1, { r, 0 }, c }
#define XC(k, r, c) { RS_SOP_##k, false, RS_EXP_EXACT, 1, { r, 0 }, c }
#define O(k, r) { RS_SOP_##k, false, RS_EXP_ORDERED, 1, { r, 0 }, NOCLAIM }
#define M(k, r) { RS_SOP_##k, false, RS_EXP_MEASURED, 1, { r, 0 }, NOCLAIM }

static const struct rs_scenario catalogue[] = {
	/* ---- the seeds ---------------------------------------------------- */
	{ "seed-go", "Go write-up: server reads 1 byte and closes (FIN); client writes 1 byte 3 times, --gap apart",
	  "F4: the 2nd write is accepted and draws an RST; F1: that RST arrives in CLOSE_WAIT, so the 3rd write gets EPIPE",
	  "Go write-up", RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_NONE,
	  RS_PATH_INLINE, 0, 0, 1, 3,
	  { X(SEND, OK), XG(SEND, OK, OK), XG(SEND, E(EPIPE), E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "seed-java-fin", "Java write-up: client writes 12 bytes and closes (FIN); server reads, then writes twice, --gap apart",
	  "F3: the 12 bytes come before the EOF; F4: the 1st write draws an RST; F1: the 2nd gets EPIPE",
	  "Java write-up", RS_SIDE_CLIENT, RS_CLOSE_FIN, RS_SCW_OBSERVED,
	  RS_PATH_INLINE, 0, 12, 0, 3,
	  { X(RECV, OK), XG(SEND, OK, OK), XG(SEND, E(EPIPE), E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "seed-java-rst", "Java write-up: client writes 12 bytes and closes with SO_LINGER 0 (RST); server reads, writes twice, reads",
	  "F3: data queued before the RST is still read; F2: the 1st write reports ECONNRESET and clears it; after that SHUTDOWN_MASK: EPIPE on writes, 0 on reads",
	  "Java write-up", RS_SIDE_CLIENT, RS_CLOSE_RST, RS_SCW_OBSERVED,
	  RS_PATH_INLINE, 0, 12, 0, 4,
	  { X(RECV, OK), XG(SEND, E(ECONNRESET), E(ECONNRESET)),
	    XG(SEND, E(EPIPE), E(ECONNRESET)),
	    XC(RECV, EOF_, E(ECONNRESET)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },

	/* ---- FIN ---------------------------------------------------------- */
	{ "fin-write3", "server closes (FIN); client sends 3 times",
	  "F4: 1st send accepted, draws an RST; F1: RST in CLOSE_WAIT -> EPIPE; then SEND_SHUTDOWN -> EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(SEND, OK), O(SEND, E(EPIPE)), O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-read-write2", "server closes (FIN); client receives, then sends twice",
	  "F3: EOF after the FIN; F4: the 1st send draws an RST; F1: the 2nd gets EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(RECV, EOF_), X(SEND, OK), O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-data-read", "server sends 100 bytes, then closes (FIN); client receives twice, sends twice",
	  "F3: data is read before the EOF; F4 and F1 for the sends",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 100, 0, 4,
	  { X(RECV, OK), X(RECV, EOF_), X(SEND, OK), O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-soerror", "server closes (FIN); client: SO_ERROR, send, SO_ERROR, send",
	  "F6: no error after a FIN; the RST drawn by the send (F4) leaves EPIPE pending (F1), which SO_ERROR takes; the last send sees SEND_SHUTDOWN",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 4,
	  { X(SOERROR, OK), X(SEND, OK), O(SOERROR, E(EPIPE)),
	    O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },

	/* ---- RST and unread ------------------------------------------------- */
	{ "rst-write2", "server closes with SO_LINGER 0 (RST); client sends twice",
	  "F1: ECONNRESET pending; F2: the 1st send reports and clears it, the 2nd sees SEND_SHUTDOWN: EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 2, { X(SEND, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "rst-read2-write", "server closes with SO_LINGER 0 (RST); client receives twice, then sends",
	  "F3: the 1st receive reports ECONNRESET and clears it, the 2nd sees RCV_SHUTDOWN: 0; F2: EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(RECV, E(ECONNRESET)), X(RECV, EOF_), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "rst-data-read", "server sends 100 bytes, then closes with SO_LINGER 0 (RST); client receives twice, then sends",
	  "F3: data queued before the RST is read first, then ECONNRESET; F2: EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 100, 0, 3,
	  { X(RECV, OK), X(RECV, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "rst-soerror", "server closes with SO_LINGER 0 (RST); client: SO_ERROR, send, receive",
	  "F6: SO_ERROR takes the pending ECONNRESET; then EPIPE (F2) and 0 (F3)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SOERROR, E(ECONNRESET)), X(SEND, E(EPIPE)), X(RECV, EOF_) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "unread-write2", "client sends 16 bytes; server closes without reading them (the kernel sends RST); client sends twice",
	  "F5: close() with unread data sends an RST; then as rst-write2",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_UNREAD, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  16, 0, 0, 2, { X(SEND, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "shutdown-write2-read", "server half-closes (shutdown SHUT_WR) and keeps reading; client sends twice, receives",
	  "a half-close sends a FIN only: the peer still reads, so sends succeed; the receive sees EOF (F3)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_SHUTDOWN, RS_SCW_OBSERVED,
	  RS_PATH_INLINE, 0, 0, 0, 3,
	  { X(SEND, OK), X(SEND, OK), X(RECV, EOF_) }, RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },

	/* ---- races: distributions --------------------------------------- */
	{ "race-fin-nowait", "server closes (FIN); client sends twice and receives at once, same CPU, without waiting to see the FIN",
	  "whether the FIN and the drawn RST are processed before each op is a race",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_NONE, RS_PATH_INLINE, 0, 0,
	  0, 3, { M(SEND, OK), M(SEND, E(EPIPE)), M(RECV, EOF_) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "race-rst-nowait", "server closes with SO_LINGER 0 (RST); client sends twice at once, same CPU",
	  "whether the RST is processed before the 1st send is a race",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_NONE, RS_PATH_INLINE, 0, 0,
	  0, 2, { M(SEND, E(ECONNRESET)), M(SEND, E(EPIPE)) }, RS_SIG_NONE,
	  false, RS_SIGDISP_COUNT, false },
	{ "race-fin-xcpu", "another CPU closes (FIN) while the client sends twice and receives",
	  "the close and the ops run concurrently on two CPUs",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_XCPU, RS_PATH_INLINE, 0, 0,
	  0, 3, { M(SEND, OK), M(SEND, E(EPIPE)), M(RECV, EOF_) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "race-rst-xcpu", "another CPU closes with SO_LINGER 0 (RST) while the client sends twice",
	  "the close and the ops run concurrently on two CPUs",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_XCPU, RS_PATH_INLINE, 0, 0,
	  0, 2, { M(SEND, E(ECONNRESET)), M(SEND, E(EPIPE)) }, RS_SIG_NONE,
	  false, RS_SIGDISP_COUNT, false },

	/* ---- op kinds ----------------------------------------------------- */
	{ "fin-write3-sendmsg", "as fin-write3 with IORING_OP_SENDMSG",
	  "F4, F1 as fin-write3; MSG_NOSIGNAL: no SIGPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SENDMSG, OK), O(SENDMSG, E(EPIPE)), O(SENDMSG, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-write", "as fin-write3 with IORING_OP_WRITE (no MSG_NOSIGNAL possible)",
	  "F4, F1; F7: an EPIPE raises SIGPIPE on the submitting thread, once per io_uring_enter batch",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(WRITE, OK), O(WRITE, E(EPIPE)), O(WRITE, E(EPIPE)) },
	  RS_SIG_PER_EPIPE, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-send-flags0", "as fin-write3 with IORING_OP_SEND and flags 0 (no MSG_NOSIGNAL)",
	  "F7: an io_uring with 5.12's NATIVE_WORKERS implies MSG_NOSIGNAL; an older one raises SIGPIPE on EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(SEND0, OK), O(SEND0, E(EPIPE)), O(SEND0, E(EPIPE)) },
	  RS_SIG_PRE_5_12, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-sys-send", "reference: as fin-write3 with send(2), MSG_NOSIGNAL",
	  "F4, F1, F2 without io_uring",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SYS_SEND, OK), O(SYS_SEND, E(EPIPE)), O(SYS_SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-sys-write", "reference: as fin-write3 with write(2)",
	  "F4, F1; F2: write(2) has no MSG_NOSIGNAL, every EPIPE raises SIGPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SYS_WRITE, OK), O(SYS_WRITE, E(EPIPE)), O(SYS_WRITE, E(EPIPE)) },
	  RS_SIG_PER_EPIPE, false, RS_SIGDISP_COUNT, false },
	{ "rst-read2", "server closes with SO_LINGER 0 (RST); client reads twice with IORING_OP_READ",
	  "F3 through sock_read_iter: ECONNRESET, then 0",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 2, { X(READ, E(ECONNRESET)), X(READ, EOF_) }, RS_SIG_NONE,
	  false, RS_SIGDISP_COUNT, false },
	{ "rst-read2-sys-recv", "reference: as rst-read2 with recv(2)",
	  "F3 without io_uring", NULL, RS_SIDE_SERVER, RS_CLOSE_RST,
	  RS_SCW_OBSERVED, RS_PATH_INLINE, 0, 0, 0, 2,
	  { X(SYS_RECV, E(ECONNRESET)), X(SYS_RECV, EOF_) }, RS_SIG_NONE,
	  false, RS_SIGDISP_COUNT, false },
	{ "rst-read2-sys-read", "reference: as rst-read2 with read(2)",
	  "F3 without io_uring", NULL, RS_SIDE_SERVER, RS_CLOSE_RST,
	  RS_SCW_OBSERVED, RS_PATH_INLINE, 0, 0, 0, 2,
	  { X(SYS_READ, E(ECONNRESET)), X(SYS_READ, EOF_) }, RS_SIG_NONE,
	  false, RS_SIGDISP_COUNT, false },

	/* ---- execution paths ---------------------------------------------- */
	{ "fin-write3-async", "as fin-write3, every send forced to io-wq (IOSQE_ASYNC)",
	  "F4 holds, but the RST the 1st send drew may be processed after the next send is issued: a share",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_ASYNC,
	  0, 0, 0, 3, { X(SEND, OK), O(SEND, E(EPIPE)), O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "rst-write2-async", "as rst-write2, every send forced to io-wq (IOSQE_ASYNC)",
	  "the RST was seen before the 1st send: F1, F2 hold on any path",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_ASYNC,
	  0, 0, 0, 2, { X(SEND, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-write-async", "as fin-write3-write, forced to io-wq (IOSQE_ASYNC)",
	  "F7: the SIGPIPE goes to the io-wq worker, which blocks signals: counted, not judged",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_ASYNC,
	  0, 0, 0, 3, { X(WRITE, OK), O(WRITE, E(EPIPE)), O(WRITE, E(EPIPE)) },
	  RS_SIG_MEASURED, false, RS_SIGDISP_COUNT, false },
	{ "fin-write3-sqpoll", "as fin-write3 on an SQPOLL ring",
	  "the kernel's SQ thread issues the sends: the drawn RST may be processed after the next one: a share",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_SQPOLL,
	  0, 0, 0, 3, { X(SEND, OK), O(SEND, E(EPIPE)), O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "rst-write2-sqpoll", "as rst-write2 on an SQPOLL ring",
	  "the RST was seen before the 1st send: F1, F2 hold on any path",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_SQPOLL,
	  0, 0, 0, 2, { X(SEND, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },

	/* ---- test only: a deliberately wrong expectation ---------------- */
	{ "test-wrong-expectation", "TEST ONLY: expects ECONNRESET from the 1st send after a FIN (wrong on purpose)",
	  "none: it exists to prove that a wrong expectation gives DIFF and exit 1",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 1, { X(SEND, E(ECONNRESET)) }, RS_SIG_NONE, true, RS_SIGDISP_COUNT, false },
	/* the smallest unread close: the accounting of a close with unread
	 * data (trial.c) must see one byte as unread */
	{ "test-unread-1byte", "TEST ONLY: as unread-write2 with 1 unread byte",
	  "F5: close() with any unread data sends an RST; then as rst-write2",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_UNREAD, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  1, 0, 0, 2, { X(SEND, E(ECONNRESET)), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, true, RS_SIGDISP_COUNT, false },

	/* ---- SIGPIPE's action, O_NONBLOCK, reads after a drawn RST, ------
	 * ---- waiting for the error, the Go write-up's closing remark ----- */
	/* SIGPIPE's default action: the ops after the close run in a child
	 * process (trial.c), so a kill is the op's result (killed:SIGPIPE)
	 * and the ops after it never run (not-run); the check's own counter
	 * sees nothing of the child: rule none */
	{ "sigdfl-fin-sys-write", "server closes (FIN); client writes 3 times with write(2), SIGPIPE at its default action (the client's ops run in a child process)",
	  "F4: the 1st write draws an RST; F1: EPIPE; F2: sk_stream_error() sends SIGPIPE to the writer (send_sig, kernel/signal.c), whose default action ends it: killed in the 2nd write, the 3rd never runs",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SYS_WRITE, OK), O(SYS_WRITE, KILL), O(SYS_WRITE, NOTRUN) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	{ "sigdfl-rst-sys-write", "server closes with SO_LINGER 0 (RST); client writes 3 times with write(2), SIGPIPE at its default action (in a child process)",
	  "F2: the 1st write reports ECONNRESET (no signal: only EPIPE raises one); the 2nd sees SEND_SHUTDOWN: EPIPE and SIGPIPE, which kills the writer",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SYS_WRITE, E(ECONNRESET)), X(SYS_WRITE, KILL),
	    X(SYS_WRITE, NOTRUN) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	{ "sigdfl-fin-write", "server closes (FIN); client writes 3 times with IORING_OP_WRITE issued inline, SIGPIPE at its default action (in a child process)",
	  "F4, F1; F7: IORING_OP_WRITE goes through sock_write_iter without MSG_NOSIGNAL, issued inline the SIGPIPE goes to the submitter, delivered on the way out of io_uring_enter: killed there",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(WRITE, OK), O(WRITE, KILL), O(WRITE, NOTRUN) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	{ "sigdfl-rst-write", "server closes with SO_LINGER 0 (RST); client writes 3 times with IORING_OP_WRITE inline, SIGPIPE at its default action (in a child process)",
	  "F2: ECONNRESET first (no signal); then EPIPE, and F7: SIGPIPE to the submitter, which it kills",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(WRITE, E(ECONNRESET)), X(WRITE, KILL), X(WRITE, NOTRUN) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	{ "sigdfl-fin-write-sqpoll", "server closes (FIN); client writes 3 times with IORING_OP_WRITE on an SQPOLL ring, SIGPIPE at its default action (in a child process)",
	  "F7: the SQ thread issues the write and takes the SIGPIPE; an io thread blocks every signal but SIGKILL and SIGSTOP (create_io_thread, kernel/fork.c; upstream 5.10's SQ thread is a kthread, which ignores signals), so it stays pending there and nothing is killed; the drawn RST may be processed after the next write is issued: a share",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_SQPOLL,
	  0, 0, 0, 3,
	  { X(WRITE, OK), O(WRITE, E(EPIPE)), O(WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	{ "sigdfl-rst-write-sqpoll", "server closes with SO_LINGER 0 (RST); client writes twice with IORING_OP_WRITE on an SQPOLL ring, SIGPIPE at its default action (in a child process)",
	  "F2: ECONNRESET, then EPIPE; F7: the SIGPIPE goes to the SQ thread, which blocks it: nobody is killed",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_SQPOLL,
	  0, 0, 0, 2, { X(WRITE, E(ECONNRESET)), X(WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_DEFAULT, false },
	/* SIG_IGN: sig_ignored() (kernel/signal.c) drops the signal when it
	 * is raised, so the write returns EPIPE and nothing is delivered */
	{ "sigign-fin-sys-write", "server closes (FIN); client writes 3 times with write(2), SIGPIPE ignored (SIG_IGN)",
	  "F4, F1; F2 raises SIGPIPE, which an ignored action discards at once (sig_ignored, kernel/signal.c): the write returns EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3,
	  { X(SYS_WRITE, OK), O(SYS_WRITE, E(EPIPE)), O(SYS_WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_IGNORE, false },
	{ "sigign-rst-sys-write", "server closes with SO_LINGER 0 (RST); client writes twice with write(2), SIGPIPE ignored",
	  "F2: ECONNRESET, then EPIPE; the SIGPIPE is discarded (sig_ignored)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 2, { X(SYS_WRITE, E(ECONNRESET)), X(SYS_WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_IGNORE, false },
	{ "sigign-fin-write", "server closes (FIN); client writes 3 times with IORING_OP_WRITE inline, SIGPIPE ignored",
	  "F4, F1; F7: the SIGPIPE raised in the submitter is discarded (sig_ignored): the completions carry EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(WRITE, OK), O(WRITE, E(EPIPE)), O(WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_IGNORE, false },
	{ "sigign-rst-write", "server closes with SO_LINGER 0 (RST); client writes twice with IORING_OP_WRITE inline, SIGPIPE ignored",
	  "F2: ECONNRESET, then EPIPE; the SIGPIPE is discarded (sig_ignored)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 2, { X(WRITE, E(ECONNRESET)), X(WRITE, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_IGNORE, false },
	/* O_NONBLOCK on the socket against MSG_DONTWAIT per call */
	{ "nonblock-fin-read", "client's socket O_NONBLOCK: read(2) on the idle connection; server closes (FIN); client reads, sends twice",
	  "O_NONBLOCK makes sock_read_iter pass MSG_DONTWAIT: EAGAIN with nothing queued; after the FIN the same as blocking: F3 EOF, F4 and F1 for the sends",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 1, 4,
	  { X(SYS_READ, E(EAGAIN)), X(SYS_READ, EOF_), X(SYS_SEND, OK),
	    O(SYS_SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, true },
	{ "dontwait-fin-recv", "blocking socket, recv(2) with MSG_DONTWAIT on the idle connection; server closes (FIN); client receives, sends twice",
	  "MSG_DONTWAIT per call: tcp_recvmsg's timeout is 0, EAGAIN with nothing queued, as O_NONBLOCK; then F3 EOF, F4 and F1",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 1, 4,
	  { X(SYS_RECV, E(EAGAIN)), X(SYS_RECV, EOF_), X(SYS_SEND, OK),
	    O(SYS_SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "nonblock-rst-read", "client's socket O_NONBLOCK: read(2) on the idle connection; server closes with SO_LINGER 0 (RST); client reads twice, sends",
	  "EAGAIN while idle; after the RST the same as blocking: F3 ECONNRESET once, then 0; F2 EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_RST, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 1, 4,
	  { X(SYS_READ, E(EAGAIN)), X(SYS_READ, E(ECONNRESET)),
	    X(SYS_READ, EOF_), X(SYS_SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, true },
	{ "nonblock-uring-recv", "client's socket O_NONBLOCK: IORING_OP_RECV on the idle connection (a --timeout wait); server closes (FIN); client receives, sends twice",
	  "io_uring does not honour O_NONBLOCK on a socket: io_recv adds MSG_DONTWAIT for its own first try and arms a poll on EAGAIN (only MSG_DONTWAIT in the SQE makes it REQ_F_NOWAIT), so the receive waits, here until check cancels it at --timeout; after the FIN: F3 EOF, F4 and F1",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 1, 4,
	  { X(RECV, RS_RES_TIMEOUT), X(RECV, EOF_), X(SEND, OK),
	    O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, true },
	{ "dontwait-uring-recv", "IORING_OP_RECV with MSG_DONTWAIT on the idle connection; server closes (FIN); client receives (MSG_DONTWAIT), sends twice",
	  "MSG_DONTWAIT in the SQE makes the request REQ_F_NOWAIT (io_uring/net.c): EAGAIN, no poll; after the FIN: F3 EOF, F4 and F1",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 1, 4,
	  { X(RECV_DW, E(EAGAIN)), X(RECV_DW, EOF_), X(SEND, OK),
	    O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	/* reads after an RST: one the client drew, one from unread data */
	{ "fin-write-read", "server closes (FIN); client sends (drawing an RST), receives twice, SO_ERROR, sends",
	  "F4: the send draws an RST; F1: in CLOSE_WAIT it leaves EPIPE, not ECONNRESET; F3: the FIN came first (SOCK_DONE): reads give 0 and leave the error; F6: SO_ERROR takes EPIPE; the last send sees SEND_SHUTDOWN",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 5,
	  { X(SEND, OK), X(RECV, EOF_), X(RECV, EOF_), O(SOERROR, E(EPIPE)),
	    O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "unread-read2", "client sends 16 bytes; server closes without reading them (RST); client receives twice, sends",
	  "F5: close() with unread data sends an RST; F1: ECONNRESET (ESTABLISHED); F3: the 1st receive reports it, the 2nd sees RCV_SHUTDOWN: 0; F2: EPIPE",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_UNREAD, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  16, 0, 0, 3,
	  { X(RECV, E(ECONNRESET)), X(RECV, EOF_), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	/* waiting for the error: a poll for POLLERR|POLLHUP between writes */
	{ "fin-poll-write", "server closes (FIN); client sends, waits in poll(2) for POLLERR|POLLHUP, sends",
	  "F4: the send draws an RST; tcp_poll() reports POLLERR (sk_err, F1) and POLLHUP (SHUTDOWN_MASK) only once it is processed, so the 2nd send follows it: EPIPE (poll(2): io_uring's poll adds POLLRDHUP, which the FIN already set)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_INLINE,
	  0, 0, 0, 3, { X(SEND, OK), X(POLLERR, OK), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-poll-write-async", "as fin-poll-write, both sends forced to io-wq (IOSQE_ASYNC)",
	  "as fin-poll-write: the poll orders the 2nd send after the RST on any path (without it, fin-write3-async: a share)",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_ASYNC,
	  0, 0, 0, 3, { X(SEND, OK), X(POLLERR, OK), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	{ "fin-poll-write-sqpoll", "as fin-poll-write, the sends on an SQPOLL ring",
	  "as fin-poll-write: the poll orders the 2nd send after the RST on any path",
	  NULL, RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_OBSERVED, RS_PATH_SQPOLL,
	  0, 0, 0, 3, { X(SEND, OK), X(POLLERR, OK), X(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
	/* the Go write-up's closing remark, in its own set-up */
	{ "go-remark-read", "Go write-up's closing remark: as seed-go (server reads 1 byte, closes: FIN; client writes, --gap, writes: the RST), then --gap, the client reads, then writes",
	  "F1: the RST drawn in CLOSE_WAIT leaves EPIPE, not ECONNRESET; F3: the FIN came first: the read gives 0 (EOF), not ECONNRESET, and leaves EPIPE for the write",
	  "Go write-up", RS_SIDE_SERVER, RS_CLOSE_FIN, RS_SCW_NONE,
	  RS_PATH_INLINE, 0, 0, 1, 4,
	  { X(SEND, OK), XG(SEND, OK, NOCLAIM), XG(RECV, EOF_, E(ECONNRESET)),
	    O(SEND, E(EPIPE)) },
	  RS_SIG_NONE, false, RS_SIGDISP_COUNT, false },
};

static const char *const sop_names[RS_SOP_N] = {
	"send",     "sendmsg",   "write",    "send-flags0",
	"recv",     "read",      "sys-send", "sys-write",
	"sys-recv", "sys-read",  "so-error", "poll-err",
	"recv-dontwait",
};

const char *rs_sop_name(unsigned sop)
{
	return sop < RS_SOP_N ? sop_names[sop] : "?";
}

bool rs_sop_is_write(unsigned sop)
{
	return sop == RS_SOP_SEND || sop == RS_SOP_SENDMSG ||
	       sop == RS_SOP_WRITE || sop == RS_SOP_SEND0 ||
	       sop == RS_SOP_SYS_SEND || sop == RS_SOP_SYS_WRITE;
}

bool rs_sop_is_uring(unsigned sop)
{
	switch (sop) {
	case RS_SOP_SEND:
	case RS_SOP_SENDMSG:
	case RS_SOP_WRITE:
	case RS_SOP_SEND0:
	case RS_SOP_RECV:
	case RS_SOP_READ:
	case RS_SOP_RECV_DW:
		return true;
	default:
		return false;
	}
}

const char *rs_sigdisp_name(unsigned d)
{
	return d == RS_SIGDISP_DEFAULT ? "default" :
	       d == RS_SIGDISP_IGNORE ? "ignore" : "count";
}

const char *rs_side_name(unsigned side)
{
	return side == RS_SIDE_CLIENT ? "client" : "server";
}

const char *rs_sc_wait_name(unsigned w)
{
	return w == RS_SCW_NONE ? "none" : w == RS_SCW_XCPU ? "xcpu" : "observed";
}

const char *rs_path_name(unsigned p)
{
	return p == RS_PATH_ASYNC ? "io-wq" : p == RS_PATH_SQPOLL ? "sqpoll" : "inline";
}

size_t rs_scenario_count(void)
{
	return sizeof(catalogue) / sizeof(catalogue[0]);
}

const struct rs_scenario *rs_scenario_at(size_t i)
{
	return i < rs_scenario_count() ? &catalogue[i] : NULL;
}

bool rs_scenario_test_visible(void)
{
	const char *v = getenv("RS_TEST_SCENARIOS");

	return v && strcmp(v, "1") == 0;
}

const struct rs_scenario *rs_scenario_find(const char *name)
{
	for (size_t i = 0; i < rs_scenario_count(); i++)
		if (strcmp(catalogue[i].name, name) == 0 &&
		    (!catalogue[i].test_only || rs_scenario_test_visible()))
			return &catalogue[i];
	return NULL;
}

bool rs_sc_op_exact(const struct rs_scenario *sc, unsigned i, bool lagging)
{
	switch (sc->op[i].exp_kind) {
	case RS_EXP_EXACT:
		return true;
	case RS_EXP_ORDERED:
		return !lagging && sc->path == RS_PATH_INLINE;
	default:
		return false;
	}
}

void rs_sc_exp_format(const struct rs_sc_op *op, char *buf, size_t len)
{
	if (op->nexp > 1) {
		/* rs_result_name() may format an unnamed errno ("E41") in
		 * one shared buffer: take the first before the second */
		char first[24];

		snprintf(first, sizeof(first), "%s",
			 rs_result_name(op->exp[0]));
		snprintf(buf, len, "%s|%s", first, rs_result_name(op->exp[1]));
	} else
		snprintf(buf, len, "%s", rs_result_name(op->exp[0]));
}

void rs_sc_describe(const struct rs_scenario *sc, unsigned closer,
		    char *buf, size_t len)
{
	const char *p = sc->desc;
	size_t n = 0;

	if (!len)
		return;
	while (*p && n + 1 < len) {
		const char *w = NULL;

		/* whole words only: "server" and "client" trade places */
		if (closer != sc->closer && (p == sc->desc || p[-1] == ' ' ||
					     p[-1] == '(')) {
			if (strncmp(p, "server", 6) == 0 &&
			    (p[6] < 'a' || p[6] > 'z'))
				w = "client";
			else if (strncmp(p, "client", 6) == 0 &&
				 (p[6] < 'a' || p[6] > 'z'))
				w = "server";
		}
		if (w) {
			for (unsigned k = 0; k < 6 && n + 1 < len; k++)
				buf[n++] = w[k];
			p += 6;
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
}

unsigned rs_sc_sig_rule(const struct rs_scenario *sc, unsigned features)
{
	unsigned rule = sc->sigpipe;

	/* keyed on the probed io_uring, not the release: Debian's 5.10.223
	 * carries 5.15's io_uring (5.10.162 imported it) and implies
	 * MSG_NOSIGNAL; a release-number rule gave DIFF there */
	if (rule == RS_SIG_PRE_5_12)
		rule = (features & RS_FEAT_NATIVE_WORKERS) ? RS_SIG_NONE :
							     RS_SIG_PER_EPIPE;
	/* off the submitting thread the signal is not delivered (F7) */
	if (rule == RS_SIG_PER_EPIPE && sc->path != RS_PATH_INLINE)
		return RS_SIG_MEASURED;
	/* io_uring ops: one io_uring_enter can issue many that fail; the
	 * pending SIGPIPE is delivered once on the way back to user space */
	if (rule == RS_SIG_PER_EPIPE)
		for (unsigned i = 0; i < sc->nops; i++)
			if (rs_sop_is_write(sc->op[i].kind) &&
			    rs_sop_is_uring(sc->op[i].kind))
				return RS_SIG_COALESCED;
	return rule;
}

const char *rs_sig_rule_name(unsigned rule)
{
	switch (rule) {
	case RS_SIG_NONE:
		return "none";
	case RS_SIG_PER_EPIPE:
		return "per-EPIPE";
	case RS_SIG_COALESCED:
		return "1..per-EPIPE";
	default:
		return "measured";
	}
}
