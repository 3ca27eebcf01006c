"""Probe texts the tests write into their temporary folders."""

from __future__ import annotations

MINIMAL_PROBE = """\
id: {id}
title: A minimal probe
question: Does a send on a fresh pair return?
tags: [test]
sources: [made up for the test suite]
sockets:
  - pair: [local, peer]
steps:
  - {{op: send, socket: local, data: hi, name: send}}
verdict: [send]
"""
