"""Test helpers shared by the reliability scenarios: fault injection and processes.

- `faultproxy`: an asyncio TCP proxy with run-time switchable faults;
- `faulttransport`: an httpx transport wrapper for HTTP-level faults (gateway errors,
  captive portals, responses lost after the server answered);
- `echo`: tiny loopback servers the fault proxy's own tests run against.
"""
