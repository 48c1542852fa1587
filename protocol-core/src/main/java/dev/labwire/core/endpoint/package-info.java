/**
 * Where an instrument is: {@link dev.labwire.core.endpoint.Endpoint} strings ({@code tcp://host[:port]},
 * {@code serial:<path>[?options]} and the VISA forms) and the serial settings they carry
 * ({@link dev.labwire.core.endpoint.SerialSettings} with its enums, {@link dev.labwire.core.endpoint.Rs485},
 * {@link dev.labwire.core.endpoint.UsbId}).
 *
 * <p>Pure data and parsing: nothing here opens a port or touches jSerialComm, so a TCP-only program needs only the
 * protocol core and a client. Opening a serial endpoint needs {@code dev.labwire:labwire-serial-transport} on the
 * class path (module {@code dev.labwire.serial}). Until 0.1.x these types were in {@code dev.labwire.serial}.
 */
package dev.labwire.core.endpoint;
