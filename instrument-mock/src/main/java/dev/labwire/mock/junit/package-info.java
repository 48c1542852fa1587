/**
 * JUnit 5 support for {@link dev.labwire.mock.MockInstrument}: {@link dev.labwire.mock.junit.MockInstrumentExtension}
 * gives each test a fresh mock. Needs {@code org.junit.jupiter:junit-jupiter-api} (an optional dependency of this
 * module).
 */
package dev.labwire.mock.junit;
