# Registers the VXI-11 core program (0x0607AF version 1, TCP) at port argv[1] with the portmapper on 127.0.0.1:111
# (Debian's rpcbind in the test's namespace): one PMAPPROC_SET call (RFC 1833 section 3.2, program 100000 version 2,
# procedure 1) over UDP, AUTH_NONE, built here by hand from the RFC. Prints "SET <result>" (1: registered).
import socket, struct, sys
port = int(sys.argv[1])
call = struct.pack(">6I", 0x4C570001, 0, 2, 100000, 2, 1)          # xid, CALL, rpcvers 2, prog, vers, proc SET
call += struct.pack(">4I", 0, 0, 0, 0)                             # cred AUTH_NONE, verf AUTH_NONE
call += struct.pack(">4I", 0x0607AF, 1, 6, port)                   # mapping: prog, vers, IPPROTO_TCP, port
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(call, ("127.0.0.1", 111))
reply = s.recv(200)
print("SET %d" % struct.unpack(">I", reply[-4:])[0], flush=True)
