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

# A cited line (kind test or rule, or prose with a line): cut from `git show COMMIT:PATH`
# of a clone at the cited commit and re-checked by `python -m matrix.tools.citations`.
CITED = "{} {} {} {}, re-read at the commit by matrix.tools.citations"

VERIFIED: dict[tuple[str, ...], tuple[str, str]] = {
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
    ("setsockopt-after-shutdown", "macos"): (
        "763443fef57bb0aa",
        XNU.format("bsd/kern/uipc_socket.c L4878-4884"),
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
    ("bind-matrix-first-default-specific", "windows", "dlls/ws2_32/tests/sock.c#L2300"): (
        "22a313f2708aacd2",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2300-L2302"),
    ),
    ("bind-matrix-first-default-wildcard", "windows", "dlls/ws2_32/tests/sock.c#L2436"): (
        "5ee8b10ea0660326",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2436-L2437"),
    ),
    ("bind-matrix-first-reuseaddr-specific", "windows", "dlls/ws2_32/tests/sock.c#L2326"): (
        "9d511a90cd87c9d1",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2326-L2327"),
    ),
    ("bind-matrix-first-reuseaddr-specific", "windows", "dlls/ws2_32/tests/sock.c#L2333"): (
        "3820d101fa04c9dd",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2333-L2334"),
    ),
    ("ipv6-v6only-default", "windows", "dlls/ws2_32/tests/sock.c#L7348"): (
        "8c0e06e83980a928",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L7348-L7350"),
    ),
    ("reuseaddr-two-sockets-same-port", "linux", "specification/TCP1_hostLTSScript.sml#L7880"): (
        "223fada0e381248d",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7880-L7880",
        ),
    ),
    ("reuseaddr-two-sockets-same-port", "windows", "dlls/ws2_32/tests/sock.c#L2333"): (
        "3820d101fa04c9dd",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2333-L2334"),
    ),
    ("reuseaddr-two-sockets-same-port", "windows", "dlls/ws2_32/tests/sock.c#L2342"): (
        "01757bfca612bca6",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2342-L2343"),
    ),
    ("reuseport-vs-reuseaddr-two-listeners", "windows", "dlls/ws2_32/tests/sock.c#L2333"): (
        "3820d101fa04c9dd",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2333-L2334"),
    ),
    ("reuseport-vs-reuseaddr-two-listeners", "windows", "dlls/ws2_32/tests/sock.c#L2342"): (
        "01757bfca612bca6",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L2342-L2343"),
    ),
    ("close-listener-wakes-blocked-accept", "windows", "dlls/ws2_32/tests/sock.c#L5047"): (
        "6cf3ad47e813e4fe",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L5047-L5051"),
    ),
    ("connect-closed-port", "windows", "dlls/ws2_32/tests/sock.c#L4147"): (
        "d3e8051c59078ccf",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L4147-L4152"),
    ),
    ("connect-closed-port", "windows", "specification/TCP1_hostLTSScript.sml#L16548"): (
        "16cf0c35757f6f6f",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L16548-L16550",
        ),
    ),
    ("listen-after-refused-connect", "freebsd", "specification/TCP1_hostLTSScript.sml#L7938"): (
        "cc787de242c81a8f",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7938-L7938",
        ),
    ),
    ("listen-on-connected-socket", "freebsd", "specification/TCP1_hostLTSScript.sml#L7721"): (
        "5c95e4526058789a",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7721-L7721",
        ),
    ),
    ("listen-on-connected-socket", "linux", "specification/TCP1_hostLTSScript.sml#L7832"): (
        "c7625e09324cb40c",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7832-L7839",
        ),
    ),
    ("listen-on-connected-socket", "windows", "specification/TCP1_hostLTSScript.sml#L7832"): (
        "c7625e09324cb40c",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7832-L7839",
        ),
    ),
    ("listen-without-bind", "freebsd", "specification/TCP1_hostLTSScript.sml#L7593"): (
        "fd2ea436bb4a0523",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7593-L7596",
        ),
    ),
    ("listen-without-bind", "linux", "specification/TCP1_hostLTSScript.sml#L7593"): (
        "fd2ea436bb4a0523",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7593-L7596",
        ),
    ),
    ("listen-without-bind", "windows", "dlls/ws2_32/tests/sock.c#L4216"): (
        "81b495530ada252c",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L4216-L4219"),
    ),
    ("listen-without-bind", "windows", "specification/TCP1_hostLTSScript.sml#L7768"): (
        "534b4332a84f9f0c",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L7768-L7768",
        ),
    ),
    ("nonblocking-connect-refused", "freebsd", "specification/TCP1_hostLTSScript.sml#L3910"): (
        "fcfe80905a000ac6",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L3910-L3910",
        ),
    ),
    ("nonblocking-connect-refused", "linux", "specification/TCP1_hostLTSScript.sml#L3910"): (
        "fcfe80905a000ac6",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L3910-L3910",
        ),
    ),
    ("nonblocking-connect-refused", "windows", "specification/TCP1_hostLTSScript.sml#L3910"): (
        "fcfe80905a000ac6",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L3910-L3910",
        ),
    ),
    ("linger-nonblocking-close", "freebsd", "specification/TCP1_hostLTSScript.sml#L2795"): (
        "89b9d99ec44e0802",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L2795-L2796",
        ),
    ),
    ("linger-nonblocking-close", "linux", "specification/TCP1_hostLTSScript.sml#L3013"): (
        "e7283cd86c6d7e9e",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L3013-L3014",
        ),
    ),
    ("buffer-sizes-read-back", "windows", "dlls/ws2_32/tests/sock.c#L1301"): (
        "b1d6714d4330652e",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L1301-L1309"),
    ),
    ("buffer-sizes-read-back", "windows", "dlls/ws2_32/tests/sock.c#L1291"): (
        "a1cfb96d4d7e74af",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L1291-L1299"),
    ),
    ("getsockopt-bool-length", "windows", "dlls/ws2_32/tests/sock.c#L1205"): (
        "b3dc8cc90600d14a",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L1205-L1205"),
    ),
    ("getsockopt-bool-length", "windows", "dlls/ws2_32/tests/sock.c#L1213"): (
        "9da37c31f5ffa244",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L1213-L1213"),
    ),
    ("getsockopt-bool-length", "windows", "dlls/ws2_32/tests/sock.c#L1569"): (
        "d7332e67faff9937",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L1569-L1572"),
    ),
    ("rcvtimeo-expiry", "windows", "dlls/ws2_32/tests/sock.c#L13377"): (
        "59140f36d0ec82c2",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13377-L13380"
        ),
    ),
    ("fresh-tcp-socket-readiness", "linux", "specification/TCP1_hostLTSScript.sml#L1261"): (
        "7d4f0236dc9c49a6",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L1261-L1262",
        ),
    ),
    ("fresh-tcp-socket-readiness", "linux", "specification/TCP1_hostLTSScript.sml#L1293"): (
        "52c8c216300e43bb",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L1293-L1294",
        ),
    ),
    ("poll-on-closed-descriptor", "macos", "bsd/man/man2/poll.2#L128"): (
        "c24ee8e3e73060d4",
        CITED.format(
            "apple-oss-distributions/xnu", "a1e26a70f38d", "bsd/man/man2/poll.2", "L128-L129"
        ),
    ),
    ("poll-on-closed-descriptor", "windows", "dlls/ws2_32/tests/sock.c#L8231"): (
        "8d90dc79d60e460e",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L8231-L8235"),
    ),
    ("poll-on-socket-closed-by-other-thread", "windows", "dlls/ws2_32/tests/sock.c#L8457"): (
        "3789148ed594f43e",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L8457-L8460"),
    ),
    ("readiness-after-peer-reset", "windows", "dlls/ws2_32/tests/sock.c#L13834"): (
        "bcc5cdc2b268c585",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13834-L13838"
        ),
    ),
    ("select-on-closed-descriptor", "macos", "bsd/man/man2/select.2#L193"): (
        "c61e9f87e0cbde75",
        CITED.format(
            "apple-oss-distributions/xnu", "a1e26a70f38d", "bsd/man/man2/select.2", "L193-L194"
        ),
    ),
    ("select-on-closed-descriptor", "windows", "dlls/ws2_32/tests/sock.c#L4853"): (
        "076051d9651b4e83",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L4853-L4855"),
    ),
    ("select-on-socket-closed-by-other-thread", "windows", "dlls/ws2_32/tests/sock.c#L4867"): (
        "a721e70763eadc54",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L4867-L4869"),
    ),
    ("zero-byte-recv", "windows", "dlls/ws2_32/tests/sock.c#L13311"): (
        "cc71b2a6b27f1749",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13311-L13314"
        ),
    ),
    ("zero-byte-recv", "windows", "dlls/ws2_32/tests/sock.c#L13319"): (
        "4a7d69839832da5a",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13319-L13323"
        ),
    ),
    ("zero-byte-recv", "windows", "dlls/ws2_32/tests/sock.c#L13330"): (
        "ea78cbcdcee437ff",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13330-L13331"
        ),
    ),
    ("send-recv-after-peer-reset", "freebsd", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("send-recv-after-peer-reset", "linux", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("send-recv-after-peer-reset", "windows", "dlls/ws2_32/tests/sock.c#L13821"): (
        "36e797b043848856",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13821-L13824"
        ),
    ),
    ("send-recv-after-peer-reset", "windows", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("so-error-after-peer-reset", "windows", "dlls/ws2_32/tests/sock.c#L13808"): (
        "c813dee9d91a0a04",
        CITED.format(
            "wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L13808-L13811"
        ),
    ),
    ("pending-recv-across-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9609"): (
        "5609a10adfa1a18b",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9609-L9610"),
    ),
    ("pending-recv-across-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9617"): (
        "a2b31c73debed807",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9617-L9618"),
    ),
    ("pending-recv-across-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9620"): (
        "d6cb42915ecb921b",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9620-L9626"),
    ),
    ("pending-recv-across-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9612"): (
        "76d7e38f1a0f5d50",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9612-L9615"),
    ),
    ("recv-after-own-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9463"): (
        "bc8c017bd7e8ef66",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9463-L9466"),
    ),
    ("recv-after-own-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9468"): (
        "d30a54d6594ee29c",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9468-L9471"),
    ),
    ("recv-after-own-shutdown-rd", "windows", "specification/TCP1_hostLTSScript.sml#L9580"): (
        "8db8afcef73a3450",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L9580-L9580",
        ),
    ),
    ("send-after-own-shutdown-wr", "freebsd", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("send-after-own-shutdown-wr", "linux", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("send-after-own-shutdown-wr", "windows", "dlls/ws2_32/tests/sock.c#L9426"): (
        "dbe4e9cf0d722f7e",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9426-L9429"),
    ),
    ("send-after-own-shutdown-wr", "windows", "dlls/ws2_32/tests/sock.c#L9436"): (
        "ca5f502ef6671590",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9436-L9439"),
    ),
    ("send-after-own-shutdown-wr", "windows", "specification/TCP1_hostLTSScript.sml#L11338"): (
        "e6120ebb627bcb91",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L11338-L11339",
        ),
    ),
    ("shutdown-twice-and-after-peer-close", "windows", "dlls/ws2_32/tests/sock.c#L9431"): (
        "dbe4e9cf0d722f7e",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9431-L9434"),
    ),
    (
        "udp-connected-send-to-closed-port",
        "freebsd",
        "specification/TCP1_hostLTSScript.sml#L17877",
    ): (
        "fe5c9d121c739729",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L17877-L17883",
        ),
    ),
    ("udp-connected-send-to-closed-port", "linux", "specification/TCP1_hostLTSScript.sml#L17877"): (
        "fe5c9d121c739729",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L17877-L17883",
        ),
    ),
    (
        "udp-connected-send-to-closed-port",
        "windows",
        "specification/TCP1_hostLTSScript.sml#L17877",
    ): (
        "fe5c9d121c739729",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L17877-L17883",
        ),
    ),
    ("udp-datagram-larger-than-buffer", "windows", "specification/TCP1_hostLTSScript.sml#L10336"): (
        "43f2e5ba1a8d23b3",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L10336-L10339",
        ),
    ),
    ("udp-recv-after-shutdown-rd", "freebsd", "specification/TCP1_hostLTSScript.sml#L10207"): (
        "fe3d9ff66ed96ab2",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L10207-L10212",
        ),
    ),
    ("udp-recv-after-shutdown-rd", "linux", "specification/TCP1_hostLTSScript.sml#L10207"): (
        "fe3d9ff66ed96ab2",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L10207-L10212",
        ),
    ),
    ("udp-recv-after-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9679"): (
        "8d5f046c3fe9a8f6",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9679-L9682"),
    ),
    ("udp-recv-after-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9684"): (
        "783d12524f61455d",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9684-L9687"),
    ),
    ("udp-recv-after-shutdown-rd", "windows", "dlls/ws2_32/tests/sock.c#L9689"): (
        "4a277bb517f26a18",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9689-L9690"),
    ),
    ("udp-recv-after-shutdown-rd", "windows", "specification/TCP1_hostLTSScript.sml#L10207"): (
        "fe3d9ff66ed96ab2",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_hostLTSScript.sml",
            "L10207-L10212",
        ),
    ),
    (
        "udp-unconnected-send-to-closed-port",
        "windows",
        "specification/TCP1_auxFnsScript.sml#L289",
    ): (
        "2a733546913bb754",
        CITED.format(
            "rems-project/netsem",
            "0b02450eee33",
            "specification/TCP1_auxFnsScript.sml",
            "L289-L294",
        ),
    ),
    ("fresh-tcp-socket-readiness", "windows", "dlls/ws2_32/tests/sock.c#L4326"): (
        "38de9ef4afa48fde",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L4326-L4333"),
    ),
    ("half-close-peer-replies", "windows", "dlls/ws2_32/tests/sock.c#L9441"): (
        "dd639514111dcd5a",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9441-L9442"),
    ),
    ("half-close-peer-replies", "windows", "dlls/ws2_32/tests/sock.c#L9459"): (
        "be26642f38625637",
        CITED.format("wine-mirror/wine", "51ccd95c49c2", "dlls/ws2_32/tests/sock.c", "L9459-L9461"),
    ),
}
