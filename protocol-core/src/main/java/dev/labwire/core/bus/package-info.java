/**
 * RS485 multi-drop buses: many addressed devices on one link, one exchange on the wire at a time.
 *
 * <ul>
 *   <li>{@link dev.labwire.core.bus.Bus}: the Sans-IO arbiter drivers feed exactly as they feed a
 *       {@link dev.labwire.core.Connection}: per-address queues, fair turns, priorities, a turnaround delay.</li>
 *   <li>{@link dev.labwire.core.bus.Addressing}: how a command is addressed and a reply's address checked
 *       and stripped ({@code "A" + "FLOW?"}, or address byte + payload + checksum).</li>
 *   <li>{@link dev.labwire.core.bus.Checksum}: CRC-16/MODBUS, sum8, xor8.</li>
 * </ul>
 */
package dev.labwire.core.bus;
