#!/usr/bin/env python3
"""Minimal ONC-RPC over UDP, to make traffic rpcspy decodes without an NFS server.

  rpcping.py serve ADDR PORT          answer every call (accepted, SUCCESS, no results)
  rpcping.py call ADDR PORT FIRST N   send N NULL calls of program 400100 version 1 with
                                      xids FIRST, FIRST+1, ... (hex), each waiting for
                                      its reply (resent up to 5 times)
"""
import socket
import struct
import sys

PROG, VERS = 400100, 1


def serve(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(65536)
        if len(data) < 24:
            continue
        xid, mtype = struct.unpack(">II", data[:8])
        if mtype != 0:
            continue
        # reply: xid, REPLY(1), MSG_ACCEPTED(0), verf AUTH_NONE (0, 0), SUCCESS(0)
        s.sendto(struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0), peer)


def call(addr, port, first, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    for xid in range(first, first + n):
        # call: xid, CALL(0), rpcvers 2, prog, vers, proc 0, cred AUTH_NONE, verf AUTH_NONE
        msg = struct.pack(">IIIIIIIIII", xid, 0, 2, PROG, VERS, 0, 0, 0, 0, 0)
        for _ in range(5):
            s.sendto(msg, (addr, port))
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            if struct.unpack(">I", data[:4])[0] == xid:
                break
        else:
            sys.exit("no reply to xid %08x" % xid)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "call":
        call(sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 16), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
