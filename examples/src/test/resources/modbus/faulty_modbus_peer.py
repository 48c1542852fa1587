#!/usr/bin/python3
"""A Modbus unit that misbehaves as real devices do, written without any Modbus library (raw socket or pty, its own
CRC), so that labwire is tested against bytes nobody in labwire produced.

usage: faulty_modbus_peer.py tcp <port> <unit>
       faulty_modbus_peer.py rtu <pty path> <unit>

It prints READY once it listens (tcp) or has the pty open (rtu). Unit <unit> answers FC 3 (read holding registers)
with register n = 1000 + n and FC 6 (write single register) with the echo. The start address of an FC 3 request picks
the fault of its reply:

  91  tcp: the transaction id is 0 instead of the request's
  92  the unit id is <unit> + 1
  93  the function code is 4 (read input registers) instead of 3
  94  the byte count says 2 more bytes than the data that follows (the frame is as long as the data)
  95  half the frame, then silence
  96  tcp: the MBAP length field is one less than the bytes that follow
  97  tcp: the MBAP length field is one more than the bytes that follow
  98  exception response 0x04 (SERVER DEVICE FAILURE)
  99  the right reply, 700 ms late
  80  the right reply in 64-byte pieces 30 ms apart (a USB adapter's packets, read by a reader a little late)
  89  the first 5 bytes of the right reply, the rest 600 ms later (a reply that straddles the caller's timeout)
  81  rtu: a 0x00 byte right before the right reply, no silence between (an RS485 transceiver's turn-around glitch)
  82  rtu: a 0xFF byte right before the right reply, in the same write
  83  rtu: a 0xC0 byte right before the right reply, in the same write (a longer glitch; also a unit address)

An FC 6 broadcast (unit 0) to register 90 is answered as if it were addressed to <unit>, 150 ms later (a device that
answers broadcasts); other broadcasts are not answered, as the spec says.
"""
import os
import select
import socket
import struct
import sys
import time
import tty


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def with_crc(adu):
    return adu + struct.pack('<H', crc16(adu))


def reply_pdu(unit, pdu):
    """(unit id, reply pdu, fault) for a request pdu, or None for no reply."""
    fc = pdu[0]
    if fc == 6:
        return unit, pdu[:5], None
    if fc != 3:
        return unit, bytes([fc | 0x80, 1]), None
    address, count = struct.unpack('>HH', pdu[1:5])
    data = b''.join(struct.pack('>H', (1000 + address + i) & 0xFFFF) for i in range(count))
    good = bytes([3, len(data)]) + data
    if address == 92:
        return unit + 1, good, None
    if address == 93:
        return unit, bytes([4, len(data)]) + data, None
    if address == 94:
        return unit, bytes([3, len(data) + 2]) + data, None
    if address == 98:
        return unit, bytes([0x83, 4]), None
    return unit, good, address


def serve_tcp(port, unit):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(4)
    print('READY', flush=True)
    while True:
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b''
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 7:
                tid, proto, length = struct.unpack('>HHH', buf[:6])
                if len(buf) < 6 + length:
                    break
                req_unit, pdu = buf[6], buf[7:6 + length]
                buf = buf[6 + length:]
                if req_unit != unit:
                    continue
                answer = reply_pdu(unit, pdu)
                if answer is None:
                    continue
                out_unit, out, fault = answer
                if fault == 91:
                    tid = 0
                mbap_len = len(out) + 1 + (-1 if fault == 96 else 1 if fault == 97 else 0)
                frame = struct.pack('>HHHB', tid, 0, mbap_len, out_unit) + out
                if fault == 95:
                    frame = frame[:len(frame) // 2]
                if fault == 99:
                    time.sleep(0.7)
                if fault == 80:
                    send_in_pieces(conn.sendall, frame)
                elif fault == 89:
                    straddle(conn.sendall, frame)
                else:
                    conn.sendall(frame)
        conn.close()


def send_in_pieces(write, frame):
    for at in range(0, len(frame), 64):
        if at:
            time.sleep(0.03)
        write(frame[at:at + 64])


def straddle(write, frame):
    write(frame[:5])
    time.sleep(0.6)
    write(frame[5:])


def request_length(buf):
    """The length of the RTU request at the start of buf, None when more bytes are needed, -1 for no rule."""
    if len(buf) < 2:
        return None
    fc = buf[1]
    if fc in (1, 2, 3, 4, 5, 6):
        return 8
    if fc in (15, 16):
        return None if len(buf) < 7 else 9 + buf[6]
    return -1


def serve_rtu(path, unit):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    print('READY', flush=True)
    buf = b''
    while True:
        r, _, _ = select.select([fd], [], [], 0.02)
        if not r:
            buf = b''  # a silence ends whatever was half received
            continue
        buf += os.read(fd, 512)
        while True:
            n = request_length(buf)
            if n is None or len(buf) < n:
                break
            if n < 0:
                buf = b''
                break
            adu, buf = buf[:n], buf[n:]
            if crc16(adu[:-2]) != struct.unpack('<H', adu[-2:])[0]:
                buf = b''
                break
            req_unit, pdu = adu[0], adu[1:-2]
            if req_unit == 0 and pdu[0] == 6 and struct.unpack('>H', pdu[1:3])[0] == 90:
                time.sleep(0.15)
                os.write(fd, with_crc(bytes([unit]) + pdu[:5]))
                continue
            if req_unit != unit:
                continue
            out_unit, out, fault = reply_pdu(unit, pdu)
            frame = with_crc(bytes([out_unit]) + out)
            if fault == 95:
                frame = frame[:len(frame) // 2]
            if fault == 99:
                time.sleep(0.7)
            if fault == 81:
                os.write(fd, b'\x00')
            if fault == 82:
                frame = b'\xff' + frame
            if fault == 83:
                frame = b'\xc0' + frame
            if fault == 80:
                send_in_pieces(lambda b: os.write(fd, b), frame)
            elif fault == 89:
                straddle(lambda b: os.write(fd, b), frame)
            else:
                os.write(fd, frame)


if __name__ == '__main__':
    mode, where, unit_arg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == 'tcp':
        serve_tcp(int(where), unit_arg)
    else:
        serve_rtu(where, unit_arg)
