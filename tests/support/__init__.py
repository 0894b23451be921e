"""Test helpers shared by the reliability scenarios (see docs/reliability.md).

Fault injection:
- `faultproxy`: an asyncio TCP proxy with run-time switchable faults (cut after n bytes
  either way, delay, blackhole, reset, refuse, lose the response after the server
  answered), optionally armed from a marker such as `POST /v1/sync/push`;
- `faulttransport`: an httpx transport wrapper for HTTP-level faults (gateway errors,
  captive portals, a 504 after the work, truncated JSON, lost responses);
- `httpframe`: just enough HTTP/1.1 framing for the proxy to lose a whole response;
- `echo`: tiny loopback servers the fault tools' own tests run against.

The world and its parts:
- `world`: a seeded reference server on loopback with a movable clock;
- `api`: another user's plain HTTP client (supervisor, validator, observer);
- `device`, `officer`, `photos`: an officer's device (real file, real engine) and
  what an officer does with it;
- `officer_child`, `processes`: the same officer in a child process, to be SIGKILLed.

Verdicts: `devicecheck` (the device file's invariants), `servercheck` (what the server
holds), `verify` (nothing lost, nothing doubled, photos intact, converged), and
`scale` (the environment knobs for iterations and seed).
"""
