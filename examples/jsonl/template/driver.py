#!/usr/bin/env python3
"""A template rift driver (JSON-lines protocol, version 1), commented line by line. It runs the
register workload against kv_node.py; to drive your own system, change `Connection` and
`perform`, and keep the rest. Standard library only."""

import json       # every line either way is one JSON object
import socket     # kv_node.py speaks plain TCP
import sys        # the protocol runs over standard input and output
import threading  # one thread per client: rift has many operations in flight at once
import queue      # each client thread takes its requests from a queue, in order

PROTOCOL = 1  # the protocol version this driver speaks; rift sends its own in `hello`

out_lock = threading.Lock()  # answers come from many threads: one line at a time


def send(message):
    """Writes one answer as one line, and flushes it: rift waits for whole lines."""
    with out_lock:  # no two threads write at once
        sys.stdout.write(json.dumps(message) + "\n")  # one JSON object per line
        sys.stdout.flush()  # without this, Python holds lines back and rift times out


class Definite(Exception):
    """The operation certainly had no effect (rift records `fail`)."""


class Indefinite(Exception):
    """The operation may have had an effect (rift records `info`)."""


class Connection:
    """One client's connection to one node. Replace this with your database's client."""

    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)  # nodes come as "ip:port"
        self.addr = (host, int(port))  # where to connect
        self.sock = None  # connect on the first request, so `open` never blocks

    def request(self, line, timeout):
        """Sends one request line and returns the answer line, within `timeout` seconds."""
        if self.sock is None:  # not connected yet (or the last request broke the connection)
            try:
                self.sock = socket.create_connection(self.addr, timeout=timeout)
                self.file = self.sock.makefile("rb")  # to read answers line by line
            except OSError as e:  # nothing was sent: the operation certainly did not happen
                self.sock = None
                raise Definite("unreachable: %s" % e)
        try:
            self.sock.settimeout(timeout)  # the time left before rift's deadline
            self.sock.sendall((line + "\n").encode())  # from here on, it may have happened
            answer = self.file.readline().decode().strip()  # wait for the answer
        except OSError as e:  # a timeout or a lost connection after sending: unknown
            self.close()  # a connection in an unknown state is not used again
            raise Indefinite("%s: %s" % (type(e).__name__, e))
        if not answer:  # the node closed the connection: unknown too
            self.close()
            raise Indefinite("connection closed")
        return answer

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def perform(conn, op, timeout):
    """Performs one operation as the history writes it: {"f", "key", "value"}. Returns the
    fields of the `ok` answer; raises Definite or Indefinite otherwise."""
    f, key = op["f"], op["key"]  # the register workload: read, write, cas on integer keys
    if f == "read":
        answer = conn.request("GET %d" % key, timeout)
        return {"value": None if answer == "nil" else int(answer)}  # null: no value yet
    if f == "write":
        if conn.request("SET %d %d" % (key, op["value"]), timeout) != "OK":
            raise Indefinite("unexpected answer")  # when in doubt: indefinite
        return {}  # no "value": rift records the written value itself
    if f == "cas":
        old, new = op["value"]  # [from, to]; from is null when the key must have no value
        old = "nil" if old is None else str(old)
        answer = conn.request("CAS %d %s %d" % (key, old, new), timeout)
        if answer == "NO":  # the comparison failed: nothing was written, for certain
            raise Definite("cas: the register did not hold %s" % old)
        if answer != "OK":
            raise Indefinite("unexpected answer %r" % answer)
        return {}
    raise Definite("no operation %r" % f)  # refused before doing anything: definite


def client(addr, inbox):
    """One client's thread: its requests in order, until rift closes it."""
    conn = Connection(addr)
    while True:
        request = inbox.get()  # the next invoke, or None for close
        if request is None:
            conn.close()
            return
        timeout = max(request["deadline_ms"], 1) / 1000.0  # rift gives ms from now
        answer = {"id": request["id"]}  # every answer names the request it answers
        try:
            answer.update(perform(conn, request["op"], timeout), type="ok")
        except Definite as e:
            answer.update(type="fail", error=str(e), definite=True)  # without "definite": info
        except Indefinite as e:
            answer.update(type="info", error=str(e))
        send(answer)


def main():
    nodes, clients = {}, {}  # node index -> "ip:port"; client id -> its thread's queue
    for line in sys.stdin:  # one request per line, until rift closes standard input
        request = json.loads(line)
        kind = request["type"]
        if kind == "hello":  # the first line: protocol, workload, nodes, options
            if request["protocol"] != PROTOCOL:  # refuse a version we do not speak
                send({"type": "fail", "id": request["id"], "definite": True,
                      "error": "this driver speaks protocol %d" % PROTOCOL})
                continue
            nodes = {n["id"]: n["addr"] for n in request["nodes"]}
            send({"type": "ok", "id": request["id"]})  # ready for the run
        elif kind == "open":  # a client on one node; later requests name it by this id
            inbox = queue.Queue()
            threading.Thread(target=client, args=(nodes[request["node"]], inbox),
                             daemon=True).start()
            clients[request["id"]] = inbox
            send({"type": "ok", "id": request["id"]})
        elif kind == "invoke":  # hand the operation to its client's thread
            clients[request["client"]].put(request)
        elif kind == "close":  # no answer: stop the client's thread
            inbox = clients.pop(request["client"], None)
            if inbox is not None:
                inbox.put(None)
    # standard input closed: the run is over; daemon threads end with the process


if __name__ == "__main__":
    main()
