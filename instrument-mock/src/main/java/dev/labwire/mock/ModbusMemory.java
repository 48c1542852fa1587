package dev.labwire.mock;

import dev.labwire.core.modbus.ModbusFunction;

/**
 * The data of a {@link MockModbus} unit and the answer to each request PDU, as the Modbus Application Protocol v1.1b3
 * section 6 describes a server: function codes 1..6, 15, 16, 23; exception 1 for other functions, 3 for a bad quantity
 * or byte count, 2 for an address past {@link #size()}. Thread-safe (one lock).
 */
final class ModbusMemory {
    private final int size;
    private final boolean[] coils;
    private final boolean[] discrete;
    private final int[] holding;
    private final int[] input;

    ModbusMemory(int size) {
        this.size = size;
        this.coils = new boolean[size];
        this.discrete = new boolean[size];
        this.holding = new int[size];
        this.input = new int[size];
    }

    int size() {
        return size;
    }

    synchronized void setHolding(int address, int... values) {
        for (int i = 0; i < values.length; i++) {
            holding[address + i] = values[i] & 0xFFFF;
        }
    }

    synchronized void setInput(int address, int... values) {
        for (int i = 0; i < values.length; i++) {
            input[address + i] = values[i] & 0xFFFF;
        }
    }

    synchronized void setCoils(int address, boolean... values) {
        System.arraycopy(values, 0, coils, address, values.length);
    }

    synchronized void setDiscreteInputs(int address, boolean... values) {
        System.arraycopy(values, 0, discrete, address, values.length);
    }

    synchronized int holding(int address) {
        return holding[address];
    }

    synchronized boolean coil(int address) {
        return coils[address];
    }

    /** The reply PDU to {@code pdu} (an exception response when it cannot be served). */
    synchronized byte[] answer(byte[] pdu) {
        if (pdu.length < 1) {
            return null;
        }
        int fc = pdu[0] & 0xFF;
        ModbusFunction f = ModbusFunction.of(fc);
        if (f == null) {
            return exception(fc, 1);
        }
        if (pdu.length < 5) {
            return exception(fc, 3);
        }
        int addr = word(pdu, 1);
        int qty = word(pdu, 3);
        switch (f) {
            case READ_COILS, READ_DISCRETE_INPUTS: {
                if (qty < 1 || qty > 2000) {
                    return exception(fc, 3);
                }
                if (addr + qty > size) {
                    return exception(fc, 2);
                }
                boolean[] src = f == ModbusFunction.READ_COILS ? coils : discrete;
                byte[] out = new byte[2 + (qty + 7) / 8];
                out[0] = (byte) fc;
                out[1] = (byte) ((qty + 7) / 8);
                for (int i = 0; i < qty; i++) {
                    if (src[addr + i]) {
                        out[2 + i / 8] |= (byte) (1 << (i % 8));
                    }
                }
                return out;
            }
            case READ_HOLDING_REGISTERS, READ_INPUT_REGISTERS: {
                if (qty < 1 || qty > 125) {
                    return exception(fc, 3);
                }
                if (addr + qty > size) {
                    return exception(fc, 2);
                }
                return registers(fc, f == ModbusFunction.READ_HOLDING_REGISTERS ? holding : input, addr, qty);
            }
            case WRITE_SINGLE_COIL: {
                if (qty != 0xFF00 && qty != 0) {
                    return exception(fc, 3);
                }
                if (addr >= size) {
                    return exception(fc, 2);
                }
                coils[addr] = qty == 0xFF00;
                return pdu.clone();
            }
            case WRITE_SINGLE_REGISTER: {
                if (addr >= size) {
                    return exception(fc, 2);
                }
                holding[addr] = qty;
                return pdu.clone();
            }
            case WRITE_MULTIPLE_COILS, WRITE_MULTIPLE_REGISTERS: {
                boolean regs = f == ModbusFunction.WRITE_MULTIPLE_REGISTERS;
                int bytes = regs ? 2 * qty : (qty + 7) / 8;
                if (qty < 1 || qty > (regs ? 123 : 1968) || pdu.length < 6 || (pdu[5] & 0xFF) != bytes || pdu.length != 6 + bytes) {
                    return exception(fc, 3);
                }
                if (addr + qty > size) {
                    return exception(fc, 2);
                }
                for (int i = 0; i < qty; i++) {
                    if (regs) {
                        holding[addr + i] = word(pdu, 6 + 2 * i);
                    } else {
                        coils[addr + i] = (pdu[6 + i / 8] >> (i % 8) & 1) != 0;
                    }
                }
                byte[] out = new byte[5];
                System.arraycopy(pdu, 0, out, 0, 5);
                return out;
            }
            case READ_WRITE_MULTIPLE_REGISTERS: {
                if (pdu.length < 10) {
                    return exception(fc, 3);
                }
                int waddr = word(pdu, 5);
                int wqty = word(pdu, 7);
                if (qty < 1 || qty > 125 || wqty < 1 || wqty > 121 || (pdu[9] & 0xFF) != 2 * wqty || pdu.length != 10 + 2 * wqty) {
                    return exception(fc, 3);
                }
                if (addr + qty > size || waddr + wqty > size) {
                    return exception(fc, 2);
                }
                for (int i = 0; i < wqty; i++) {
                    holding[waddr + i] = word(pdu, 10 + 2 * i);
                }
                return registers(fc, holding, addr, qty);
            }
            default:
                return exception(fc, 1);
        }
    }

    private static byte[] registers(int fc, int[] src, int addr, int qty) {
        byte[] out = new byte[2 + 2 * qty];
        out[0] = (byte) fc;
        out[1] = (byte) (2 * qty);
        for (int i = 0; i < qty; i++) {
            out[2 + 2 * i] = (byte) (src[addr + i] >> 8);
            out[3 + 2 * i] = (byte) src[addr + i];
        }
        return out;
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static byte[] exception(int fc, int code) {
        return new byte[] {(byte) (fc | 0x80), (byte) code};
    }
}
