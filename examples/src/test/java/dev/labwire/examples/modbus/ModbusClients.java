package dev.labwire.examples.modbus;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.blocking.ModbusUnit;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.netty.NettyBus;
import dev.labwire.netty.NettyModbusUnit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Both clients behind one face, so each Modbus test runs against the blocking and the Netty client alike. */
final class ModbusClients {
    enum Kind { BLOCKING, NETTY }

    /** One unit's calls, blocking; a Netty future's failure is rethrown as its cause. */
    interface Unit {
        <T> T call(ModbusCall<T> call);

        <T> T call(ModbusCall<T> call, Duration timeout);

        float readFloat(int address, dev.labwire.core.modbus.WordOrder order);
    }

    interface Bus extends AutoCloseable {
        Unit unit(int unit);

        @Override
        void close();
    }

    private ModbusClients() {
    }

    static Bus open(Kind kind, String endpoint, BusConfig config) {
        if (kind == Kind.BLOCKING) {
            BlockingBus bus = BlockingBus.open(endpoint, config).awaitReady(Duration.ofSeconds(10));
            return new Bus() {
                @Override
                public Unit unit(int n) {
                    ModbusUnit u = bus.modbusUnit(n);
                    return new Unit() {
                        @Override
                        public <T> T call(ModbusCall<T> call) {
                            return u.call(call);
                        }

                        @Override
                        public <T> T call(ModbusCall<T> call, Duration timeout) {
                            return u.call(call, timeout);
                        }

                        @Override
                        public float readFloat(int address, dev.labwire.core.modbus.WordOrder order) {
                            return u.readFloat(address, order);
                        }
                    };
                }

                @Override
                public void close() {
                    bus.close();
                }
            };
        }
        NettyBus bus = NettyBus.open(endpoint, config);
        await(bus.ready(Duration.ofSeconds(10)));
        return new Bus() {
            @Override
            public Unit unit(int n) {
                NettyModbusUnit u = bus.modbusUnit(n);
                return new Unit() {
                    @Override
                    public <T> T call(ModbusCall<T> call) {
                        return await(u.call(call));
                    }

                    @Override
                    public <T> T call(ModbusCall<T> call, Duration timeout) {
                        return await(u.call(call, timeout));
                    }

                    @Override
                    public float readFloat(int address, dev.labwire.core.modbus.WordOrder order) {
                        return await(u.readFloat(address, order));
                    }
                };
            }

            @Override
            public void close() {
                await(bus.close());
            }
        };
    }

    /** The future's value; its failure's cause rethrown; a future not done within 30 s fails the test. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            throw c instanceof RuntimeException r ? r : new CompletionException(c);
        } catch (TimeoutException e) {
            throw new AssertionError("a future did not complete within 30 s: a call outlived its deadline", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
