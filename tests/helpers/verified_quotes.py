"""Every `documented:` quote of the probe library, as re-read at its source.

Each entry is the first 16 hex digits of the SHA-256 of the quote with its
whitespace collapsed, and where the words were checked, verbatim: the source
and the commit or release read. A quote edited without a new check no longer
matches, so `tests/repository/test_probe_library.py` fails until someone
re-reads it and updates this table (and docs/verified-by-review.md).
"""

from __future__ import annotations

MAN_603 = "Linux man-pages 6.03 (Debian manpages 6.03-2)"
MAN_GIT = "and the man-pages git tree (git.kernel.org docs/man-pages, file at {})"
SDK = "MicrosoftDocs/sdk-api {} at {}"
XNU = "apple-oss-distributions/xnu rel/xnu-11417 (a1e26a70f38d1d7daa7b49b258e2f8538ad81650) {}"
GVISOR = "google/gvisor tag release-20221219.0 (2342c658c7c2ccdc1e23d642a5873c80297669de) {}"
CLOSESOCKET = SDK.format("sdk-api-src/content/winsock/nf-winsock-closesocket.md", "01397c92")
SOCKET_7 = f"{MAN_603} socket(7), {MAN_GIT.format('15700d01')}"
SOCKET_7_BUGS = f"{MAN_603} socket(7), section BUGS"
REUSE_TABLE = (
    "MicrosoftDocs/win32 desktop-src/WinSock/using-so-reuseaddr-and-so-exclusiveaddruse.md "
    "L148-230 at 47e64c18 (the same-user table; the row's cells as the page renders them)"
)
SELECT_PAGE = SDK.format("sdk-api-src/content/winsock2/nf-winsock2-select.md", "01397c92")
RECV_PAGE = SDK.format("sdk-api-src/content/winsock/nf-winsock-recv.md", "0029c72c")

VERIFIED: dict[tuple[str, str], tuple[str, str]] = {
    ("ipv6-v6only-default", "linux"): (
        "63b74d777271abf2",
        f"IPV6_V6ONLY(2const), {MAN_GIT.format('07d5d5b6')}; also ipv6(7) in {MAN_603}",
    ),
    ("ipv6-v6only-default", "windows"): (
        "a08652b7a8b39944",
        "MicrosoftDocs/win32 desktop-src/WinSock/dual-stack-sockets.md at 47e64c18",
    ),
    ("reuseport-vs-reuseaddr-two-listeners", "linux"): ("a16998a2579f025b", SOCKET_7),
    ("close-default-unsent-data", "linux"): ("e0a2d027f29c75c6", SOCKET_7),
    ("close-default-unsent-data", "windows"): ("472cb50211da82ba", CLOSESOCKET),
    ("close-unread-data-resets", "linux"): (
        "a42cbab89650996f",
        "Linux net/ipv4/tcp.c __tcp_close() comment, identical in every indexed copy",
    ),
    ("close-wakes-blocked-recv", "windows"): ("bcce17acaf370e96", CLOSESOCKET),
    ("accept-inherits-nonblocking", "linux"): (
        "1ba761b09463fd1c",
        f"{MAN_603} accept(2), {MAN_GIT.format('0b2d9bd6')} (section VERSIONS)",
    ),
    ("connect-to-unspecified-address", "windows"): (
        "75857e4c736009f5",
        SDK.format("sdk-api-src/content/winsock2/nf-winsock2-connect.md", "01397c92"),
    ),
    ("listen-backlog-full", "linux"): ("069c4288ffe20ce9", f"{MAN_603} listen(2)"),
    ("listen-backlog-full", "macos"): ("402b65e650803150", XNU.format("bsd/man/man2/listen.2")),
    ("listen-without-bind", "linux"): ("cc44adbb132722e7", f"{MAN_603} ip(7)"),
    ("nonblocking-connect-refused", "linux"): (
        "e91e0aa2703b53c5",
        f"{MAN_603} connect(2), {MAN_GIT.format('0e69c5ea')}",
    ),
    ("nonblocking-connect-refused", "windows"): (
        "fada509b2accd40c",
        SDK.format("sdk-api-src/content/winsock2/nf-winsock2-connect.md", "01397c92"),
    ),
    ("linger-blocking-close", "linux"): ("6c2b7fb2c8c95bf1", SOCKET_7),
    ("linger-blocking-close", "windows"): ("7414382062def514", CLOSESOCKET),
    ("linger-nonblocking-close", "linux"): ("d06e141da1de859f", SOCKET_7),
    ("linger-nonblocking-close", "macos"): (
        "611c59b09c23a311",
        XNU.format("bsd/kern/uipc_socket.c L1430-1434 (the same in xnu-11417.101.15)"),
    ),
    ("linger-nonblocking-close", "windows"): ("3b440ee8bc646a1a", CLOSESOCKET),
    ("linger-zero-abort", "windows"): ("d02f2ff04c1ba12b", CLOSESOCKET),
    ("buffer-sizes-read-back", "linux"): ("30128fdc8bd8f1a6", SOCKET_7),
    ("keepalive-defaults", "linux"): ("48309b2075bd0c43", f"{MAN_603} tcp(7)"),
    ("rcvtimeo-expiry", "linux"): ("3a985f556db21789", SOCKET_7),
    ("select-on-socket-closed-by-other-thread", "linux"): (
        "162253b3657c950c",
        f"{MAN_603} select(2), {MAN_GIT.format('0e69c5ea')} (NOTES, Multithreaded applications)",
    ),
    ("sigpipe-default-kills-writer", "linux"): (
        "b7790bfa85340321",
        f"{MAN_603} send(2), {MAN_GIT.format('0e69c5ea')}",
    ),
    ("sigpipe-suppressed-per-call-or-per-socket", "linux"): (
        "5db1ddbc8b47ca5e",
        f"{MAN_603} send(2); mkerrisk/man-pages send.2 at ae6b2218",
    ),
    ("linger-does-not-affect-shutdown", "linux"): ("6c2b7fb2c8c95bf1", SOCKET_7),
    ("recv-after-own-shutdown-rd", "windows"): (
        "feb46fe296c284f2",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-recv.md", "0029c72c"),
    ),
    ("send-after-own-shutdown-wr", "linux"): (
        "b7790bfa85340321",
        f"{MAN_603} send(2), {MAN_GIT.format('0e69c5ea')}",
    ),
    ("send-after-own-shutdown-wr", "windows"): (
        "9f887dec378283d2",
        SDK.format("sdk-api-src/content/winsock2/nf-winsock2-send.md", "036d9d8c"),
    ),
    ("shutdown-rd-then-peer-sends", "windows"): (
        "9ce8bee5df961dae",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-shutdown.md", "01397c92"),
    ),
    ("shutdown-rd-with-queued-data", "windows"): (
        "cf3b18821b05fff9",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-shutdown.md", "01397c92"),
    ),
    ("close-with-blocked-recv-sends-no-fin", "windows"): ("bcce17acaf370e96", CLOSESOCKET),
    ("linger-zero-no-time-wait", "windows"): ("d02f2ff04c1ba12b", CLOSESOCKET),
    ("udp-datagram-larger-than-buffer", "linux"): ("4bbb35e21730f74a", f"{MAN_603} recv(2)"),
    ("udp-datagram-larger-than-buffer", "windows"): (
        "43218d1ae86c8d1c",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-recv.md", "0029c72c"),
    ),
    ("udp-unconnected-send-to-closed-port", "windows"): (
        "be5bc5a26a30bf6f",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-recvfrom.md", "0029c72c")
        + " (italics and a double space of the markdown not kept)",
    ),
    ("nonblocking-connect-refused", "gvisor"): (
        "881952a62747d4d1",
        GVISOR.format("test/syscalls/linux/tcp_socket.cc lines 2362-2365"),
    ),
    ("fresh-tcp-socket-readiness", "gvisor"): (
        "b9ee7c485ff9458e",
        GVISOR.format("pkg/tcpip/transport/tcp/endpoint.go lines 912-916"),
    ),
    ("poll-on-socket-closed-by-other-thread", "gvisor"): (
        "01bcfc29d1992732",
        GVISOR.format("pkg/sentry/syscalls/linux/sys_poll.go lines 137-143"),
    ),
    ("select-on-socket-closed-by-other-thread", "gvisor"): (
        "01bcfc29d1992732",
        GVISOR.format("pkg/sentry/syscalls/linux/sys_poll.go lines 137-143"),
    ),
    ("sigpipe-default-kills-writer", "gvisor"): (
        "146b67d1e08b7aca",
        GVISOR.format("pkg/sentry/syscalls/linux/error.go lines 126-133"),
    ),
    ("sigpipe-suppressed-per-call-or-per-socket", "gvisor"): (
        "146b67d1e08b7aca",
        GVISOR.format("pkg/sentry/syscalls/linux/error.go lines 126-133"),
    ),
    ("half-close-fin-wait-2", "gvisor"): (
        "0200f2b41d6d54db",
        GVISOR.format("pkg/tcpip/transport/tcp/rcv.go lines 275-276"),
    ),
    # The probes of issue 25's new behaviours.
    ("bind-matrix-first-default-wildcard", "windows"): ("6e6c8cb3211d9f50", REUSE_TABLE),
    ("bind-matrix-first-default-specific", "windows"): ("9b19cbc227520279", REUSE_TABLE),
    ("bind-matrix-first-reuseaddr-wildcard", "windows"): ("4f4ec1959ee5b90c", REUSE_TABLE),
    ("bind-matrix-first-reuseaddr-specific", "windows"): ("47419b9a83306170", REUSE_TABLE),
    ("bind-matrix-first-exclusive-wildcard", "windows"): ("fa60ca00a54909f8", REUSE_TABLE),
    ("bind-matrix-first-exclusive-specific", "windows"): ("f4011965c4c89242", REUSE_TABLE),
    ("bind-matrix-first-default-wildcard", "linux"): ("1b80dc6f172f805d", SOCKET_7_BUGS),
    ("bind-matrix-first-default-specific", "linux"): ("1b80dc6f172f805d", SOCKET_7_BUGS),
    ("bind-matrix-first-reuseaddr-wildcard", "linux"): ("1b80dc6f172f805d", SOCKET_7_BUGS),
    ("bind-matrix-first-reuseaddr-specific", "linux"): ("1b80dc6f172f805d", SOCKET_7_BUGS),
    ("connect-again-after-refused", "windows"): (
        "0bc849d27fd476b7",
        SDK.format("sdk-api-src/content/winsock2/nf-winsock2-connect.md", "01397c92"),
    ),
    ("connect-again-after-refused", "linux"): ("addd89835e81fbed", f"{MAN_603} connect(2)"),
    ("listen-on-connected-socket", "windows"): (
        "6d67a41328f77b21",
        SDK.format("sdk-api-src/content/winsock2/nf-winsock2-listen.md", "01397c92"),
    ),
    ("listen-on-connected-socket", "linux"): (
        "e42ec85eac35e387",
        "torvalds/linux net/ipv4/af_inet.c inet_listen() at 006c8b83 (the public code index)",
    ),
    ("listen-on-connected-socket", "macos"): (
        "b61b3c479d1790b2",
        XNU.format("bsd/kern/uipc_socket.c solisten() L1018-1026"),
    ),
    ("getsockopt-bool-length", "windows"): (
        "fdff8780cfad6021",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-getsockopt.md", "f4908823")
        + " (markup not kept)",
    ),
    ("getsockopt-bool-length", "linux"): ("86f561467120ad02", f"{MAN_603} socket(7)"),
    ("getsockopt-bool-length", "macos"): (
        "71f196308c18aeca",
        XNU.format("bsd/kern/uipc_socket.c sogetoptlock() L5960-5979"),
    ),
    ("readiness-after-peer-reset", "windows"): ("3cf45f322cc91fa9", SELECT_PAGE),
    ("select-on-closed-descriptor", "windows"): ("5d9ed546abe1310f", SELECT_PAGE),
    ("select-on-closed-descriptor", "linux"): ("e29e8ffa16935818", f"{MAN_603} select(2)"),
    ("zero-byte-recv", "windows"): ("d1409757632f2ef0", RECV_PAGE),
    ("zero-byte-recv", "linux"): ("2ee9ec71a91e0ff1", f"{MAN_603} recv(2)"),
    ("zero-byte-recv", "macos"): (
        "27d4c4c3e3c1b39c",
        XNU.format("bsd/kern/uipc_socket.c L3574-3576"),
    ),
    ("so-error-after-peer-reset", "windows"): (
        "ea940f46901b06ad",
        "MicrosoftDocs/win32 desktop-src/WinSock/sol-socket-socket-options.md L44 at 47e64c18",
    ),
    ("so-error-after-peer-reset", "linux"): ("38754491423215bc", SOCKET_7),
    ("so-error-after-peer-reset", "macos"): (
        "30497fb9430b7d25",
        XNU.format("bsd/man/man2/getsockopt.2 L353-357"),
    ),
    ("pending-recv-across-shutdown-rd", "windows"): (
        "9ce8bee5df961dae",
        SDK.format("sdk-api-src/content/winsock/nf-winsock-shutdown.md", "01397c92"),
    ),
    ("udp-recv-after-shutdown-rd", "windows"): ("feb46fe296c284f2", RECV_PAGE),
}
