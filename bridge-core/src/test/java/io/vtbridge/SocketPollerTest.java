package io.vtbridge;

import io.vtbridge.testing.Await;
import io.vtbridge.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's socket pollers must not become threads of a shard: on JDK 25 they are virtual threads
 * created by the first virtual thread that waits on a socket, with its scheduler. If bridged code
 * were that first waiter, closing its bridge would leave every socket wait in the JVM hanging. The
 * bridge starts the pollers from a platform thread at build() ({@code JdkAccess.startSocketPollers}).
 * Checked in a fresh JVM, where no socket has been used yet.
 */
@Timeout(120)
class SocketPollerTest {

    /** The child: the first socket wait of the JVM is in bridged code; then a plain virtual thread reads. */
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            try (Bridge bridge = Bridge.builder().shards(1).build()) {
                CompletableFuture<Thread> reader = new CompletableFuture<>();
                CompletableFuture<Integer> bridged = bridge.submit(() -> readOne(server, reader));
                writeOne(server, reader, 7);
                System.out.println("bridged read " + Await.result("the bridged read", bridged));
            }
            // The bridge is gone. A socket wait elsewhere in the JVM must still be resumed.
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<Integer> plain = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    plain.complete(readOne(server, reader));
                } catch (Exception e) {
                    plain.completeExceptionally(e);
                }
            });
            writeOne(server, reader, 9);
            System.out.println("plain read " + Await.result("the plain virtual thread's read", plain));
            System.exit(0);
        }
    }

    private static int readOne(ServerSocket server, CompletableFuture<Thread> reader) throws Exception {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            reader.complete(Thread.currentThread());
            return in.read(); // parks on the socket until the client writes
        }
    }

    private static void writeOne(ServerSocket server, CompletableFuture<Thread> reader, int b) throws Exception {
        try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             OutputStream out = client.getOutputStream()) {
            client.setSoTimeout(10_000); // a reader that never wakes fails the child instead of hanging it
            // The path under test: the reader parks on the socket (in the JDK's poller) before the
            // byte arrives. Wait until it has; a reader that never parks there fails the child.
            Await.state(Await.result("the reader accepted the connection", reader), Thread.State.WAITING,
                    "SocketInputStream.read");
            out.write(b);
            out.flush();
            client.shutdownOutput();
            client.getInputStream().read(); // until the reader closes its side
        }
    }

    @Test
    void socketWaitsOutsideTheBridgeStillWorkAfterItCloses() throws Exception {
        ChildJvm.Result child = ChildJvm.of(SocketPollerTest.class).flags(ChildJvm.OPENS).run();
        assertThat(child.exitCode()).as("child output: %s", child.output()).isZero();
        assertThat(child.output()).contains("bridged read 7", "plain read 9");
    }
}
