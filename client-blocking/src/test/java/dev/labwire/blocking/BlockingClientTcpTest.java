package dev.labwire.blocking;

import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.TcpLinkScenarios;

/** The client contract over loopback TCP, plus what only TCP has. */
class BlockingClientTcpTest extends BlockingClientContract implements TcpLinkScenarios {
    BlockingClientTcpTest() {
        super(Link.TCP);
    }
}
