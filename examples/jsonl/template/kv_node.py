#!/usr/bin/env python3
"""The toy database of the template: one process, one dictionary in memory, one line per
request over TCP. `GET k` answers the value or `nil`; `SET k v` answers `OK`; `CAS k old new`
answers `OK` or `NO` (`old` is `nil` for a key with no value). Nothing is replicated or saved."""

import socketserver
import sys
import threading

data, lock = {}, threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            words = line.decode().split()
            with lock:
                if words[0] == "GET":
                    answer = data.get(words[1], "nil")
                elif words[0] == "SET":
                    data[words[1]] = words[2]
                    answer = "OK"
                elif words[0] == "CAS":
                    ok = data.get(words[1], "nil") == words[2]
                    if ok:
                        data[words[1]] = words[3]
                    answer = "OK" if ok else "NO"
                else:
                    answer = "ERR unknown command"
            self.wfile.write((answer + "\n").encode())


host, port = sys.argv[1].rsplit(":", 1)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer((host, int(port)), Handler).serve_forever()
