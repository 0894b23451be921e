"""Just enough HTTP/1.1 framing to tell when a server's response is complete.

The fault proxy uses it to "lose a response": it must have read the server's whole
answer (so the server certainly did the work) before it drops the client. It frames
one response: status line and headers, then Content-Length, chunked transfer coding,
no body (1xx/204/304), or "until the server closes" when neither length is given.
"""

from __future__ import annotations

_HEADER_END = b"\r\n\r\n"


def _headers(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return status, headers


def _chunked_complete(body: bytes) -> bool:
    pos = 0
    while True:
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            return False
        size = int(body[pos:line_end].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            # The last chunk, then optional trailers, then an empty line.
            return body.find(b"\r\n\r\n", line_end) >= 0
        pos = line_end + 2 + size + 2
        if pos > len(body):
            return False


def response_complete(buf: bytes) -> bool:
    """Whether `buf` holds at least one whole HTTP/1.1 response (never for length-less)."""
    end = buf.find(_HEADER_END)
    if end < 0:
        return False
    status, headers = _headers(buf[:end])
    body = buf[end + len(_HEADER_END) :]
    if 100 <= status < 200:
        return response_complete(body)
    if status in (204, 304):
        return True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _chunked_complete(body)
    if "content-length" in headers:
        return len(body) >= int(headers["content-length"])
    return False  # delimited by the server closing the connection
