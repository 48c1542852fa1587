package dev.labwire.examples.mfc;

/**
 * The registers of a {@link ModbusMfc} read in one request.
 *
 * @param unit     the Modbus unit they came from
 * @param setPoint the set-point, in the device's flow units
 * @param flow     the measured flow, same units
 * @param gas      the selected gas number
 * @param status   the status word (0: normal; the meaning of other bits is the device's)
 */
public record ModbusMfcReading(int unit, float setPoint, float flow, int gas, int status) {
}
