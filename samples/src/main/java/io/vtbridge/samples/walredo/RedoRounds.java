package io.vtbridge.samples.walredo;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.io.ProcessChannel;
import io.vtbridge.samples.load.Cpu;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two modes of the walredo sample, each with its own child (started with the same
 * {@link ChildCommand}) and its own {@link PageBook}, and the rounds that drive them:
 * <ul>
 *   <li>{@link #SYNC}: N platform threads share a {@link BlockingRedoClient}, one request at the
 *       child at a time, each thread held through its round trip;</li>
 *   <li>{@link #ASYNC}: N bridged virtual threads call one {@link ProcessChannel}, which pipelines
 *       their requests to its child; a waiting caller holds no thread. With
 *       {@code --async-callers futures} the callers are {@link ChainedCaller}s instead, driven by the
 *       channel's futures alone.</li>
 * </ul>
 * Both children are started, and answer a first request, when this is built. The channel may not
 * restart its child: a child that dies fails the run rather than come back with its pages lost.
 *
 * <p><b>Threading:</b> one thread (the sample's) calls {@link #round}, {@link #readBack} and
 * {@link #close()}, one after another; the callers' threads exist only within a round.
 */
final class RedoRounds implements AutoCloseable {

    /** The sync mode's name in rows and tables. */
    static final String SYNC = "sync";

    /** The async mode's name in rows and tables. */
    static final String ASYNC = "async";

    /** How many read-back requests the async mode keeps in flight at once. */
    private static final int READ_BACK_BATCH = 256;

    private final WalRedoOptions options;
    private final Bridge bridge;
    private final ProcessChannel channel;
    private final BlockingRedoClient blocking;
    private final PageBook syncBook;
    private final PageBook asyncBook;
    private final long syncPid;
    private final long asyncPid;

    /** Starts the bridge and both children, and has each child answer one request. */
    RedoRounds(WalRedoOptions o) throws IOException, InterruptedException {
        this.options = o;
        List<String> command = ChildCommand.of(o.pages(), o.answerPage());
        int most = Collections.max(o.callers());
        Bridge b = null;
        ProcessChannel c = null;
        BlockingRedoClient s = null;
        try {
            b = Bridge.builder().shards(o.shards()).name("walredo").maxInFlight(Math.max(10_000, 2 * most)).build();
            c = ProcessChannel.builder(command).name("walredo-async").maxInFlight(Math.max(1024, 2 * most))
                    .maxRestarts(0).destroyGrace(Duration.ofSeconds(2)).build();
            s = new BlockingRedoClient(command, o.fairLock());
            byte[] readPageZero = PageRedo.newRequest(0, 0);
            c.call(readPageZero);
            s.call(readPageZero);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            closeAll(b, c, s);
            throw e;
        }
        this.bridge = b;
        this.channel = c;
        this.blocking = s;
        this.syncBook = new PageBook(o.pages());
        this.asyncBook = new PageBook(o.pages());
        this.syncPid = s.pid();
        this.asyncPid = c.pid().orElse(-1);
    }

    /** The children's process ids: the sync mode's, then the async mode's. */
    List<Long> childPids() {
        return List.of(syncPid, asyncPid);
    }

    /** Children the channel started after its first (0: it may not restart). */
    int restarts() {
        return channel.restarts();
    }

    /** Answers the channel read and dropped because their callers had given up. */
    long discardedResponses() {
        return channel.discardedResponses();
    }

    /** Runs one closed-loop round of {@code mode} with {@code callers} callers for {@code seconds}. */
    RoundResult round(String mode, int callers, double seconds, long seed) throws InterruptedException {
        boolean sync = mode.equals(SYNC);
        PageBook book = sync ? syncBook : asyncBook;
        List<RedoCaller> list = new ArrayList<>(callers);
        for (int i = 0; i < callers; i++) {
            list.add(new RedoCaller(book, i, callers, options.records(), options.recordWords(), seed * 1_000_003L + i));
        }
        CompletableFuture<Long> go = new CompletableFuture<>();
        long pid = sync ? syncPid : asyncPid;
        long childCpu0 = childCpuNanos(pid);
        long cpu0 = Cpu.processNanos();
        long start;
        List<Throwable> taskFailures;
        if (sync) {
            List<Thread> threads = new ArrayList<>(callers);
            for (int i = 0; i < callers; i++) {
                RedoCaller caller = list.get(i);
                threads.add(Thread.ofPlatform().name("walredo-sync-caller-" + i).start(() -> runSync(caller, go)));
            }
            start = System.nanoTime();
            go.complete(start + (long) (seconds * 1e9));
            for (Thread t : threads) {
                t.join();
            }
            taskFailures = List.of();
        } else {
            List<CompletableFuture<RedoCaller>> futures = new ArrayList<>(callers);
            if (options.bridgedCallers()) {
                for (RedoCaller caller : list) {
                    futures.add(bridge.submit(() -> {
                        caller.run(channel::call, Bridge.await(go));
                        return caller;
                    }));
                }
                start = System.nanoTime();
                go.complete(start + (long) (seconds * 1e9));
            } else {
                start = System.nanoTime();
                long deadline = start + (long) (seconds * 1e9);
                for (RedoCaller caller : list) {
                    futures.add(ChainedCaller.start(caller, channel, deadline));
                }
            }
            taskFailures = awaitAll(futures, seconds);
        }
        long nanos = System.nanoTime() - start;
        long cpu1 = Cpu.processNanos();
        long childCpu1 = childCpuNanos(pid);
        return summarise(mode, callers, nanos, list, taskFailures, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0,
                childCpu0 < 0 || childCpu1 < 0 ? -1 : childCpu1 - childCpu0);
    }

    private void runSync(RedoCaller caller, CompletableFuture<Long> go) {
        try {
            caller.run(blocking, go.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts the callers; the round ends at its deadline
        } catch (RuntimeException | Error unexpected) {
            caller.failed(unexpected); // counted by the round, not lost with the thread
        }
    }

    /** Waits for every async caller; returns the failures of those whose task or chain itself failed. */
    private static List<Throwable> awaitAll(List<CompletableFuture<RedoCaller>> futures, double seconds) throws InterruptedException {
        List<Throwable> failed = new ArrayList<>();
        long bound = (long) Math.ceil(seconds) + 60;
        for (CompletableFuture<RedoCaller> f : futures) {
            try {
                f.get(bound, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed.add(e.getCause());
            } catch (TimeoutException e) {
                f.cancel(true);
                failed.add(e);
            }
        }
        return failed;
    }

    private static RoundResult summarise(String mode, int callers, long nanos, List<RedoCaller> list, List<Throwable> taskFailures,
                                         long parentCpu, long childCpu) {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long calls = 0;
        long mismatches = 0;
        long failures = taskFailures.size();
        Throwable first = taskFailures.isEmpty() ? null : taskFailures.get(0);
        for (RedoCaller c : list) {
            latency.add(c.latency());
            calls += c.calls();
            mismatches += c.mismatches();
            if (c.failure() != null) {
                failures++;
                first = first == null ? c.failure() : first;
            }
        }
        return new RoundResult(mode, callers, calls, nanos, latency, mismatches, failures, first, parentCpu, childCpu);
    }

    /**
     * Reads every page back from {@code mode}'s child (requests without records) and compares each
     * with the book: the child's state is what the verified answers said, so no request was lost or
     * applied twice.
     *
     * @return the pages whose checksum differs from the book's
     */
    long readBack(String mode) throws IOException, InterruptedException {
        boolean sync = mode.equals(SYNC);
        PageBook book = sync ? syncBook : asyncBook;
        long wrong = 0;
        if (sync) {
            for (int p = 0; p < book.size(); p++) {
                wrong += PageRedo.answerChecksum(blocking.call(PageRedo.newRequest(p, 0))) == book.checksum(p) ? 0 : 1;
            }
            return wrong;
        }
        for (int from = 0; from < book.size(); from += READ_BACK_BATCH) {
            List<CompletableFuture<byte[]>> answers = new ArrayList<>();
            for (int p = from; p < Math.min(book.size(), from + READ_BACK_BATCH); p++) {
                answers.add(channel.request(PageRedo.newRequest(p, 0)));
            }
            for (int i = 0; i < answers.size(); i++) {
                byte[] answer;
                try {
                    answer = answers.get(i).get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("reading page " + (from + i) + " back from the async child failed", e);
                }
                wrong += PageRedo.answerChecksum(answer) == book.checksum(from + i) ? 0 : 1;
            }
        }
        return wrong;
    }

    private static long childCpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }

    /** Closes the bridge, the channel (its child and threads) and the sync client (its child). */
    @Override
    public void close() throws InterruptedException {
        closeAll(bridge, channel, blocking);
    }

    /** Closes whichever of the three exist, each even if closing an earlier one failed. */
    private static void closeAll(Bridge b, ProcessChannel c, BlockingRedoClient s) throws InterruptedException {
        try {
            if (b != null) {
                b.close();
            }
        } finally {
            try {
                if (c != null) {
                    c.close();
                }
            } finally {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
