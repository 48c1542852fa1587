/**
 * Reference drivers for mass flow controllers, to copy for a new device, each with a simulated device to test against.
 *
 * <ul>
 *   <li>{@link dev.labwire.examples.mfc.AlicatMfc}: an Alicat-style ASCII controller on an RS485 bus (unit-id prefix,
 *       poll, {@code AS} set-point, {@code AG} gas select, the data frame parsed into
 *       {@link dev.labwire.examples.mfc.AlicatReading}); simulated by {@link dev.labwire.examples.mfc.SimulatedAlicat},
 *       a {@link dev.labwire.mock.MockBusDevice} personality.</li>
 *   <li>{@link dev.labwire.examples.mfc.ModbusMfc}: a Modbus controller over {@link dev.labwire.blocking.ModbusUnit}
 *       with an illustrative register map (floats ABCD); simulated by
 *       {@link dev.labwire.examples.mfc.SimulatedModbusMfc}, a {@link dev.labwire.mock.MockModbus#handler handler}.</li>
 *   <li>{@link dev.labwire.examples.mfc.MfcFurnace}: both kinds with the furnace's valve and the streaming board.</li>
 * </ul>
 *
 * <p>Both simulations make the flow follow the set-point as a first-order lag, {@code flow(t) = sp + (f0 - sp)·e^(-t/τ)},
 * with time from a clock the test may give (a fake clock makes every reading exact); their {@code expectedFlow}
 * methods are the model a test asserts against.
 */
package dev.labwire.examples.mfc;
