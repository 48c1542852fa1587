package dev.labwire.netty;

import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.SerialLinkScenarios;

/**
 * The client contract over a real serial port: a socat pty pair, the client's end opened by jSerialComm, read by the
 * client's reader thread and handed to the event loop.
 */
class NettyClientSerialTest extends NettyClientContract implements SerialLinkScenarios {
    NettyClientSerialTest() {
        super(Link.SERIAL);
    }
}
