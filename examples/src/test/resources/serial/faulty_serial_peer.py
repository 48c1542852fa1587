#!/usr/bin/python3
"""A line-based serial device that misbehaves as real RS232 and USB-serial devices do, written in plain Python on one
end of a pty pair (os.read/os.write, no labwire code), so that labwire is tested against bytes nobody in labwire
produced.

usage: faulty_serial_peer.py <pty path> [fault ...]

It prints READY once the pty is open. Commands are lines ended by LF (a CR before it is dropped):

  *IDN?         -> LABWIRE,SERIAL-PEER,0,1.0
  ECHO? <text>  -> <text>
  SET <text>    a setting: no reply (unless the fault "ok" is on)
  HOLD <ms>     software flow control: the device sends XOFF (0x13) at once and XON (0x11) <ms> milliseconds later,
                as a device whose input buffer filled (no reply; with flow=xonxoff the port must hold what it writes
                meanwhile, and the peer prints HELD and RELEASED)
  REBOOT        the watchdog fires: the board is silent for the boot time, drops what it got meanwhile, then prints
                its banner (and garbage first with "garbage")

Faults (any number):

  echo          every command line comes back before its reply, as a terminal with echo on types it: the text, then
                CR LF (a write, too)
  eol=<x>       replies end with lf (the default), crlf, cr or lfcr (LF then CR)
  pace=<ms>     every byte of a reply is written on its own, <ms> milliseconds apart (9600 baud is ~1 ms a byte)
  boot          the board resets when the port is opened: from the start it is silent for the boot time and drops what
                it gets, then prints its banner
  boot_ms=<ms>  the boot time (1500 by default)
  garbage       before the banner, bytes as read at a wrong baud rate (0x00 0xF8 0x80 0xFE 0xE0 0x78, no LF)
  nul           each reply is preceded by a NUL byte (NUL padding)
  xon           each reply is preceded by XOFF (0x13) and XON (0x11) (software flow control the port does not consume)
  glitch00      each reply is preceded by one 0x00 byte (a line glitch when the transmitter turns on)
  glitchff      each reply is preceded by one 0xFF byte
  ok            a setting (SET ...) is answered "OK"
  xoffin        each reply holds an XOFF XON pair in its text ("t\x13\x111"): a device that stops the host's output
                while it is busy, within a reply (with flow=xonxoff the port consumes both, with flow=none they are data)
  xonfirst      XON is sent as soon as the peer has its end open (a device saying it is ready when it powers up), before
                the client has configured its port: the pty takes it as data, as a port does before IXON is set
  push=<ms>     a status line "STAT <n>" is pushed every <ms> milliseconds, an XOFF before it and an XON after it
  ok_ms=<ms>    how long after the setting its "OK" comes (2 by default)
"""
import os
import sys
import time
import tty

BANNER = b'Arduino board v1.2 ready'
GARBAGE = bytes([0x00, 0xF8, 0x80, 0xFE, 0xE0, 0x78])


def main():
    path = sys.argv[1]
    faults = {}
    for arg in sys.argv[2:]:
        key, _, value = arg.partition('=')
        faults[key] = value if value else True
    eol = {'lf': b'\n', 'crlf': b'\r\n', 'cr': b'\r', 'lfcr': b'\n\r'}[faults.get('eol', 'lf')]
    pace = float(faults.get('pace', 0)) / 1000.0
    boot_s = float(faults.get('boot_ms', 1500)) / 1000.0
    ok_s = float(faults.get('ok_ms', 2)) / 1000.0
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    print('READY', flush=True)

    def write(data):
        if pace > 0:
            for i in range(len(data)):
                os.write(fd, data[i:i + 1])
                time.sleep(pace)
        else:
            os.write(fd, data)

    def xoffin(text):
        if 'xoffin' in faults and len(text) > 1:
            return text[:1] + b'\x13\x11' + text[1:]
        return text

    def prefix():
        p = b''
        if 'nul' in faults:
            p += b'\x00'
        if 'xon' in faults:
            p += b'\x13\x11'
        if 'glitch00' in faults:
            p += b'\x00'
        if 'glitchff' in faults:
            p += b'\xff'
        return p

    def reply(text):
        write(prefix() + xoffin(text) + eol)

    def boot():
        end = time.monotonic() + boot_s
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.05))
            try:
                while os.read(fd, 4096):  # the bootloader drops what comes meanwhile
                    pass
            except BlockingIOError:
                pass
        if 'garbage' in faults:
            os.write(fd, GARBAGE)
            time.sleep(0.01)
        os.write(fd, BANNER + eol)
        print('BANNER', flush=True)

    if 'xonfirst' in faults:
        os.write(fd, b'\x11')
    os.set_blocking(fd, False)
    if 'boot' in faults:
        boot()
    buf = b''
    release_at = None
    push_s = float(faults.get('push', 0)) / 1000.0
    next_push = time.monotonic() + push_s
    pushes = 0
    while True:
        now = time.monotonic()
        if release_at is not None and now >= release_at:
            os.write(fd, b'\x11')
            release_at = None
            print('RELEASED', flush=True)
        if push_s > 0 and now >= next_push:
            os.write(fd, b'\x13' + b'STAT %d' % pushes + eol + b'\x11')
            pushes += 1
            next_push = now + push_s
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.001)
            continue
        except OSError:
            return  # the pair is gone
        if not chunk:
            return
        buf += chunk
        while b'\n' in buf:
            line, _, buf = buf.partition(b'\n')
            line = line.rstrip(b'\r')
            print('GOT ' + line.decode('latin-1'), flush=True)
            if 'echo' in faults:
                write(line + b'\r\n')
            if line == b'*IDN?':
                reply(b'LABWIRE,SERIAL-PEER,0,1.0')
            elif line.startswith(b'ECHO? '):
                reply(line[6:])
            elif line.startswith(b'SET '):
                if 'ok' in faults:
                    time.sleep(ok_s)
                    reply(b'OK')
            elif line.startswith(b'HOLD '):
                os.write(fd, b'\x13')
                release_at = time.monotonic() + float(line[5:]) / 1000.0
                print('HELD', flush=True)
            elif line == b'REBOOT':
                buf = b''
                boot()


if __name__ == '__main__':
    main()
