package io.vtbridge.samples.ping;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vtbridge.Bridge;
import io.vtbridge.BridgeOverloadedException;
import io.vtbridge.Priority;
import io.vtbridge.adapters.executor.BridgeExecutorService;
import io.vtbridge.samples.http.LoopbackServer;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server of the ping-under-load sample, in one {@link PingMode}: {@code /ping} answers "pong" at
 * once; {@code /query} computes {@code queryIterations} of {@link CpuWork} and answers the result;
 * a {@link BackgroundJob} computes chunks for as long as the server runs.
 *
 * <p>On a bridge, {@code /query} computes through {@code Bridge.compute(Priority.HIGH, …)} and
 * answers 503 when the CPU pool's queue is full ({@link BridgeOverloadedException}); elsewhere it
 * computes inline, on the thread that runs the handler.
 *
 * <p><b>Threading:</b> the handlers run on the mode's executor; the constructor, {@link #uri} and
 * {@link #close} from one controlling thread; counters from any thread.
 */
final class PingServer implements AutoCloseable {

    /** What a {@link PingServer} is built with: the same in every mode but the CPU pool's size. */
    record Config(int port, long queryIterations, long chunkIterations, int backgroundLoops, int cpuThreads,
                  int cpuQueueCapacity, int poolThreads) {
    }

    private final PingMode mode;
    private final Bridge bridge;                           // null unless bridged
    private final ExecutorService executor;
    private final HttpServer server;
    private final BackgroundJob background;
    private final long queryIterations;
    private final AtomicLong rejected = new AtomicLong();  // queries answered 503

    PingServer(PingMode mode, Config config) throws IOException, InterruptedException {
        this.mode = mode;
        this.queryIterations = config.queryIterations();
        int cpus = Runtime.getRuntime().availableProcessors();
        if (mode.bridged()) {
            bridge = Bridge.builder().name("ping-" + mode.label())
                    .cpuThreads(mode == PingMode.BRIDGE_ALL_CORES ? cpus : config.cpuThreads())
                    .cpuQueueCapacity(config.cpuQueueCapacity())
                    .build();
            executor = BridgeExecutorService.of(bridge);
        } else {
            bridge = null;
            executor = mode == PingMode.COMMON_POOL ? Executors.newFixedThreadPool(config.poolThreads())
                    : Executors.newVirtualThreadPerTaskExecutor();
        }
        try {
            server = LoopbackServer.start(config.port(), executor, Map.of(
                    "/ping", exchange -> LoopbackServer.respond(exchange, 200, "pong"),
                    "/query", this::query));
        } catch (IOException | RuntimeException e) {
            closeExecutors();
            throw e;
        }
        background = switch (mode) {
            case BRIDGE, BRIDGE_ALL_CORES -> BackgroundJob.onBridge(bridge, config.backgroundLoops(), config.chunkIterations());
            case COMMON_POOL -> BackgroundJob.onPool(executor, config.backgroundLoops(), config.chunkIterations());
            case VIRTUAL -> BackgroundJob.onVirtualThreads(config.backgroundLoops(), config.chunkIterations());
        };
    }

    private void query(HttpExchange exchange) throws IOException {
        long seed = exchange.getRequestURI().hashCode();
        long result;
        if (bridge == null) {
            result = CpuWork.run(queryIterations, seed);
        } else {
            try {
                result = Bridge.compute(Priority.HIGH, () -> CpuWork.run(queryIterations, seed));
            } catch (BridgeOverloadedException full) {
                rejected.incrementAndGet();
                LoopbackServer.respond(exchange, 503, "overloaded: " + full.getMessage());
                return;
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);                  // InterruptedException: the server is closing
            }
        }
        LoopbackServer.respond(exchange, 200, Long.toString(result));
    }

    /** The address of {@code path} on this server. */
    URI uri(String path) {
        return LoopbackServer.uri(server, path);
    }

    /** Queries answered 503 so far (the CPU pool's queue was full). */
    long rejected() {
        return rejected.get();
    }

    /** Background chunks computed so far. */
    long backgroundChunks() {
        return background.chunks();
    }

    /**
     * Stops the background job (first, so that work it starved can finish). Idempotent; also done
     * by {@link #close}.
     */
    void stopBackground() {
        background.close();
    }

    /** Stops the background job and the server, then closes the executor and the bridge: no thread is left. */
    @Override
    public void close() throws InterruptedException {
        background.close();
        server.stop(0);
        closeExecutors();
    }

    private void closeExecutors() throws InterruptedException {
        if (bridge != null) {
            executor.close();                              // waits for the handlers (a view: the bridge stays open)
            bridge.close();
        } else {
            executor.shutdownNow();                        // the pool's queued background chunks are dropped
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(mode.label() + ": the server's executor did not stop within 30 s");
            }
        }
    }
}
