# Publishes DNS-SD services with python-zeroconf (Debian python3-zeroconf), an mDNS implementation independent of
# JmDNS, for DiscoveryNamespaceTest. Run inside a network namespace that holds only lo.
# argv[1]: a JSON list of {"type", "name", "port", "addresses": [...], "txt": {...}}.
# Prints "registered <n>" once every service is announced, then keeps them until stdin ends.
import json, socket, sys
from zeroconf import IPVersion, ServiceInfo, Zeroconf

specs = json.loads(sys.argv[1])
zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
infos = []
for s in specs:
    addrs = [socket.inet_pton(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in s["addresses"]]
    info = ServiceInfo(s["type"] + ".local.", s["name"] + "." + s["type"] + ".local.", addresses=addrs,
                       port=s["port"], properties=s.get("txt", {}), server=s.get("server", "instr.local."))
    zc.register_service(info, allow_name_change=False)
    infos.append(info)
print("registered %d" % len(infos), flush=True)
sys.stdin.read()
for info in infos:
    zc.unregister_service(info)
zc.close()
