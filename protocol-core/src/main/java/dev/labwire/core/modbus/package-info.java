/**
 * Modbus RTU, ASCII and TCP on labwire's {@link dev.labwire.core.bus.Bus}: {@link dev.labwire.core.modbus.Modbus}
 * gives the bus configs, {@link dev.labwire.core.modbus.ModbusCall} describes each exchange (function codes 1..6, 15,
 * 16, 23 and exception responses), {@link dev.labwire.core.modbus.RtuFramer} cuts RTU frames by length and silence,
 * {@link dev.labwire.core.modbus.WordOrder} reads floats and 32-bit ints from register pairs. No I/O.
 */
package dev.labwire.core.modbus;
