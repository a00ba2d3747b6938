"""Fault injection on loopback: a fault-injecting HTTP proxy, emulator processes, a child-process extract."""
