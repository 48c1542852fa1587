/**
 * RFC 2217 (Telnet Com Port Control): a serial port behind a terminal server such as ser2net. {@link
 * dev.labwire.core.rfc2217.Rfc2217Session} is a link codec: it wraps any session machine (or a bus) and only
 * transforms the bytes between it and the TCP link, so every request, event and guarantee of the inner machine holds.
 */
package dev.labwire.core.rfc2217;
