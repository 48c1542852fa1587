package dev.labwire.discovery.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.discovery.FoundInstrument;
import dev.labwire.discovery.Source;
import dev.labwire.serial.SerialPortInfo;
import dev.labwire.serial.SerialPorts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local serial ports as results. Touches {@code dev.labwire.serial} (an optional dependency) only inside
 * {@link #list()}, which reports the transport missing as an empty list.
 */
public final class SerialSource {

    private static final Logger log = LoggerFactory.getLogger(SerialSource.class);

    private SerialSource() {}

    /** Every serial port jSerialComm lists, or none when the serial transport or its native library is missing. */
    public static List<FoundInstrument> list() {
        try {
            return Listing.list();
        } catch (LinkageError e) {
            log.debug("serial ports not listed: {}", e.toString());
            return List.of();
        }
    }

    // a nested class, so that SerialSource itself loads without the serial transport
    private static final class Listing {
        static List<FoundInstrument> list() {
            List<FoundInstrument> out = new ArrayList<>();
            for (SerialPortInfo p : SerialPorts.list()) {
                out.add(toFound(p));
            }
            return out;
        }

        static FoundInstrument toFound(SerialPortInfo p) {
            String endpoint = "serial:" + p.path();
            Endpoint.parse(endpoint);
            Map<String, String> props = new LinkedHashMap<>();
            StringBuilder via = new StringBuilder();
            Optional<String> serial = Optional.empty();
            if (p.usbId().isPresent()) {
                var id = p.usbId().get();
                via.append("USB ").append(id);
                props.put("usb", id.toString());
                props.put("usbEndpoint", "serial:usb:" + id);
                serial = Optional.ofNullable(id.serialNumber());
            } else {
                via.append("serial port");
            }
            if (!p.description().isEmpty()) {
                via.append(" \"").append(p.description()).append('"');
                props.put("description", p.description());
            }
            p.location().ifPresent(l -> props.put("location", l));
            return new FoundInstrument(endpoint, Source.SERIAL, via.toString(), Optional.empty(), Optional.empty(),
                    p.description().isEmpty() ? Optional.empty() : Optional.of(p.description()), serial,
                    Optional.empty(), props, Optional.empty(), Optional.empty());
        }
    }
}
