"""An independent MQTT 5 requester (paho-mqtt 1.6): subscribes to its response topic, then sends one request with
the MQTT 5 Response Topic and Correlation Data properties, prints one JSON line per reply:
{"topic":..., "correlation":<text>, "payload":<the reply text>}. With COUNT > 1 it sends COUNT requests at once,
"{i}" in CORRELATION and PAYLOAD replaced by the request's index.
usage: paho_request.py PORT REQUEST_TOPIC RESPONSE_TOPIC CORRELATION PAYLOAD [COUNT] [TIMEOUT_S]"""
import json
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

port, req_topic, resp_topic, corr, payload = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
count = int(sys.argv[6]) if len(sys.argv) > 6 else 1
timeout = float(sys.argv[7]) if len(sys.argv) > 7 else 10.0
done = threading.Event()
got = []

c = mqtt.Client(client_id="paho-req-" + corr.replace("{i}", "n"), protocol=mqtt.MQTTv5)


def on_connect(client, userdata, flags, rc, properties=None):
    client.subscribe(resp_topic, qos=1)


def on_subscribe(client, userdata, mid, reason_codes, properties=None):
    for i in range(count):
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = resp_topic
        props.CorrelationData = corr.replace("{i}", str(i)).encode()
        client.publish(req_topic, payload.replace("{i}", str(i)), qos=1, properties=props)


def on_message(client, userdata, msg):
    cd = getattr(msg.properties, "CorrelationData", b"")
    got.append({"topic": msg.topic, "correlation": cd.decode(errors="replace"),
                "payload": msg.payload.decode(errors="replace")})
    if len(got) >= count:
        done.set()


c.on_connect = on_connect
c.on_subscribe = on_subscribe
c.on_message = on_message
c.connect("127.0.0.1", port)
c.loop_start()
done.wait(timeout)
c.loop_stop()
for g in got:
    print(json.dumps(g))
