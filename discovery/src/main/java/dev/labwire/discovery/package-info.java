/**
 * Instrument discovery: {@link dev.labwire.discovery.Discovery#find(java.time.Duration)} streams what mDNS/DNS-SD
 * announces on the local network and the local serial ports, each as an endpoint string
 * ({@link dev.labwire.discovery.FoundInstrument}).
 */
package dev.labwire.discovery;
