// the dependency tree of a TCP-only user: the clients, no serial transport, no jSerialComm
def tree = new File(basedir, 'target/dependency-tree.txt').text
println tree
assert tree.contains('dev.labwire:labwire-client-blocking')
assert tree.contains('dev.labwire:labwire-client-netty')
assert !tree.contains('jSerialComm') : 'jSerialComm in a TCP-only dependency tree'
assert !tree.contains('labwire-serial-transport') : 'labwire-serial-transport in a TCP-only dependency tree'
def log = new File(basedir, 'build.log').text
assert log.contains('tcp-only consumer: OK')
def loaded = new File(basedir, 'target/class-load.txt').text
assert loaded.contains('dev.labwire.blocking.BlockingClient')
assert !loaded.contains('com.fazecast') && !loaded.contains('dev.labwire.serial.')
return true
