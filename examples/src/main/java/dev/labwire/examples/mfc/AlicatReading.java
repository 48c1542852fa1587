package dev.labwire.examples.mfc;

import dev.labwire.core.RemoteProtocolException;
import java.util.Arrays;
import java.util.List;

/**
 * One Alicat data frame, as a mass flow controller answers a poll ({@code A}), a new set-point ({@code AS 50}) or a gas
 * select ({@code AG8}): {@code A +014.70 +025.00 +050.00 +050.00 +050.00 Air} is unit id, absolute pressure, flow
 * temperature, volumetric flow, mass flow, set-point and gas, in the engineering units the device shows (the layout
 * of Alicat's standard MC-series frame). Numeric columns between the set-point and the gas (valve drive, totalizer, on
 * devices that report them) are skipped: the gas is the first word after the set-point that is not a number. Words
 * after the gas are status codes ({@code HLD}, {@code MOV}, {@code OVR}, {@code TMF}...), kept as they are. Frames
 * configured otherwise ({@code ??D*} tells a device's layout) need their own parser.
 *
 * @param unitId         the unit id the frame came from
 * @param pressure       absolute pressure
 * @param temperature    flow temperature
 * @param volumetricFlow volumetric flow
 * @param massFlow       mass flow
 * @param setPoint       the set-point
 * @param gas            the selected gas's short name ({@code Air}, {@code N2}...)
 * @param status         status codes after the gas, none in normal operation
 */
public record AlicatReading(String unitId, double pressure, double temperature, double volumetricFlow,
        double massFlow, double setPoint, String gas, List<String> status) {

    /** Copies {@code status}. */
    public AlicatReading {
        status = List.copyOf(status);
    }

    /**
     * Parses a data frame whose unit id has already been checked and removed (what a {@code BusDevice} returns):
     * {@code " +014.70 +025.00 +050.00 +050.00 +050.00 Air"}.
     *
     * @throws RemoteProtocolException naming the unit and the frame when it has fewer than six fields, a number
     *                                 field is not a number, or no gas name follows the numbers
     */
    public static AlicatReading parse(String unitId, String frame) {
        String[] f = frame.trim().split("\\s+");
        if (f.length < 6) {
            throw new RemoteProtocolException("MFC " + unitId + ": garbled data frame \"" + frame
                    + "\": expected pressure, temperature, volumetric flow, mass flow, set-point and gas, got "
                    + (f[0].isEmpty() ? 0 : f.length) + " fields");
        }
        String[] names = {"pressure", "temperature", "volumetric flow", "mass flow", "set-point"};
        double[] v = new double[5];
        for (int i = 0; i < 5; i++) {
            try {
                v[i] = Double.parseDouble(f[i]);
            } catch (NumberFormatException e) {
                throw new RemoteProtocolException("MFC " + unitId + ": garbled data frame \"" + frame + "\": "
                        + names[i] + " \"" + f[i] + "\" is not a number", e);
            }
        }
        int gas = 5;
        while (gas < f.length && isNumber(f[gas])) {
            gas++; // valve drive, totalizer
        }
        if (gas == f.length) {
            throw new RemoteProtocolException("MFC " + unitId + ": garbled data frame \"" + frame
                    + "\": no gas name after the numbers");
        }
        return new AlicatReading(unitId, v[0], v[1], v[2], v[3], v[4], f[gas],
                Arrays.asList(f).subList(gas + 1, f.length));
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
