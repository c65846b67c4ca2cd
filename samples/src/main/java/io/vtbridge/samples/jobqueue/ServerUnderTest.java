package io.vtbridge.samples.jobqueue;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.executor.BridgeExecutorService;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One job server (its {@link JobRoutes} behind an HTTP front end) with the threads it runs on, one
 * of those the sample compares:
 * <ul>
 *   <li>{@link #fixed}: the JDK's HttpServer ({@link JobServer}) with
 *       {@code Executors.newFixedThreadPool(16)} as its executor (a long poll holds a pool thread for
 *       its whole wait), jobs on a separate pool of 4 job workers;</li>
 *   <li>{@link #bridged} with {@link FrontEnd#HTTP_SERVER}, named {@code bridge}: the same HttpServer
 *       with a {@link BridgeExecutorService} as its executor and as the job runner (a long poll is a
 *       suspended virtual thread; a job is a bridged task);</li>
 *   <li>{@link #bridged} with {@link FrontEnd#LEAN}, named {@code bridge-lean}: the same bridge behind
 *       {@link LeanHttpServer}, which keeps no I/O buffer for a connection while its request waits; each
 *       connection is a task of the bridge itself ({@code Bridge.execute}), jobs run on the
 *       {@link BridgeExecutorService} as behind the HttpServer.</li>
 * </ul>
 *
 * <p><b>Threading:</b> built and closed by one thread (the sample's driver).
 */
final class ServerUnderTest implements AutoCloseable {

    /** The HTTP front end of a bridged server. */
    enum FrontEnd {
        /** The JDK's {@code com.sun.net.httpserver.HttpServer}: {@link JobServer}. */
        HTTP_SERVER("bridge"),
        /** A connection per virtual thread over plain sockets: {@link LeanHttpServer}. */
        LEAN("bridge-lean");

        private final String serverName;

        FrontEnd(String serverName) {
            this.serverName = serverName;
        }

        /** The name of a bridged server with this front end, in the sample's rows. */
        String serverName() {
            return serverName;
        }
    }

    /** Jobs the list holds at most (finished ones are archived first). */
    static final int JOB_CAPACITY = 256;
    /** The longest long poll a client may ask for. */
    static final Duration MAX_WAIT = Duration.ofHours(1);
    /** The front ends' accept backlog. */
    static final int BACKLOG = 1_024;
    /** The fixed pool's job workers. */
    static final int FIXED_JOB_WORKERS = 4;

    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private final JobFrontEnd server;
    private final Bridge bridge;                 // null for the fixed pool
    private final String poolPrefix;             // the fixed pool's thread names; null for the bridge
    private final ExecutorService handlers;
    private final ExecutorService runner;

    private ServerUnderTest(String name, JobFrontEnd server, Bridge bridge, String poolPrefix,
                            ExecutorService handlers, ExecutorService runner) {
        this.name = name;
        this.server = server;
        this.bridge = bridge;
        this.poolPrefix = poolPrefix;
        this.handlers = handlers;
        this.runner = runner;
    }

    /** The server on a fixed pool of {@code threads} handler threads. */
    static ServerUnderTest fixed(int threads, Options o) throws IOException {
        String prefix = "fixed-pool-" + IDS.incrementAndGet() + "-";
        ExecutorService handlers = Executors.newFixedThreadPool(threads, named(prefix + "handler-"));
        ExecutorService runner = Executors.newFixedThreadPool(FIXED_JOB_WORKERS, named(prefix + "job-"));
        JobServer server = new JobServer(routes(runner, o), handlers);
        try {
            server.start(o.port(), BACKLOG);
        } catch (IOException | RuntimeException e) {
            handlers.shutdownNow();
            runner.shutdownNow();
            throw e;
        }
        return new ServerUnderTest("fixed-" + threads, server, null, prefix, handlers, runner);
    }

    /** The server behind {@code frontEnd} on a bridge of {@code shards} shards admitting {@code maxInFlight} tasks. */
    static ServerUnderTest bridged(FrontEnd frontEnd, int shards, int maxInFlight, Options o) throws IOException {
        Bridge bridge = Bridge.builder().name("jobqueue-" + IDS.incrementAndGet()).shards(shards)
                .maxInFlight(maxInFlight).jmx(false).build();
        BridgeExecutorService service = BridgeExecutorService.of(bridge);
        JobRoutes routes = routes(service, o);
        JobFrontEnd server;
        try {
            server = switch (frontEnd) {
                case HTTP_SERVER -> new JobServer(routes, service).start(o.port(), BACKLOG);
                // Each connection a task of the bridge itself: no executor's task and no entry in its
                // set of running tasks per waiting connection (the front end closes its connections).
                case LEAN -> new LeanHttpServer(routes, bridge).start(o.port(), BACKLOG);
            };
        } catch (IOException | RuntimeException e) {
            service.shutdownNow();
            bridge.close();
            throw e;
        }
        return new ServerUnderTest(frontEnd.serverName(), server, bridge, null, service, service);
    }

    private static JobRoutes routes(ExecutorService runner, Options o) {
        return new JobRoutes(new JobStore(JOB_CAPACITY), runner, o.waitTimeout(), MAX_WAIT);
    }

    /** {@code fixed-N}, {@code bridge} or {@code bridge-lean}. */
    String name() {
        return name;
    }

    /** Its HTTP front end. */
    JobFrontEnd server() {
        return server;
    }

    int port() {
        return server.port();
    }

    JobRoutes routes() {
        return server.routes();
    }

    JobStore store() {
        return server.routes().store();
    }

    /** The bridge, or null for the fixed pool. */
    Bridge bridge() {
        return bridge;
    }

    /** The prefix of the bridge's thread names, or null. */
    String bridgeName() {
        return bridge == null ? null : bridge.name();
    }

    /** The prefix of the fixed pool's thread names, or null. */
    String poolPrefix() {
        return poolPrefix;
    }

    /**
     * Stops the front end (its connections closed), interrupts whatever still runs (a long poll still
     * waiting ends, its 503 falling on a closed connection), waits up to 10 s for the threads, then
     * closes the bridge. If the calling thread is interrupted meanwhile, it stops waiting, closes the
     * bridge and keeps its interrupt status.
     *
     * @throws IllegalStateException if handlers or jobs were still running after the wait
     */
    @Override
    public void close() {
        server.close();
        handlers.shutdownNow();
        runner.shutdownNow();
        boolean ended = false;
        try {
            ended = handlers.awaitTermination(10, TimeUnit.SECONDS) & runner.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (!ended && !Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException(name + ": handlers or jobs still running 10 s after shutdownNow");
        }
    }

    private static ThreadFactory named(String prefix) {
        return Thread.ofPlatform().name(prefix, 0).daemon(true).factory();
    }
}
