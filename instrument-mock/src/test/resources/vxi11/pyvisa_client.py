# Drives the VXI-11 mock with PyVISA-py (an independent VXI-11 client) and prints what it saw, one KEY=value line
# per step, for Vxi11IndependentClientsTest to check. Run with Debian's /usr/bin/python3 (python3-pyvisa-py).
import sys
import pyvisa


def show(key, value):
    print("%s=%r" % (key, value), flush=True)


rm = pyvisa.ResourceManager('@py')
inst = rm.open_resource('TCPIP::127.0.0.1::INSTR')
inst.timeout = 5000
show("IDN", inst.query('*IDN?'))
inst.write('*IDN?')
show("STB_WITH_ANSWER_WAITING", inst.read_stb())
show("READ", inst.read())
show("STB_AFTER_READ", inst.read_stb())
inst.write('*ESE 1;*SRE 32;*OPC')   # IEEE 488.2: operation complete -> ESB -> MSS: the device requests service
show("STB_AFTER_SRQ", inst.read_stb())
show("STB_AFTER_POLL", inst.read_stb())
inst.write('*CLS')
show("STB_AFTER_CLS", inst.read_stb())
inst.write('*IDN?')
inst.clear()
inst.timeout = 300
try:
    show("READ_AFTER_CLEAR", inst.read())
except pyvisa.errors.VisaIOError as e:
    show("READ_AFTER_CLEAR_FAILED", int(e.error_code))
inst.timeout = 5000
inst.lock_excl()
other = rm.open_resource('TCPIP::127.0.0.1::INSTR')
other.timeout = 300
try:
    other.write('*IDN?')
    show("OTHER_WHILE_LOCKED", "written")
except pyvisa.errors.VisaIOError as e:
    show("OTHER_WHILE_LOCKED_FAILED", int(e.error_code))
inst.unlock()
other.timeout = 5000
show("OTHER_AFTER_UNLOCK", other.query('*IDN?'))
long_text = ''.join(chr(ord('a') + i % 26) for i in range(3000))
show("LONG", inst.query('ECHO? ' + long_text) == long_text + '\n')
other.close()
inst.close()
show("DONE", True)
