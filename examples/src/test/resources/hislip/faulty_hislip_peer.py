#!/usr/bin/python3
"""A HiSLIP 2.0 server that misbehaves as real instruments do, written from IVI-6.1 with sockets and struct only (no
HiSLIP library, nothing of labwire), so that labwire is tested against bytes nobody in labwire produced.

usage: faulty_hislip_peer.py <port> [--overlap] [--interrupt] [--init-delay MS] [--async-init-delay MS]

It prints READY once it listens on 127.0.0.1:<port>, then one "LOG ..." line for each thing worth knowing (a query,
a fault played, an Error or FatalError the client sent). Both channels come to the same port; the first message
tells them apart (Initialize: synchronous, AsyncInitialize: asynchronous).

Every message is a 16-byte header, "HS", type, control code, a 32-bit parameter and a 64-bit payload length, all
big-endian, then the payload. The synchronous channel answers `*IDN?` and `ECHO? x` (the reply is "x\\n") with a
DataEnd carrying the message id of the client's DataEnd that ended the query (IVI-6.1 3.1.2). The query's keyword
picks the fault of its reply:

  SPLIT? x       the reply one byte per TCP segment, 2 ms apart (TCP_NODELAY)
  HDRSPLIT? x    the 16-byte header, then its payload 100 ms later
  LATE? ms x     the right reply, ms milliseconds late; the next query waits behind it (a busy instrument). With
                 --interrupt (synchronized mode), a query that comes meanwhile gets Interrupted on the synchronous
                 and AsyncInterrupted on the asynchronous channel instead, and the late reply is dropped (IVI-6.1
                 3.1.2 rule 4)
  WRONGID? x     the reply carries the next message id the client will use (id + 2)
  STALEID? x     the reply carries the id before the client's (id - 2)
  UNSOLID? x     the reply carries 0xFFFFFFFF
  ERROR? x       an Error (code 0, "peer error") on the synchronous channel, then the right reply
  ERRONLY? x     an Error (code 0) instead of the reply (the spec: the message in error is discarded)
  FATAL? x       a FatalError (code 0, "peer fatal") on the synchronous channel, then both channels closed
  CLOSEASYNC? x  the asynchronous channel closed, no reply
  CLOSESYNC? x   the synchronous channel closed, no reply
  HUGE? x        a DataEnd whose length field says 2**62 bytes, then 64 KiB of payload bytes, then silence
  UNKNOWN? x     a message of type 100 (reserved) with 4 payload bytes, then the right reply
  VENDOR? x      a message of type 200 (vendor specific), then the right reply
  PROLOGUE? x    a header beginning "XS" instead of "HS" (the rest like a DataEnd of the reply)

--overlap makes InitializeResponse offer overlapped mode (control code bit 0); without it the server is
synchronized-only. --init-delay / --async-init-delay delay InitializeResponse / AsyncInitializeResponse (a slow
server; -1: never answer). A FatalError from the client ends the session (logged).
"""
import select
import socket
import struct
import sys
import threading
import time

INITIALIZE, INITIALIZE_RESPONSE, FATAL_ERROR, ERROR = 0, 1, 2, 3
ASYNC_LOCK, ASYNC_LOCK_RESPONSE, DATA, DATA_END = 4, 5, 6, 7
DEVICE_CLEAR_COMPLETE, DEVICE_CLEAR_ACKNOWLEDGE = 8, 9
ASYNC_REMOTE_LOCAL_CONTROL, ASYNC_REMOTE_LOCAL_RESPONSE, TRIGGER, INTERRUPTED, ASYNC_INTERRUPTED = 10, 11, 12, 13, 14
ASYNC_MAX_MSG_SIZE, ASYNC_MAX_MSG_SIZE_RESPONSE, ASYNC_INITIALIZE, ASYNC_INITIALIZE_RESPONSE = 15, 16, 17, 18
ASYNC_DEVICE_CLEAR, ASYNC_STATUS_QUERY, ASYNC_STATUS_RESPONSE, ASYNC_DEVICE_CLEAR_ACK = 19, 21, 22, 23
ASYNC_LOCK_INFO, ASYNC_LOCK_INFO_RESPONSE = 24, 25

VERSION = 0x0200        # HiSLIP 2.0
MAX_MESSAGE = 1 << 20   # what this server accepts, header included
HEADER = struct.Struct('>2sBBIQ')

OPTIONS = {'overlap': False, 'interrupt': False, 'init_delay': 0, 'async_init_delay': 0}
SESSIONS = {}           # session id -> Session
SESSIONS_LOCK = threading.Lock()
LOG_LOCK = threading.Lock()


def log(text):
    with LOG_LOCK:
        print('LOG ' + text, flush=True)


def header(mtype, control, parameter, length, prologue=b'HS'):
    return HEADER.pack(prologue, mtype, control, parameter & 0xFFFFFFFF, length)


def message(mtype, control=0, parameter=0, payload=b''):
    return header(mtype, control, parameter, len(payload)) + payload


def read_exactly(sock, n):
    """n bytes, or None when the peer closed first."""
    chunks = []
    while n > 0:
        b = sock.recv(min(n, 65536))
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def read_message(sock):
    """(type, control, parameter, payload), or None at end of stream; ValueError for a bad prologue or size."""
    h = read_exactly(sock, 16)
    if h is None:
        return None
    prologue, mtype, control, parameter, length = HEADER.unpack(h)
    if prologue != b'HS':
        raise ValueError('bad prologue %r' % prologue)
    if length > MAX_MESSAGE - 16:
        raise ValueError('payload of %d bytes is over our maximum' % length)
    payload = read_exactly(sock, length) if length else b''
    if payload is None:
        return None
    return mtype, control, parameter, payload


class Session:
    def __init__(self, sid, sync):
        self.sid = sid
        self.sync = sync
        self.async_sock = None
        self.send_lock = threading.Lock()
        self.async_ready = threading.Event()

    def send_sync(self, data):
        with self.send_lock:
            self.sync.sendall(data)

    def send_async(self, data):
        if self.async_sock is not None:
            self.async_sock.sendall(data)

    def close(self):
        for s in (self.sync, self.async_sock):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def new_session_id():
    with SESSIONS_LOCK:
        sid = 1
        while sid in SESSIONS:
            sid += 1
        return sid


def delay(ms):
    if ms < 0:
        time.sleep(3600)
    elif ms:
        time.sleep(ms / 1000.0)


def handle(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        first = read_message(conn)
    except ValueError as e:
        log('first message refused: %s' % e)
        conn.sendall(message(FATAL_ERROR, 1, 0, b'Poorly formed message header'))
        conn.close()
        return
    if first is None:
        conn.close()
        return
    mtype, control, parameter, payload = first
    if mtype == INITIALIZE:
        serve_sync(conn, parameter, payload)
    elif mtype == ASYNC_INITIALIZE:
        serve_async(conn, parameter)
    else:
        log('first message of type %d is neither Initialize nor AsyncInitialize' % mtype)
        conn.sendall(message(FATAL_ERROR, 3, 0, b'Attempt to use connection without both channels established'))
        conn.close()


def serve_sync(conn, parameter, payload):
    client_version = parameter >> 16
    vendor = struct.pack('>H', parameter & 0xFFFF).decode('latin-1')
    version = min(client_version, VERSION)
    sid = new_session_id()
    session = Session(sid, conn)
    with SESSIONS_LOCK:
        SESSIONS[sid] = session
    log('Initialize from vendor %s, version 0x%04x, sub-address %s; session %d' % (
        vendor, client_version, payload.decode('latin-1'), sid))
    delay(OPTIONS['init_delay'])
    conn.sendall(message(INITIALIZE_RESPONSE, 1 if OPTIONS['overlap'] else 0, (version << 16) | sid))
    try:
        sync_loop(session)
    except (OSError, ValueError) as e:
        log('session %d synchronous channel: %s' % (sid, e))
        if isinstance(e, ValueError):
            try:
                conn.sendall(message(FATAL_ERROR, 1, 0, str(e).encode()))
            except OSError:
                pass
    finally:
        with SESSIONS_LOCK:
            SESSIONS.pop(sid, None)
        session.close()
        log('session %d ended' % sid)


def sync_loop(session):
    gathered = b''
    pending = None      # a next message read while a late reply waited (--interrupt)
    while True:
        m = pending if pending is not None else read_message(session.sync)
        pending = None
        if m is None:
            return
        mtype, control, parameter, payload = m
        if mtype == DATA:
            gathered += payload
            continue
        if mtype == DATA_END:
            query = (gathered + payload).decode('latin-1').strip()
            gathered = b''
            log('query 0x%08x %r' % (parameter, query))
            pending = answer(session, query, parameter)
            if pending == 'closed':
                return
            continue
        if mtype == TRIGGER:
            log('Trigger 0x%08x' % parameter)
        elif mtype == DEVICE_CLEAR_COMPLETE:
            log('DeviceClearComplete')
            gathered = b''
            session.send_sync(message(DEVICE_CLEAR_ACKNOWLEDGE, control & 1 if OPTIONS['overlap'] else 0))
        elif mtype == FATAL_ERROR:
            log('FatalError %d from the client: %s' % (control, payload.decode('latin-1')))
            return
        elif mtype == ERROR:
            log('Error %d from the client: %s' % (control, payload.decode('latin-1')))
        else:
            log('unexpected message type %d on the synchronous channel' % mtype)
            session.send_sync(message(ERROR, 1, 0, b'Unrecognized Message Type'))


def reply_text(query):
    if query.upper() == '*IDN?':
        return 'FAULTY,HISLIP-PEER,0,2.0'
    parts = query.split(' ', 1)
    return parts[1] if len(parts) > 1 else ''


def answer(session, query, mid):
    """Answers one query; returns a message read meanwhile (to handle next), 'closed', or None."""
    keyword = query.split(' ', 1)[0].upper()
    if not keyword.endswith('?'):
        return None
    text = reply_text(query)
    if keyword == 'LATE?':
        ms, _, text = text.partition(' ')
        return late(session, int(ms), (text + '\n').encode(), mid)
    body = (text + '\n').encode()
    good = message(DATA_END, 0, mid, body)
    if keyword == 'SPLIT?':
        log('fault: the reply one byte per segment')
        for i in range(len(good)):
            session.send_sync(good[i:i + 1])
            time.sleep(0.002)
    elif keyword == 'HDRSPLIT?':
        log('fault: header, payload 100 ms later')
        session.send_sync(good[:16])
        time.sleep(0.1)
        session.send_sync(good[16:])
    elif keyword == 'WRONGID?':
        log('fault: reply carries id 0x%08x for 0x%08x' % ((mid + 2) & 0xFFFFFFFF, mid))
        session.send_sync(message(DATA_END, 0, mid + 2, body))
    elif keyword == 'STALEID?':
        log('fault: reply carries id 0x%08x for 0x%08x' % ((mid - 2) & 0xFFFFFFFF, mid))
        session.send_sync(message(DATA_END, 0, mid - 2, body))
    elif keyword == 'UNSOLID?':
        log('fault: reply carries id 0xffffffff')
        session.send_sync(message(DATA_END, 0, 0xFFFFFFFF, body))
    elif keyword == 'ERROR?':
        log('fault: Error 0, then the reply')
        session.send_sync(message(ERROR, 0, 0, b'peer error') + good)
    elif keyword == 'ERRONLY?':
        log('fault: Error 0 instead of the reply')
        session.send_sync(message(ERROR, 0, 0, b'peer error'))
    elif keyword == 'FATAL?':
        log('fault: FatalError 0, both channels closed')
        session.send_sync(message(FATAL_ERROR, 0, 0, b'peer fatal'))
        session.close()
        return 'closed'
    elif keyword == 'CLOSEASYNC?':
        log('fault: asynchronous channel closed')
        if session.async_sock is not None:
            session.async_sock.shutdown(socket.SHUT_RDWR)
    elif keyword == 'CLOSESYNC?':
        log('fault: synchronous channel closed')
        session.close()
        return 'closed'
    elif keyword == 'HUGE?':
        log('fault: DataEnd announcing 2**62 bytes, 64 KiB sent')
        session.send_sync(header(DATA_END, 0, mid, 1 << 62) + b'\x55' * 65536)
    elif keyword == 'UNKNOWN?':
        log('fault: a message of type 100, then the reply')
        session.send_sync(message(100, 0, 0, b'\x01\x02\x03\x04') + good)
    elif keyword == 'VENDOR?':
        log('fault: a message of type 200, then the reply')
        session.send_sync(message(200, 7, 0, b'vendor') + good)
    elif keyword == 'PROLOGUE?':
        log('fault: a header beginning XS')
        session.send_sync(header(DATA_END, 0, mid, len(body), b'XS') + body)
    else:
        session.send_sync(good)
    return None


def late(session, ms, body, mid):
    log('fault: the reply %d ms late' % ms)
    if OPTIONS['interrupt'] and not OPTIONS['overlap']:
        readable, _, _ = select.select([session.sync], [], [], ms / 1000.0)
        if readable:
            log('a new message came before the late reply: Interrupted, AsyncInterrupted, the reply dropped')
            nxt = read_message(session.sync)
            newid = nxt[2] if nxt is not None and nxt[0] in (DATA, DATA_END, TRIGGER) else mid
            session.send_sync(message(INTERRUPTED, 0, newid))
            session.send_async(message(ASYNC_INTERRUPTED, 0, newid))
            return nxt if nxt is not None else 'closed'
    else:
        time.sleep(ms / 1000.0)
    session.send_sync(message(DATA_END, 0, mid, body))
    log('late reply 0x%08x sent' % mid)
    return None


def serve_async(conn, sid):
    with SESSIONS_LOCK:
        session = SESSIONS.get(sid & 0xFFFF)
    if session is None:
        log('AsyncInitialize for unknown session %d' % sid)
        conn.sendall(message(FATAL_ERROR, 2, 0, b'Invalid Initialization Sequence'))
        conn.close()
        return
    session.async_sock = conn
    log('AsyncInitialize session %d' % sid)
    delay(OPTIONS['async_init_delay'])
    conn.sendall(message(ASYNC_INITIALIZE_RESPONSE, 0, struct.unpack('>H', b'FP')[0]))
    try:
        while True:
            m = read_message(conn)
            if m is None:
                return
            mtype, control, parameter, payload = m
            if mtype == ASYNC_MAX_MSG_SIZE:
                client_max = struct.unpack('>Q', payload)[0]
                log('AsyncMaximumMessageSize %d' % client_max)
                conn.sendall(message(ASYNC_MAX_MSG_SIZE_RESPONSE, 0, 0, struct.pack('>Q', MAX_MESSAGE)))
            elif mtype == ASYNC_STATUS_QUERY:
                conn.sendall(message(ASYNC_STATUS_RESPONSE, 0))
            elif mtype == ASYNC_LOCK:
                conn.sendall(message(ASYNC_LOCK_RESPONSE, 1))
            elif mtype == ASYNC_LOCK_INFO:
                conn.sendall(message(ASYNC_LOCK_INFO_RESPONSE, 0, 0))
            elif mtype == ASYNC_REMOTE_LOCAL_CONTROL:
                conn.sendall(message(ASYNC_REMOTE_LOCAL_RESPONSE))
            elif mtype == ASYNC_DEVICE_CLEAR:
                log('AsyncDeviceClear')
                conn.sendall(message(ASYNC_DEVICE_CLEAR_ACK, 1 if OPTIONS['overlap'] else 0))
            elif mtype == FATAL_ERROR:
                log('FatalError %d from the client (async): %s' % (control, payload.decode('latin-1')))
                return
            elif mtype == ERROR:
                log('Error %d from the client (async): %s' % (control, payload.decode('latin-1')))
            else:
                log('unexpected message type %d on the asynchronous channel' % mtype)
                conn.sendall(message(ERROR, 1, 0, b'Unrecognized Message Type'))
    except (OSError, ValueError) as e:
        log('session %d asynchronous channel: %s' % (sid, e))
    finally:
        conn.close()


def main():
    args = sys.argv[1:]
    port = int(args.pop(0))
    while args:
        a = args.pop(0)
        if a == '--overlap':
            OPTIONS['overlap'] = True
        elif a == '--interrupt':
            OPTIONS['interrupt'] = True
        elif a == '--init-delay':
            OPTIONS['init_delay'] = int(args.pop(0))
        elif a == '--async-init-delay':
            OPTIONS['async_init_delay'] = int(args.pop(0))
        else:
            sys.exit('unknown option ' + a)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(16)
    print('READY', flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == '__main__':
    main()
