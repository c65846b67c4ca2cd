package io.vtbridge.samples.jobqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lean front end on the wire: what it answers to raw requests (well-formed, malformed, too long,
 * with a body), that every answer closes its connection, clients that send nothing, a refusing
 * executor, and {@link LeanHttpServer#close} with a long poll waiting. The routes themselves are
 * checked behind both front ends by {@link JobServerTest}.
 */
class LeanHttpServerTest {

    private ServerUnderTest server;
    private LeanHttpServer lean;
    private ExecutorService clientThreads;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = ServerUnderTest.bridged(ServerUnderTest.FrontEnd.LEAN, 2, 512, Options.parse("--wait-timeout", "5"));
        lean = (LeanHttpServer) server.server();
        clientThreads = Executors.newFixedThreadPool(2);
        client = DriverSteps.newClient(clientThreads);
    }

    @AfterEach
    void stop() {
        client.shutdownNow();
        clientThreads.shutdownNow();
        server.close();
    }

    @Test
    void everyAnswerSaysConnectionCloseAndClosesIt() throws Exception {
        String list = exchange("GET /jobs HTTP/1.1\r\nHost: test\r\n\r\n");
        assertThat(list).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nConnection: close\r\n",
                "\r\nContent-Type: text/plain; charset=utf-8\r\n", "\r\nContent-Length: 0\r\n").endsWith("\r\n\r\n");
        assertThat(list).containsPattern("\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");

        String submitted = exchange("POST /jobs?ops=1&opMillis=0 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertThat(submitted).startsWith("HTTP/1.1 201 Created\r\n");
        String body = body(submitted);
        assertThat(body).matches("\\d+ \\w+ \\d+ \\d/1\n");
        assertThat(submitted).contains("\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n");
        assertThat(exchange("GET /jobs/" + body.split(" ")[0] + " HTTP/1.0\r\n\r\n")).as("HTTP/1.0 too")
                .startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(awaitValue(lean::openConnections, 0)).as("every connection closed by its answer").isZero();
    }

    @Test
    void aTimedOutLongPollIs304WithNoBodyAndNoContentFields() throws Exception {
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        String answer = exchange("GET /jobs/" + held.id() + "/wait?since=" + held.version() + "&timeout=1 HTTP/1.1\r\n\r\n");
        assertThat(answer).matches("HTTP/1\\.1 304 Not Modified\r\nDate: [^\r\n]+ GMT\r\nConnection: close\r\n\r\n");
        assertThat(server.routes().answeredWaits()).isEqualTo(1);
    }

    @Test
    void aLongPollOverARawSocketIsAnsweredWhenItsJobChanges() throws Exception {
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        try (Socket socket = connect()) {
            send(socket, "GET /jobs/" + held.id() + "/wait?since=" + held.version() + "&timeout=60 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(awaitValue(server.store()::waiting, 1)).isEqualTo(1);
            Job.Snapshot changed = server.store().get(held.id()).cancel();
            String answer = readAll(socket);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(body(answer)).isEqualTo(changed.line() + "\n");
        }
        assertThat(server.routes().answeredWaits()).isEqualTo(1);
    }

    @Test
    void aMalformedRequestIs400NamingWhatWasWrong() throws Exception {
        assertRefused("GARBAGE\r\n\r\n", 400, "malformed request line: GARBAGE");
        assertRefused("GET /jobs\r\n\r\n", 400, "malformed request line: GET /jobs");
        assertRefused("GET  /jobs HTTP/1.1\r\n\r\n", 400, "malformed request line: GET  /jobs HTTP/1.1");
        assertRefused("G(T /jobs HTTP/1.1\r\n\r\n", 400, "malformed request line: G(T /jobs HTTP/1.1");
        assertRefused("GET /jobs HTTQ/1.1\r\n\r\n", 400, "malformed request line: GET /jobs HTTQ/1.1");
        assertRefused("GET jobs HTTP/1.1\r\n\r\n", 400, "request target is not a path: jobs");
        assertRefused("GET /jobs?since=%zz HTTP/1.1\r\n\r\n", 400, "malformed request target: /jobs?since=%zz");
        assertRefused("GET /jobs HTTP/1.1\r\nno colon here\r\n\r\n", 400, "malformed header field: no colon here");
        assertRefused("GET /jobs HTTP/1.1\r\n folded: x\r\n\r\n", 400, "malformed header field:  folded: x");
        assertRefused("GET /jobs HTTP/1.1\r\nBad\u0001Name: x\r\n\r\n", 400, "malformed header field: Bad?Name: x");
        assertRefused("POST /jobs HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400,
                "a request body is not accepted: Content-Length: 5");
        assertRefused("POST /jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                "a request body is not accepted: Transfer-Encoding: chunked");
        assertRefused("GET /jobs HTTP/2.0\r\n\r\n", 505, "HTTP version not supported: GET /jobs HTTP/2.0");
        assertThat(server.store().list()).as("nothing refused reached the routes").isEmpty();
    }

    @Test
    void aHeadOverTheLimitIs431EvenWhileTheClientKeepsSending() throws Exception {
        String longField = "GET /jobs HTTP/1.1\r\nX-Pad: " + "a".repeat(2 * HttpWire.MAX_HEAD) + "\r\n\r\n";
        assertRefused(longField, 431, "request head longer than 1024 bytes");
        String longTarget = "GET /jobs?pad=" + "b".repeat(HttpWire.MAX_HEAD) + " HTTP/1.1\r\n\r\n";
        assertRefused(longTarget, 431, "request head longer than 1024 bytes");
        String justFits = "GET /jobs HTTP/1.1\r\nX-Pad: " + "c".repeat(HttpWire.MAX_HEAD - 31) + "\r\n\r\n";
        assertThat(justFits).hasSize(HttpWire.MAX_HEAD);
        assertThat(exchange(justFits)).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    void aHeadIsReadInPiecesWithBareLineFeedsAndLeadingEmptyLines() throws Exception {
        HttpWire.Request r = HttpWire.readRequest(trickle("\r\n\nGET /jobs/%37/wait?since=3&timeout=%31 HTTP/1.1\nHost: a\r\n\n"));
        assertThat(r).isEqualTo(new HttpWire.Request("GET", "/jobs/7/wait", "since=3&timeout=%31"));
        assertThat(HttpWire.readRequest(trickle("POST /jobs HTTP/1.1\r\nContent-Length:  0 \r\n\r\n")))
                .isEqualTo(new HttpWire.Request("POST", "/jobs", null));
        assertThat(HttpWire.readRequest(trickle("GET /jobs HTTP/1.1\r\nHost: a\r\n"))).as("closed before the end").isNull();
        assertThat(HttpWire.readRequest(trickle(""))).as("closed before a byte").isNull();
    }

    @Test
    void clientsThatSendNothingHoldOnlyParkedVirtualThreads() throws Exception {
        int idle = 200;
        int threadsBefore = Thread.activeCount();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < idle; i++) {
                silent.add(connect());
            }
            send(silent.getFirst(), "GET /jobs HTTP/1.1\r\nHost:");          // half a head, then nothing
            assertThat(awaitValue(lean::openConnections, idle)).as("every connection accepted and served").isEqualTo(idle);
            assertThat(server.bridge().inFlight()).as("each one a bridged task blocked in its read").isGreaterThanOrEqualTo(idle);
            assertThat(DriverSteps.call(client, server.port(), "GET", "/jobs")).as("others are served meanwhile").isEmpty();
            assertThat(Thread.activeCount()).as("no platform thread per silent client").isLessThan(threadsBefore + 10);
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        assertThat(awaitValue(lean::openConnections, 0)).as("each ends when its client closes").isZero();
    }

    @Test
    void closeEndsAWaitingLongPollClosesEveryConnectionAndStopsTheAcceptor() throws Exception {
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        HttpRequest wait = HttpRequest.newBuilder(DriverSteps.uri(server.port(), "/jobs/" + held.id() + "/wait?since="
                + held.version() + "&timeout=600")).timeout(Duration.ofSeconds(60)).build();
        CompletableFuture<HttpResponse<String>> poll = client.sendAsync(wait, HttpResponse.BodyHandlers.ofString());
        assertThat(awaitValue(server.store()::waiting, 1)).isEqualTo(1);
        Socket silent = connect();
        assertThat(awaitValue(lean::openConnections, 2)).isEqualTo(2);
        String acceptor = lean.acceptorName();
        assertThat(liveThread(acceptor)).isTrue();

        lean.close();

        assertThat(liveThread(acceptor)).as("the acceptor joined").isFalse();
        assertThat(lean.openConnections()).isZero();
        assertThatThrownBy(() -> poll.get(10, TimeUnit.SECONDS)).as("the client's long poll ends, its connection closed")
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThat(awaitValue(server.store()::waiting, 0)).as("the server's waiter ended (interrupted)").isZero();
        assertThat(silent.getInputStream().read()).as("the silent client sees its connection closed").isEqualTo(-1);
        silent.close();
        assertThat(server.routes().answeredWaits()).isZero();
        assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        lean.close();                                                       // again: nothing left to do
    }

    @Test
    void aConnectionTheExecutorRefusesIsAnswered503() throws Exception {
        JobRoutes routes = server.routes();
        LeanHttpServer refusing = new LeanHttpServer(routes, task -> {
            throw new RejectedExecutionException("no room");
        }).start(0, 16);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), refusing.port())) {
            socket.setSoTimeout(10_000);
            String answer = readAll(socket);
            assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
            assertThat(body(answer)).isEqualTo("server busy: no room\n");
            assertThat(refusing.refused()).isEqualTo(1);
            assertThat(refusing.openConnections()).isZero();
        } finally {
            refusing.close();
        }
        assertThat(liveThread(refusing.acceptorName())).isFalse();
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        LeanHttpServer s = new LeanHttpServer(server.routes(), Runnable::run);
        assertThatThrownBy(() -> s.start(-1, 16)).hasMessage("port must be in 0..65535: -1");
        assertThatThrownBy(() -> s.start(0, 0)).hasMessage("backlog must be positive: 0");
        s.close();                                                         // never started: nothing to do
        assertThatThrownBy(() -> lean.start(0, 16)).isInstanceOf(IllegalStateException.class)
                .hasMessage("started already, on port " + lean.port());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void assertRefused(String request, int status, String message) throws IOException {
        String answer = exchange(request);
        assertThat(answer).as("answer to %s", request).startsWith("HTTP/1.1 " + status + " " + HttpWire.reason(status) + "\r\n")
                .contains("\r\nConnection: close\r\n");
        assertThat(body(answer)).isEqualTo(message + "\n");
    }

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    private String exchange(String request) throws IOException {
        try (Socket socket = connect()) {
            send(socket, request);
            return readAll(socket);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(10_000);                                       // a server that never answers fails the test
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    /** A channel that hands out {@code text} one byte per read, then its end. */
    private static ReadableByteChannel trickle(String text) {
        InputStream bytes = new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                int b = bytes.read();
                if (b < 0) {
                    return -1;
                }
                dst.put((byte) b);
                return 1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Polls {@code value} until it is {@code expected} (10 s at most); returns the last reading. */
    private static int awaitValue(IntSupplier value, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int now = value.getAsInt();
        while (now != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);                                              // polling a counter: nothing to wait on
            now = value.getAsInt();
        }
        return now;
    }

    private static boolean liveThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
