package dev.labwire.examples.driver;

import dev.labwire.core.scpi.ScpiError;
import java.util.List;

/** The instrument refused a setting: its SCPI error queue held these entries right after the command. */
public final class InstrumentErrorException extends RuntimeException {
    private final String command;
    private final List<ScpiError> errors;

    InstrumentErrorException(String command, List<ScpiError> errors) {
        super("\"" + command + "\" refused by the instrument: " + errors);
        this.command = command;
        this.errors = List.copyOf(errors);
    }

    /** The command that was refused. */
    public String command() {
        return command;
    }

    /** The error queue entries, oldest first. */
    public List<ScpiError> errors() {
        return errors;
    }
}
