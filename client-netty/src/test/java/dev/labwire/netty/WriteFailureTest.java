package dev.labwire.netty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write that fails on the socket (the peer reset the connection while the client was not reading, so only the
 * write can find out) drops the link and fails the call as link loss; the client then reconnects.
 */
class WriteFailureTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private NettyClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close().get(10, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aWriteToAResetConnectionIsReportedAsLinkLossAndTheClientReconnects() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            List<State> states = new CopyOnWriteArrayList<>();
            client = NettyClient.builder("tcp://127.0.0.1:" + server.getLocalPort())
                    .config(Configs.fast().classifier(FrameClassifier.pushedIfStartsWith("STAT".getBytes(ISO_8859_1))).build())
                    .pushedBufferSize(2).eventLoopGroup(group).listener((s, cause) -> states.add(s)).build();
            AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
            client.pushed().subscribe(new Flow.Subscriber<Frame>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription.set(s); // requests nothing: the client stops reading at 2 frames
                }

                @Override
                public void onNext(Frame item) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
            try (Socket first = server.accept()) {
                client.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                first.getOutputStream().write("STAT 1\nSTAT 2\nSTAT 3\n".getBytes(ISO_8859_1));
                Await.until(Configs.WAIT, () -> client.driver().diagnostics().readingPaused().join(), "the client stops reading");
                first.setSoLinger(true, 0); // close with a reset: the client, not reading, does not see it
            }

            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> client.query("MEAS?").get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(LinkDownException.class).hasMessageContaining("lost during \"MEAS?\"");
            assertThat(e.getCause().getCause()).as("the write's failure, not an end of stream")
                    .isInstanceOf(IOException.class).isNotInstanceOf(EOFException.class);
            Await.until(Configs.WAIT, () -> states.contains(State.DOWN), "the link is reported down");

            subscription.get().cancel(); // nobody is behind any more: the next link reads
            try (Socket second = server.accept()) {
                var answer = client.query("MEAS?");
                BufferedReader in = new BufferedReader(new InputStreamReader(second.getInputStream(), ISO_8859_1));
                assertThat(in.readLine()).isEqualTo("MEAS?");
                OutputStream out = second.getOutputStream();
                out.write("1.5\n".getBytes(ISO_8859_1));
                assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("1.5");
            }
        }
    }
}
