#!/usr/bin/python3
"""The PyVISA side of the labwire/PyVISA comparison (issue 17, workload 2).

Talks to labwire's ReplyServer on 127.0.0.1:<port> through PyVISA with the pyvisa-py backend
(TCPIP::127.0.0.1::<port>::SOCKET) and prints one line of JSON with what it measured:

  pyvisa_client.py <port> sequential <seconds>        *IDN?-style queries back to back: {"per_second": ...}
  pyvisa_client.py <port> block <seconds> <bytes>     query_binary_values of a <bytes> definite block: {"mib_per_second": ...}
  pyvisa_client.py <port> instruments <seconds> <n>   n resources, one thread each, queries back to back: {"per_second": ...}

Connecting happens before the measured interval. The server answers every line with "+1.234567E+00\\n", and
"!BLOCK <n>" with a definite block of n bytes and "\\n".
"""
import json
import sys
import threading
import time

import pyvisa

COMMAND = "MEAS:VOLT?"
REPLY = "+1.234567E+00"


def open_resource(rm, port):
    inst = rm.open_resource("TCPIP::127.0.0.1::%d::SOCKET" % port)
    inst.read_termination = "\n"
    inst.write_termination = "\n"
    inst.timeout = 60000
    return inst


def sequential(rm, port, seconds):
    inst = open_resource(rm, port)
    if inst.query(COMMAND) != REPLY:
        raise SystemExit("unexpected reply")
    n = 0
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        inst.query(COMMAND)
        n += 1
    took = time.perf_counter() - start
    inst.close()
    return {"per_second": n / took, "calls": n}


def block(rm, port, seconds, size):
    inst = open_resource(rm, port)
    command = "!BLOCK %d" % size
    data = inst.query_binary_values(command, datatype="B", container=bytes)
    if len(data) != size:
        raise SystemExit("block of %d bytes, expected %d" % (len(data), size))
    n = 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        data = inst.query_binary_values(command, datatype="B", container=bytes)
        if len(data) != size:
            raise SystemExit("short block")
        n += 1
        if time.perf_counter() >= end:
            break
    took = time.perf_counter() - start
    inst.close()
    return {"mib_per_second": n * size / 1048576 / took, "transfers": n}


def instruments(rm, port, seconds, count):
    insts = [open_resource(rm, port) for _ in range(count)]
    counts = [0] * count
    go = threading.Event()
    end = [0.0]

    def poll(i):
        inst = insts[i]
        go.wait()
        while time.perf_counter() < end[0]:
            inst.query(COMMAND)
            counts[i] += 1

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    end[0] = start + seconds
    go.set()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    for inst in insts:
        inst.close()
    return {"per_second": sum(counts) / took, "calls": sum(counts)}


def main():
    port, test, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    rm = pyvisa.ResourceManager("@py")
    if test == "sequential":
        out = sequential(rm, port, seconds)
    elif test == "block":
        out = block(rm, port, seconds, int(sys.argv[4]))
    elif test == "instruments":
        out = instruments(rm, port, seconds, int(sys.argv[4]))
    else:
        raise SystemExit("unknown test " + test)
    out["pyvisa"] = pyvisa.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
