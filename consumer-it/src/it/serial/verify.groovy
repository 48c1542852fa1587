// the TCP query of a program that has the serial transport loaded nothing of it (nor jSerialComm)
def loaded = new File(basedir, 'target/class-load-tcp.txt').text
assert loaded.contains('dev.labwire.blocking.BlockingClient') : 'class loading was not logged'
def serial = loaded.readLines().findAll {
    it.contains('com.fazecast') || it.contains('dev.labwire.serial.') || it =~ /Serial(Support|PortLink|Bridge)\b/
}
assert serial.isEmpty() : "a TCP query loaded serial classes: ${serial}"
def log = new File(basedir, 'build.log').text
assert log.contains('serial consumer, TCP query: OK')
assert log.contains('serial consumer, pty query on serial:') || log.contains('serial consumer: SKIPPED')
return true
