"""sockmatrix: measure where operating systems disagree about sockets.

This module stays import-light on purpose: every probe runs in a fresh child
interpreter that imports ``matrix.engine.child``, and anything imported here is paid
for once per probe.
"""

__version__ = "0.1.0"
