package dev.labwire.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The command line's own SLF4J binding: one line per event on standard error, WARN and above by default, and levels
 * that change while the program runs (the shell's {@code :trace} turns a client's wire logger to TRACE and back).
 * {@code -Dlabwire.log=debug} sets the default level; {@code -Dlabwire.log.<logger>=trace} one logger's (and its
 * children's). The CLI's dependencies bring no other binding.
 */
public final class CliLogging implements SLF4JServiceProvider {

    private static final ConcurrentMap<String, Level> levels = new ConcurrentHashMap<>();
    private static volatile int generation;
    private static volatile PrintStream sink = System.err;
    private static volatile String prefix = "";

    private final ILoggerFactory factory = new Factory();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** For the service loader. */
    public CliLogging() {}

    /** Sets {@code name}'s level (and its children's unless they have their own); null removes it. */
    static void level(String name, Level level) {
        if (level == null) {
            levels.remove(name);
        } else {
            levels.put(name, level);
        }
        generation++;
    }

    /** Where lines go, and what starts each (the shell's {@code "wire "}). */
    static void sink(PrintStream stream) {
        sink = stream;
    }

    static Level effective(String name) {
        String n = name;
        while (true) {
            Level l = levels.get(n);
            if (l != null) {
                return l;
            }
            String p = System.getProperty("labwire.log." + n);
            if (p != null) {
                return parse(p);
            }
            int dot = n.lastIndexOf('.');
            if (dot < 0) {
                String d = System.getProperty("labwire.log");
                return d == null ? Level.WARN : parse(d);
            }
            n = n.substring(0, dot);
        }
    }

    private static Level parse(String s) {
        try {
            return Level.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.WARN;
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    private static final class Factory implements ILoggerFactory {
        private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, CliLogger::new);
        }
    }

    private static final class CliLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private transient int seen = -1;
        private transient int threshold;

        CliLogger(String name) {
            this.name = name;
        }

        private boolean on(Level level) {
            int g = generation;
            if (g != seen) {
                threshold = effective(name).toInt();
                seen = g;
            }
            return level.toInt() >= threshold;
        }

        @Override
        public boolean isTraceEnabled() {
            return on(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                   Throwable t) {
            String text = MessageFormatter.basicArrayFormat(pattern, args);
            String line = name.startsWith(WireLog.PREFIX) ? "wire " + text
                    : level + " " + name.substring(name.lastIndexOf('.') + 1) + ": " + text;
            PrintStream s = sink;
            synchronized (s) {
                s.println(line);
                if (t != null && on(Level.DEBUG)) {
                    t.printStackTrace(s);
                }
                s.flush();
            }
        }
    }
}
