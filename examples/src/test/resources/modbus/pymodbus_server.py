"""A Modbus RTU server (slave) from Debian's python3-pymodbus, for labwire's interop tests.

usage: pymodbus_rtu_server.py MODE PORT UNIT BAUD
MODE rtu or ascii: PORT is a serial device at BAUD; MODE tcp: PORT is a TCP port on 127.0.0.1 (BAUD ignored).
Unit UNIT serves (0-based PDU addresses, zero_mode):
  holding registers 0..99: 0 -> 1000, 1 -> 1001, ..., 10-11 hold 1.5f big-endian (0x3FC0 0x0000)
  input registers 0..99:   i -> 2000 + i
  coils 0..99:             True at even addresses
  discrete inputs 0..99:   True at multiples of 3
Prints READY when serving. Writes change the data; the test reads them back through labwire.
"""
import sys
import logging

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartSerialServer, StartTcpServer
from pymodbus.transaction import ModbusAsciiFramer, ModbusRtuFramer

mode, port, unit, baud = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
logging.basicConfig(level=logging.WARNING)

hr = [1000 + i for i in range(100)]
hr[10], hr[11] = 0x3FC0, 0x0000
store = ModbusSlaveContext(
    hr=ModbusSequentialDataBlock(0, hr),
    ir=ModbusSequentialDataBlock(0, [2000 + i for i in range(100)]),
    co=ModbusSequentialDataBlock(0, [i % 2 == 0 for i in range(100)]),
    di=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(100)]),
    zero_mode=True,
)
context = ModbusServerContext(slaves={unit: store}, single=False)
print("READY", flush=True)
if mode == "tcp":
    StartTcpServer(context=context, address=("127.0.0.1", int(port)))
else:
    framer = ModbusRtuFramer if mode == "rtu" else ModbusAsciiFramer
    StartSerialServer(context=context, framer=framer, port=port, baudrate=baud, bytesize=8, parity="N", stopbits=1)
