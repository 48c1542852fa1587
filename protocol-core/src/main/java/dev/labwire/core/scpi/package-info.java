/**
 * SCPI and IEEE 488.2 helpers: build command text ({@link dev.labwire.core.scpi.Scpi#command}), parse
 * numeric, Boolean, string and list replies, encode and decode arbitrary blocks
 * ({@link dev.labwire.core.scpi.IeeeBlock}), decode a block of binary numbers into a primitive array
 * ({@link dev.labwire.core.scpi.BinaryValues}, {@link dev.labwire.core.scpi.ValueType}), parse {@code SYST:ERR?} answers
 * ({@link dev.labwire.core.scpi.ScpiError}) and drain the error queue as a Sans-IO request sequence
 * ({@link dev.labwire.core.scpi.ErrorQueueDrain}).
 *
 * <p>Like the rest of the core these classes do no I/O: they turn values into the bytes of a
 * {@link dev.labwire.core.Request} and replies into values. Bad arguments from the caller are
 * {@link java.lang.IllegalArgumentException}s naming the value; text the instrument sent that cannot be
 * parsed is a {@link dev.labwire.core.RemoteProtocolException} quoting the text.
 */
package dev.labwire.core.scpi;
