package io.vtbridge.adapters.executor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service behind the JDK's own {@code Executor} users: {@code HttpServer.setExecutor} (handlers
 * that block in legacy code: a {@code ReentrantLock}, {@code Thread.sleep}, a JDBC query on H2),
 * {@code HttpClient.Builder.executor}, and {@code CompletableFuture.*Async(..., executor)}.
 */
@Timeout(120)
class ExecutorHttpTest {

    private static final int SHARDS = 2;
    private static final int REQUESTS = 200;
    /** The first GATE handlers wait for each other: all of them must be blocked at once to get past. */
    private static final int GATE = 16;

    /**
     * A legacy handler: looks an item's price up over JDBC, books it in a ledger under a
     * {@code ReentrantLock} with a {@code Thread.sleep} inside, and answers. Its first {@link #GATE}
     * calls also wait on a latch for each other, which only works if {@link #GATE} handlers can be
     * blocked at once on {@link #SHARDS} shards.
     */
    private static final class LegacyPriceHandler implements HttpHandler {
        final String url;
        final CountDownLatch gate = new CountDownLatch(GATE);
        final ReentrantLock ledgerLock = new ReentrantLock();
        long ledger; // guarded by ledgerLock
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final AtomicInteger bridged = new AtomicInteger();
        final AtomicInteger gateTimeouts = new AtomicInteger();
        final AtomicLong handled = new AtomicLong();

        LegacyPriceHandler(String url) {
            this.url = url;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                int id = Integer.parseInt(exchange.getRequestURI().getQuery().substring("id=".length()));
                if (Bridge.current().isPresent()) {
                    bridged.incrementAndGet();
                }
                int now = inside.incrementAndGet();
                maxInside.accumulateAndGet(now, Math::max);
                long price;
                try {
                    gate.countDown();
                    if (!gate.await(Await.WAIT_SECONDS, TimeUnit.SECONDS)) {
                        gateTimeouts.incrementAndGet();
                    }
                    price = queryPrice(id);
                    ledgerLock.lock();
                    try {
                        ledger += price;
                        Thread.sleep(1);
                    } finally {
                        ledgerLock.unlock();
                    }
                } catch (InterruptedException | SQLException e) {
                    exchange.sendResponseHeaders(500, -1);
                    return;
                } finally {
                    inside.decrementAndGet();
                }
                handled.incrementAndGet(); // before the answer: the client's last response may arrive before a later count
                byte[] body = ("item " + id + " costs " + price).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }

        private long queryPrice(int id) throws SQLException {
            try (Connection c = DriverManager.getConnection(url);
                 PreparedStatement ps = c.prepareStatement("SELECT price FROM item WHERE id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1;
                }
            }
        }
    }

    private static long expectedPrice(int id) {
        return id * 3L + 1;
    }

    @Test
    void anHttpServerOnTheServiceServesConcurrentRequestsWhoseHandlersBlockInLegacyCode() throws Exception {
        String url = "jdbc:h2:mem:exec_http;DB_CLOSE_DELAY=-1";
        try (Bridge bridge = Bridge.builder().shards(SHARDS).name("exec-http").build();
             BridgeExecutorService executor = BridgeExecutorService.of(bridge);
             Connection db = DriverManager.getConnection(url)) {
            try (Statement s = db.createStatement()) {
                s.execute("CREATE TABLE item (id INT PRIMARY KEY, price BIGINT)");
                s.execute("INSERT INTO item SELECT x, x * 3 + 1 FROM SYSTEM_RANGE(0, " + (REQUESTS - 1) + ")");
            }
            LegacyPriceHandler handler = new LegacyPriceHandler(url);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), REQUESTS);
            server.createContext("/price", handler);
            server.setExecutor(executor);
            server.start();
            try (HttpClient client = HttpClient.newHttpClient()) {
                String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/price?id=";
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int id = 0; id < REQUESTS; id++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + id)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                long expectedLedger = 0;
                for (int id = 0; id < REQUESTS; id++) {
                    HttpResponse<String> r = responses.get(id).get(60, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as("status of request %d", id).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("item " + id + " costs " + expectedPrice(id));
                    expectedLedger += expectedPrice(id);
                }
                assertThat(handler.gateTimeouts).as("gate waits that timed out: the first %d handlers were not blocked at once", GATE).hasValue(0);
                assertThat(handler.maxInside.get()).as("handlers blocked at once, on %d shards", SHARDS).isGreaterThanOrEqualTo(GATE).isGreaterThan(SHARDS);
                assertThat(handler.bridged).as("handlers that ran in bridged code").hasValue(REQUESTS);
                assertThat(handler.handled).hasValue(REQUESTS);
                handler.ledgerLock.lock();
                try {
                    assertThat(handler.ledger).isEqualTo(expectedLedger);
                } finally {
                    handler.ledgerLock.unlock();
                }
            } finally {
                server.stop(0);
                try (Statement s = db.createStatement()) {
                    s.execute("DROP TABLE item");
                }
            }
        }
    }

    @Test
    void anHttpClientBuiltWithTheServiceCompletesItsResponsesOnShards() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/echo", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestURI().getQuery().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        try (Bridge bridge = Bridge.builder().shards(SHARDS).name("exec-client").build();
             BridgeExecutorService executor = BridgeExecutorService.of(bridge)) {
            try (HttpClient client = HttpClient.newBuilder().executor(executor).build()) {
                String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/echo?";
                AtomicInteger handlerCallsOnShards = new AtomicInteger();
                HttpResponse.BodyHandler<String> recording = info -> {
                    if (Bridge.current().isPresent()) {
                        handlerCallsOnShards.incrementAndGet();
                    }
                    return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
                };
                List<CompletableFuture<String>> seen = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    seen.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "n=" + i)).build(), recording)
                            .thenApply(r -> r.body()));
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(seen.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("n=" + i);
                }
                assertThat(handlerCallsOnShards).as("body handlers the client ran on the service").hasValue(20);
                // The client completes the futures sendAsync returns on its own async pool (the JDK does
                // so on purpose); a stage that must run on a shard names the executor.
                CompletableFuture<Boolean> onShard = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "x")).build(), recording)
                        .thenApplyAsync(r -> Bridge.current().isPresent(), executor);
                assertThat(onShard.get(30, TimeUnit.SECONDS)).isTrue();
                String blocking = client.send(HttpRequest.newBuilder(URI.create(base + "sync")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(blocking).isEqualTo("sync");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void completableFutureAsyncStagesRunOnTheService() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(SHARDS).name("exec-cf").build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(bridge);
            CompletableFuture<String> chain = CompletableFuture
                    .supplyAsync(() -> "supplied bridged=" + Bridge.current().isPresent(), executor)
                    .thenApplyAsync(s -> s + ", applied bridged=" + Bridge.current().isPresent(), executor)
                    .thenCombineAsync(CompletableFuture.supplyAsync(() -> Thread.currentThread().isVirtual(), executor),
                            (s, virtual) -> s + ", combined virtual=" + virtual, executor);
            assertThat(Await.result(chain)).isEqualTo("supplied bridged=true, applied bridged=true, combined virtual=true");
            CompletableFuture<Void> ran = CompletableFuture.runAsync(() -> assertThat(Bridge.current()).isPresent(), executor);
            Await.result(ran);

            executor.close();
            assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> "late", executor))
                    .isInstanceOf(RejectedExecutionException.class);
        }
    }
}
