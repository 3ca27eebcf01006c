"""Well-known runtimes that hide, or state, an OS difference: the vocabulary of ``runtimes``.

Rules of this module: data only, standard library only. A probe's ``runtimes``
entry names a runtime below, what it does about the difference the probe
measures (EFFECTS) and the line of its source or test that shows it, cited at
a commit like a conformance entry (matrix.language.evidence).
"""

from __future__ import annotations

# id -> how the table names it.
RUNTIMES: dict[str, str] = {
    "java": "Java (OpenJDK)",
    "go": "Go",
    "dotnet": ".NET",
    "libuv": "libuv (Node.js)",
    "rust-std": "Rust std",
    "mio": "mio (Tokio)",
}

# What the runtime does about the OS difference, strongest first.
EFFECTS: dict[str, str] = {
    "shields": "makes every OS behave the same here",
    "avoids": "never makes the call that differs",
    "partly": "hides the difference on some OSes or for some calls only",
    "documents": "states the difference; a program still sees it",
}
