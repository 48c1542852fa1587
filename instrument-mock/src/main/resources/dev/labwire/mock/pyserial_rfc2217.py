"""An RFC 2217 server made of pyserial's serial.rfc2217.PortManager, for labwire's interop tests.

Usage: python3 pyserial_rfc2217.py SERIAL_DEVICE PORT_FILE
Serves SERIAL_DEVICE on 127.0.0.1 (a free port, written to PORT_FILE once listening), one client at a time.
A pty has no modem lines (TIOCMGET/TIOCMBIS fail), so here they read as off and setting them does nothing.
"""
import socket
import sys
import threading

import serial
import serial.rfc2217


class PtySerial(serial.Serial):
    """pyserial's port, with modem lines that read as off where the device has none (a pty)."""

    def _line(self, name):
        try:
            return getattr(serial.Serial, name).fget(self)
        except OSError:
            return False

    cts = property(lambda self: self._line("cts"))
    dsr = property(lambda self: self._line("dsr"))
    ri = property(lambda self: self._line("ri"))
    cd = property(lambda self: self._line("cd"))

    def _update_dtr_state(self):
        try:
            serial.Serial._update_dtr_state(self)
        except OSError:
            pass

    def _update_rts_state(self):
        try:
            serial.Serial._update_rts_state(self)
        except OSError:
            pass


def serve(device, port_file):
    port = PtySerial()
    port.port = device
    port.timeout = 0.2
    port.open()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lock = threading.Lock()

        class Link:
            def write(self, data):
                with lock:
                    conn.sendall(data)

        manager = serial.rfc2217.PortManager(port, Link())
        alive = [True]

        def to_client():
            while alive[0]:
                try:
                    data = port.read(port.in_waiting or 1)
                except serial.SerialException:
                    break
                if data:
                    try:
                        Link().write(b"".join(manager.escape(data)))
                    except OSError:
                        break

        t = threading.Thread(target=to_client, daemon=True)
        t.start()
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                port.write(b"".join(manager.filter(data)))
        except OSError as e:
            print("connection ended:", e, file=sys.stderr)
        alive[0] = False
        t.join()
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
