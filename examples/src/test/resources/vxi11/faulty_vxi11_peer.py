#!/usr/bin/python3
"""A VXI-11 instrument that misbehaves as real ones do, written from the VXI-11 specification (rev 1.0, B.6), ONC RPC
(RFC 5531: messages, record marking) and the portmapper (RFC 1833, version 2) with sockets and struct only (no RPC
library, nothing of labwire), so that labwire is tested against bytes nobody in labwire produced.

usage: faulty_vxi11_peer.py <portmapper-port> [--max-recv N] [--create-delay MS]

It listens on 127.0.0.1: a portmapper on <portmapper-port> (GETPORT for the core program 0x0607AF v1 over TCP answers
the core port), the core channel and the abort channel on ports of its own. It prints READY once all three listen,
then one "LOG ..." line for each thing worth knowing (a call, a fault played).

Every RPC message is a record (RFC 5531 section 11: fragments behind a 4-byte header, top bit "last fragment", 31 bits
length). The core channel answers create_link, device_write, device_read, device_readstb, device_clear, device_lock,
device_unlock and destroy_link; the abort channel answers device_abort. The data a device_write carries is one
command; `*IDN?` is answered "FAULTY,VXI11-PEER,0,1.0\\n", `ECHO? x` with "x\\n". The command's keyword picks how the
device_read calls after it are answered:

  FRAG? x          the reply record sent as fragments of 3 bytes each (one TCP segment each, TCP_NODELAY)
  HDRSPLIT? x      the reply record's 4-byte header sent as 2 bytes, 50 ms, 2 bytes, 50 ms, then the rest
  PIECES? x        the reply 2 bytes per device_read, reason CHR (0x2) without END, then REQCNT (0x1) without
                   END, alternating; the last piece with END (0x4)
  BIG? n           a reply of n bytes ("0123456789" repeated, then "\\n"); each device_read gets at most its
                   requestSize (reason REQCNT) and the last part END
  LATE? ms x       the device_read reply sent ms milliseconds late, with the xid of that call (a device_abort
                   meanwhile is answered, but does not cut it short); later calls wait behind it
  WRONGXID? x      a reply to the device_read carrying xid + 1000, then the right reply
  BADXID? x        only a reply carrying xid + 1000 (the call gets no reply)
  PROGUNAVAIL? x   the device_read answered PROG_UNAVAIL (accept_stat 1)
  GARBAGE? x       the device_read answered GARBAGE_ARGS (accept_stat 4)
  DENIED? x        the device_read answered MSG_DENIED, AUTH_ERROR (auth_stat 1, bad credentials)
  ERR? code x      the device_read answered Device_ReadResp with that error code, no data
  WERR? code x     the device_write itself answered with that error code
  DROPLINK? x      the device forgets the link (as after a power glitch or a front-panel reset): this and every later
                   call with that lid is answered error 4 (invalid link identifier) until a new create_link
  HUGELEN? x       a reply record whose header says 0x7FFFFFF0 bytes, then 64 KiB of bytes, then silence
  TRUNC? x         half of the reply record, then the core connection closed
  CLOSE? x         the core connection closed instead of answering the device_read

--max-recv N: create_link answers maxRecvSize N (default 1024); a device_write carrying more than N bytes is answered
error 5 (parameter error) and logged "OVERSIZE". --create-delay MS: create_link is answered MS ms late (-1: never).
"""
import socket
import struct
import sys
import threading
import time

CORE_PROG, ABORT_PROG, PORTMAP_PROG = 0x0607AF, 0x0607B0, 100000
CREATE_LINK, DEVICE_WRITE, DEVICE_READ, DEVICE_READSTB = 10, 11, 12, 13
DEVICE_CLEAR, DEVICE_LOCK, DEVICE_UNLOCK, DESTROY_LINK = 15, 18, 19, 23
END, CHR, REQCNT = 4, 2, 1
IDN = b'FAULTY,VXI11-PEER,0,1.0\n'

OPTIONS = {'max_recv': 1024, 'create_delay': 0}
PORTS = {}
LOG_LOCK = threading.Lock()
LINKS = {'next': 1, 'live': set()}


def log(text):
    with LOG_LOCK:
        print('LOG ' + text, flush=True)


class Closed(Exception):
    pass


def read_exactly(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Closed()
        data += chunk
    return data


def read_record(sock):
    """One whole record: the fragments' bodies joined (this server trusts its client's sizes)."""
    body = b''
    while True:
        (h,) = struct.unpack('>I', read_exactly(sock, 4))
        body += read_exactly(sock, h & 0x7FFFFFFF)
        if h & 0x80000000:
            return body


def record(message):
    return struct.pack('>I', 0x80000000 | len(message)) + message


class Xdr:
    """Reads XDR items (RFC 4506): 4-byte big-endian integers, opaque and strings padded to 4 bytes."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def u32(self):
        (v,) = struct.unpack_from('>I', self.data, self.at)
        self.at += 4
        return v

    def opaque(self):
        n = self.u32()
        v = self.data[self.at:self.at + n]
        self.at += (n + 3) // 4 * 4
        return v


def opaque(b):
    return struct.pack('>I', len(b)) + b + b'\0' * (-len(b) % 4)


def parse_call(message):
    """xid, program, version, procedure and the argument reader of a CALL (credentials and verifier skipped)."""
    x = Xdr(message)
    xid, mtype, rpcvers, prog, vers, proc = (x.u32() for _ in range(6))
    if mtype != 0 or rpcvers != 2:
        raise ValueError('not an RPC v2 CALL: msg_type %d, rpcvers %d' % (mtype, rpcvers))
    for _ in range(2):      # cred, verf: flavor and body
        x.u32()
        x.opaque()
    return xid, prog, vers, proc, x


def accepted(xid, results=b'', stat=0):
    return struct.pack('>IIIIII', xid, 1, 0, 0, 0, stat) + results


def denied_auth(xid, auth_stat):
    return struct.pack('>IIIII', xid, 1, 1, 1, auth_stat)


def listener(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(8)
    return s


def serve(sock, handler):
    def accept_loop():
        while True:
            conn, _ = sock.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=handler, args=(conn,), daemon=True).start()
    threading.Thread(target=accept_loop, daemon=True).start()


def portmapper(conn):
    try:
        while True:
            xid, prog, vers, proc, x = parse_call(read_record(conn))
            if prog != PORTMAP_PROG or vers != 2:
                conn.sendall(record(accepted(xid, stat=1)))
                continue
            if proc == 0:
                conn.sendall(record(accepted(xid)))
                continue
            mprog, mvers, mprot = x.u32(), x.u32(), x.u32()
            port = PORTS['core'] if (mprog, mvers, mprot) == (CORE_PROG, 1, 6) else 0
            log('GETPORT 0x%X v%d prot %d -> %d' % (mprog, mvers, mprot, port))
            conn.sendall(record(accepted(xid, struct.pack('>I', port))))
    except (Closed, OSError):
        pass
    finally:
        conn.close()


def abort_channel(conn):
    try:
        while True:
            xid, prog, vers, proc, x = parse_call(read_record(conn))
            log('device_abort lid %d' % x.u32() if proc == 1 else 'abort channel procedure %d' % proc)
            conn.sendall(record(accepted(xid, struct.pack('>I', 0))))
    except (Closed, OSError):
        pass
    finally:
        conn.close()


class Core:
    """One core-channel connection: its link, the command last written and how its reply is to be read."""

    def __init__(self, conn):
        self.conn = conn
        self.lid = None
        self.reply = b''        # what device_read calls still have to hand out
        self.keyword = ''
        self.arg = ''
        self.piece = 0

    def run(self):
        try:
            while True:
                message = read_record(self.conn)
                xid, prog, vers, proc, x = parse_call(message)
                if prog != CORE_PROG:
                    self.conn.sendall(record(accepted(xid, stat=1)))
                    continue
                if not self.call(xid, proc, x):
                    return
        except (Closed, OSError):
            pass
        finally:
            log('core connection closed')
            self.conn.close()

    def send(self, message):
        self.conn.sendall(record(message))

    def error(self, xid, code):
        self.send(accepted(xid, struct.pack('>I', code)))

    def call(self, xid, proc, x):
        """Answers one call; False ends the connection."""
        if proc == CREATE_LINK:
            client_id, lock, lock_timeout, device = x.u32(), x.u32(), x.u32(), x.opaque().decode()
            delay = OPTIONS['create_delay']
            log('create_link %s (delay %d ms)' % (device, delay))
            if delay < 0:
                return self.silent()
            time.sleep(delay / 1000)
            self.lid = LINKS['next']
            LINKS['next'] += 1
            LINKS['live'].add(self.lid)
            self.send(accepted(xid, struct.pack('>IIII', 0, self.lid, PORTS['abort'], OPTIONS['max_recv'])))
            return True
        lid = x.u32()
        if lid not in LINKS['live']:
            log('call %d with unknown lid %d: error 4' % (proc, lid))
            self.reply_error(xid, proc, 4)
            return True
        if proc == DEVICE_WRITE:
            io_timeout, lock_timeout, flags, data = x.u32(), x.u32(), x.u32(), x.opaque()
            return self.write(xid, data)
        if proc == DEVICE_READ:
            request_size = x.u32()
            return self.read(xid, request_size)
        if proc == DEVICE_READSTB:
            self.send(accepted(xid, struct.pack('>II', 0, 0)))
        elif proc == DESTROY_LINK:
            log('destroy_link %d' % lid)
            LINKS['live'].discard(lid)
            self.error(xid, 0)
        else:
            if proc == DEVICE_CLEAR:
                self.reply = b''
                self.keyword = ''
            log('procedure %d lid %d' % (proc, lid))
            self.error(xid, 0)
        return True

    def reply_error(self, xid, proc, code):
        if proc == DEVICE_WRITE:
            self.send(accepted(xid, struct.pack('>II', code, 0)))
        elif proc == DEVICE_READ:
            self.send(accepted(xid, struct.pack('>II', code, 0) + opaque(b'')))
        elif proc == DEVICE_READSTB:
            self.send(accepted(xid, struct.pack('>II', code, 0)))
        else:
            self.error(xid, code)

    def silent(self):
        """Never answers again; the connection stays open until the client closes it."""
        try:
            while self.conn.recv(4096):
                pass
        except OSError:
            pass
        return False

    def write(self, xid, data):
        if len(data) > OPTIONS['max_recv']:
            log('OVERSIZE device_write of %d bytes, maxRecvSize %d' % (len(data), OPTIONS['max_recv']))
            self.send(accepted(xid, struct.pack('>II', 5, 0)))
            return True
        log('device_write %d bytes' % len(data))
        self.pending = getattr(self, 'pending', b'') + data
        if not self.pending.endswith(b'\n'):
            self.send(accepted(xid, struct.pack('>II', 0, len(data))))
            return True
        command = self.pending.decode(errors='replace').strip()
        self.pending = b''
        parts = command.split(' ', 2)
        self.keyword = parts[0].upper()
        self.arg = parts[1] if len(parts) > 1 else ''
        rest = parts[2] if len(parts) > 2 else ''
        log('command %r' % command)
        self.piece = 0
        if self.keyword == '*IDN?':
            self.reply = IDN
        elif self.keyword in ('LATE?', 'ERR?', 'WERR?'):
            self.reply = (rest + '\n').encode()
        elif self.keyword == 'BIG?':
            n = int(self.arg)
            self.reply = (b'0123456789' * (n // 10 + 1))[:n - 1] + b'\n'
        else:
            self.reply = (command.split(' ', 1)[1] + '\n').encode() if ' ' in command else b'\n'
        if self.keyword == 'WERR?':
            log('device_write answered error %s' % self.arg)
            self.send(accepted(xid, struct.pack('>II', int(self.arg), 0)))
            return True
        if self.keyword == 'DROPLINK?':
            log('link %d forgotten' % self.lid)
            LINKS['live'].discard(self.lid)
            self.send(accepted(xid, struct.pack('>II', 4, 0)))
            return True
        self.send(accepted(xid, struct.pack('>II', 0, len(data))))
        return True

    def read_resp(self, xid, data, reason, error=0):
        return accepted(xid, struct.pack('>II', error, reason) + opaque(data))

    def read(self, xid, request_size):
        k = self.keyword
        if k == 'PIECES?' and len(self.reply) > 2:
            part, self.reply = self.reply[:2], self.reply[2:]
            self.piece += 1
            reason = CHR if self.piece % 2 else REQCNT
            log('piece %d without END, reason %d' % (self.piece, reason))
            self.send(self.read_resp(xid, part, reason))
            return True
        if k == 'BIG?' and len(self.reply) > request_size:
            part, self.reply = self.reply[:request_size], self.reply[request_size:]
            log('BIG part of %d bytes (requestSize %d), REQCNT' % (len(part), request_size))
            self.send(self.read_resp(xid, part, REQCNT))
            return True
        data, self.reply = self.reply[:request_size], self.reply[request_size:]
        reason = END if not self.reply else REQCNT
        message = self.read_resp(xid, data, reason)
        if k == 'FRAG?':
            log('reply in %d fragments of 3 bytes' % ((len(message) + 2) // 3))
            for i in range(0, len(message), 3):
                last = 0x80000000 if i + 3 >= len(message) else 0
                chunk = message[i:i + 3]
                self.conn.sendall(struct.pack('>I', last | len(chunk)) + chunk)
                time.sleep(0.001)
        elif k == 'HDRSPLIT?':
            whole = record(message)
            log('reply header split 2 + 2 bytes')
            for part in (whole[:2], whole[2:4], whole[4:]):
                self.conn.sendall(part)
                time.sleep(0.05)
        elif k == 'LATE?':
            log('reply %d ms late (xid 0x%x)' % (int(self.arg), xid))
            time.sleep(int(self.arg) / 1000)
            self.send(message)
            log('late reply sent (xid 0x%x)' % xid)
        elif k in ('WRONGXID?', 'BADXID?'):
            log('reply with xid 0x%x instead of 0x%x' % (xid + 1000, xid))
            self.send(self.read_resp(xid + 1000, b'wrong\n', END))
            if k == 'WRONGXID?':
                self.send(message)
        elif k == 'PROGUNAVAIL?':
            log('PROG_UNAVAIL')
            self.send(accepted(xid, stat=1))
        elif k == 'GARBAGE?':
            log('GARBAGE_ARGS')
            self.send(accepted(xid, stat=4))
        elif k == 'DENIED?':
            log('MSG_DENIED AUTH_ERROR')
            self.send(denied_auth(xid, 1))
        elif k == 'ERR?':
            log('device_read answered error %s' % self.arg)
            self.reply = b''
            self.send(self.read_resp(xid, b'', 0, int(self.arg)))
        elif k == 'HUGELEN?':
            log('record header 0x7FFFFFF0 bytes, 64 KiB sent, then silence')
            self.conn.sendall(struct.pack('>I', 0xFFFFFFF0) + message + b'\0' * (65536 - len(message)))
            return self.silent()
        elif k == 'TRUNC?':
            whole = record(message)
            log('truncated reply (%d of %d bytes), then close' % (len(whole) // 2, len(whole)))
            self.conn.sendall(whole[:len(whole) // 2])
            return False
        elif k == 'CLOSE?':
            log('core connection closed instead of a reply')
            return False
        else:
            self.send(message)
        return True


def main():
    args = sys.argv[1:]
    pm_port = int(args[0])
    i = 1
    while i < len(args):
        if args[i] == '--max-recv':
            OPTIONS['max_recv'] = int(args[i + 1])
        elif args[i] == '--create-delay':
            OPTIONS['create_delay'] = int(args[i + 1])
        else:
            raise SystemExit('unknown option ' + args[i])
        i += 2
    pm, core, abort = listener(pm_port), listener(), listener()
    PORTS['core'], PORTS['abort'] = core.getsockname()[1], abort.getsockname()[1]
    serve(pm, portmapper)
    serve(core, lambda conn: Core(conn).run())
    serve(abort, abort_channel)
    print('READY', flush=True)
    threading.Event().wait()


if __name__ == '__main__':
    main()
