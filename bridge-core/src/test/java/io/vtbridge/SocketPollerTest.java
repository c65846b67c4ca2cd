package io.vtbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
                CompletableFuture<Integer> bridged = bridge.submit(() -> readOne(server));
                writeOne(server, 7);
                System.out.println("bridged read " + bridged.get(10, TimeUnit.SECONDS));
            }
            // The bridge is gone. A socket wait elsewhere in the JVM must still be resumed.
            CompletableFuture<Integer> plain = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    plain.complete(readOne(server));
                } catch (Exception e) {
                    plain.completeExceptionally(e);
                }
            });
            writeOne(server, 9);
            System.out.println("plain read " + plain.get(10, TimeUnit.SECONDS));
            System.exit(0);
        } catch (java.util.concurrent.TimeoutException e) {
            System.out.println("timed out: " + e);
            System.exit(4);
        }
    }

    private static int readOne(ServerSocket server) throws Exception {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            return in.read(); // parks on the socket until the client writes
        }
    }

    private static void writeOne(ServerSocket server, int b) throws Exception {
        try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             OutputStream out = client.getOutputStream()) {
            client.setSoTimeout(10_000); // a reader that never wakes fails the child instead of hanging it
            Thread.sleep(100); // let the reader park on the socket first (the path under test); not a synchronisation
            out.write(b);
            out.flush();
            client.shutdownOutput();
            client.getInputStream().read(); // until the reader closes its side
        }
    }

    @Test
    void socketWaitsOutsideTheBridgeStillWorkAfterItCloses() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath();
        Process child = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", classpath, SocketPollerTest.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child output: %s", output).isZero();
        assertThat(output).contains("bridged read 7", "plain read 9");
    }
}
