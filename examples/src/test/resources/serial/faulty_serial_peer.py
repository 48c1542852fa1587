#!/usr/bin/python3
"""A line-based serial device that misbehaves as real RS232 and USB-serial devices do, written in plain Python on one
end of a pty pair (os.read/os.write, no labwire code), so that labwire is tested against bytes nobody in labwire
produced.

usage: faulty_serial_peer.py <pty path> [fault ...]

It prints READY once the pty is open. Commands are lines ended by LF (a CR before it is dropped):

  *IDN?         -> LABWIRE,SERIAL-PEER,0,1.0
  ECHO? <text>  -> <text>
  SET <text>    a setting: no reply (unless the fault "ok" is on)
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
        write(prefix() + text + eol)

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

    os.set_blocking(fd, False)
    if 'boot' in faults:
        boot()
    buf = b''
    while True:
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
            elif line == b'REBOOT':
                buf = b''
                boot()


if __name__ == '__main__':
    main()
