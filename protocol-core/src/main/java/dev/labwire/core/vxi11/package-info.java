/**
 * VXI-11 (VXIbus Consortium, "TCP/IP Instrument Protocol Specification VXI-11", rev 1.0): what a user of a
 * VXI-11 link sees, the device's {@link dev.labwire.core.vxi11.Vxi11Error error codes} and the
 * {@link dev.labwire.core.vxi11.Vxi11Exception exception} that carries them.
 *
 * <p>The wire codecs (XDR per RFC 4506, ONC RPC v2 per RFC 5531 with TCP record marking, the portmapper v2 of
 * RFC 1833, and every VXI-11 core, abort and interrupt channel structure) are Sans-IO and sit in
 * {@code dev.labwire.core.vxi11.internal}, which is not API.
 */
package dev.labwire.core.vxi11;
