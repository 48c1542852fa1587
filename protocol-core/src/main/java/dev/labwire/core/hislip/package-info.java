/**
 * HiSLIP (IVI-6.1, High-Speed LAN Instrument Protocol), Sans-IO: the message format ({@link
 * dev.labwire.core.hislip.HislipMessage}, encoders for both directions), a bounded streaming decoder ({@link
 * dev.labwire.core.hislip.HislipDecoder}) and the codes the spec defines. A HiSLIP session uses two TCP connections
 * to port 4880: the synchronous channel carries Initialize and the Data/DataEnd messages, the asynchronous one
 * AsyncInitialize, locks, device clear, status queries and service requests.
 *
 * <p>HiSLIP 1.0 is implemented; the HiSLIP 2.0 message types are named and decoded (TLS and SASL are not
 * implemented).
 */
package dev.labwire.core.hislip;
