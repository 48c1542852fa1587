package dev.labwire.cli;

/** One line saying what went wrong, for standard error. */
final class Failures {
    private Failures() {}

    /** {@code RequestTimeoutException: ...}, with the cause's message when it adds something. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
        if (m != null && !m.isBlank()) {
            b.append(": ").append(m);
        }
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) {
            b.append(" (cause: ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(')');
        }
        return b.toString();
    }
}
