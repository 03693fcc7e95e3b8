#!/usr/bin/env python3
"""A rift client driver for etcd, speaking rift's JSON-lines protocol (version 1) on standard
input and output, and etcd's v3 JSON gateway (/v3/kv/range, /v3/kv/put, /v3/kv/txn; keys and
values base64) over HTTP. Standard library only.

It classifies each failure as the built-in Rust client does: a connection that could not be
made, or a request etcd refused before proposing it, is a definite `fail`; a timeout, a lost
connection or any other error is `info`. Each client rift opens gets a thread of its own and one
keep-alive connection to its member."""

import base64
import http.client
import json
import queue
import socket
import sys
import threading

PROTOCOL = 1
# gRPC codes etcd answers before proposing a request: invalid argument, permission denied,
# resource exhausted (too many requests), unauthenticated.
DEFINITE_CODES = {3, 7, 8, 16}

out_lock = threading.Lock()


def send(message):
    """Writes one answer line; rift reads nothing until the line is flushed."""
    line = json.dumps(message, separators=(",", ":"))
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def unb64(text):
    return base64.b64decode(text).decode()


def as_value(text):
    """A stored value as rift records it: a number when it reads as one."""
    try:
        return int(text)
    except ValueError:
        return text


class Definite(Exception):
    """The request certainly had no effect."""


class Indefinite(Exception):
    """The request may have taken effect."""


class Member:
    """One keep-alive HTTP connection to one etcd member."""

    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.conn = None

    def post(self, path, body, timeout):
        if self.conn is None:
            # Connecting sends nothing: a failure here is definite. Half the time budget, as the
            # built-in client gives its connect.
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout / 2)
            try:
                conn.connect()
            except OSError as e:
                raise Definite("unreachable: %s" % e)
            self.conn = conn
        self.conn.sock.settimeout(timeout)
        try:
            self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            response = self.conn.getresponse()
            status, text = response.status, response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            self.close()
            kind = "timed-out" if isinstance(e, socket.timeout) else "connection-lost"
            raise Indefinite("%s: %s" % (kind, e))
        if status != 200:
            try:
                error = json.loads(text)
            except ValueError:
                raise Indefinite("server-error: HTTP %d: %s" % (status, text))
            words = error.get("message") or error.get("error") or text
            if error.get("code") in DEFINITE_CODES:
                raise Definite("rejected: " + words)
            raise Indefinite("server-error: " + words)
        try:
            return json.loads(text)
        except ValueError:
            raise Indefinite("bad-response: " + text)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def perform(member, op, serializable, timeout):
    """Performs one register operation; returns the `ok` answer's fields."""
    f, key = op["f"], str(op["key"])
    if f == "read":
        body = {"key": b64(key)}
        if serializable:
            body["serializable"] = True
        kvs = member.post("/v3/kv/range", body, timeout).get("kvs", [])
        return {"value": as_value(unb64(kvs[0].get("value", ""))) if kvs else None}
    if f == "write":
        member.post("/v3/kv/put", {"key": b64(key), "value": b64(str(op["value"]))}, timeout)
        return {}  # no value: rift records the operation's own
    if f == "cas":
        old, new = op["value"]
        txn = {
            "compare": [{"key": b64(key), "result": "EQUAL", "target": "VALUE",
                         "value": b64("null" if old is None else str(old))}],
            "success": [{"request_put": {"key": b64(key), "value": b64(str(new))}}],
        }
        if not member.post("/v3/kv/txn", txn, timeout).get("succeeded", False):
            raise Definite("cas: the register did not hold the expected value")
        return {}
    raise Definite("etcd's driver has no operation %r" % f)


def client(addr, serializable, inbox):
    """One client's thread: its invocations in order, until rift closes it."""
    member = Member(addr)
    while True:
        request = inbox.get()
        if request is None:
            member.close()
            return
        timeout = max(request["deadline_ms"], 1) / 1000.0
        answer = {"id": request["id"]}
        try:
            answer.update(perform(member, request["op"], serializable, timeout), type="ok")
        except Definite as e:
            answer.update(type="fail", error=str(e), definite=True)
        except Indefinite as e:
            answer.update(type="info", error=str(e))
        send(answer)


def main():
    nodes, serializable, clients = {}, False, {}
    for line in sys.stdin:
        request = json.loads(line)
        kind = request["type"]
        if kind == "hello":
            if request["protocol"] != PROTOCOL:
                send({"type": "fail", "id": request["id"], "definite": True,
                      "error": "this driver speaks protocol %d" % PROTOCOL})
                continue
            nodes = {n["id"]: n["addr"] for n in request["nodes"]}
            serializable = request["options"].get("read") == "serializable"
            send({"type": "ok", "id": request["id"]})
        elif kind == "open":
            inbox = queue.Queue()
            threading.Thread(target=client, args=(nodes[request["node"]], serializable, inbox),
                             daemon=True).start()
            clients[request["id"]] = inbox
            send({"type": "ok", "id": request["id"]})
        elif kind == "invoke":
            clients[request["client"]].put(request)
        elif kind == "close":
            inbox = clients.pop(request["client"], None)
            if inbox is not None:
                inbox.put(None)
    # Standard input closed: the run is over.


if __name__ == "__main__":
    main()
