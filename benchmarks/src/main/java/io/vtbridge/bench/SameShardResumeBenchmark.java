package io.vtbridge.bench;

import io.vtbridge.Bridge;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * What it costs to suspend a virtual thread and resume it on the same carrier.
 *
 * <p>{@link #pingPong}: two threads hand a turn back and forth {@value #ROUND_TRIPS} times with
 * {@link LockSupport#park}/{@link LockSupport#unpark}; the score is one round trip (two suspends,
 * two resumes). {@code park/unpark} rather than a {@code SynchronousQueue}: it is the bare
 * suspend/resume that every JDK blocking primitive ends in, with nothing else in the way, whereas a
 * {@code SynchronousQueue} adds its node allocation, CASes and a spin phase before parking whose
 * length differs between platform and virtual threads, and would blur what is being compared.
 * <ul>
 *   <li>{@code bridge}: both threads on shard 0 of a 1-shard bridge ({@code bridge.shard(0).newThread}).
 *       Each unpark is issued on the loop's own thread, so the resume goes to the loop's local run
 *       queue: no atomics, no wake-up;</li>
 *   <li>{@code virtual}: both on default virtual threads ({@code Thread.ofVirtual()}), scheduled by the
 *       JDK's ForkJoinPool (2 carriers on the reference machine: the pair may run on either);</li>
 *   <li>{@code platform}: two platform threads: every hand-off is an OS context switch.</li>
 * </ul>
 *
 * <p>{@link #yieldLoop}: one thread calls {@link Thread#yield()} {@value #YIELDS} times; the score is
 * one yield. In a virtual thread a yield is a suspend plus a local resume (re-queued on its own
 * scheduler); on a platform thread ({@code platform}) it is the OS's {@code sched_yield}, shown only
 * as a reference point.
 *
 * <p>Each invocation starts its threads and joins them; that start/join cost (a few microseconds) is
 * spread over the {@value #ROUND_TRIPS} round trips and is below 1 % of the score.
 */
public class SameShardResumeBenchmark extends BridgeBenchmark {

    /** Round trips per invocation of {@link #pingPong}. */
    static final int ROUND_TRIPS = 10_000;

    /** Yields per invocation of {@link #yieldLoop}. */
    static final int YIELDS = 10_000;

    @Param({BRIDGE, BRIDGE_DELAYS, VIRTUAL, PLATFORM})
    public String executor;

    private Bridge bridge;          // set for "bridge": one shard, so every thread is on the same loop
    private ThreadFactory threads;  // makes the threads of one invocation

    @Setup(Level.Trial)
    public void start() {
        switch (executor) {
            case BRIDGE, BRIDGE_DELAYS -> {
                bridge = newBridge("bench-resume", 1, 16, executor.equals(BRIDGE_DELAYS));
                threads = bridge.shard(0);
            }
            case VIRTUAL -> threads = Thread.ofVirtual().name("bench-virtual").factory();
            case PLATFORM -> threads = Thread.ofPlatform().name("bench-platform").factory();
            default -> throw unknownExecutor(executor);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /** {@value #ROUND_TRIPS} park/unpark round trips between two threads of the chosen kind. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int pingPong() throws InterruptedException {
        PingPong game = new PingPong(ROUND_TRIPS);
        Thread pong = threads.newThread(game::pong);
        Thread ping = threads.newThread(game::ping);
        game.players(ping, pong);
        pong.start();
        ping.start();
        ping.join();
        pong.join();
        return game.turn;
    }

    /** {@value #YIELDS} calls of {@link Thread#yield()} in one thread of the chosen kind. */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yieldLoop() throws InterruptedException {
        Thread yielder = threads.newThread(SameShardResumeBenchmark::yieldMany);
        yielder.start();
        yielder.join();
    }

    private static void yieldMany() {
        for (int i = 0; i < YIELDS; i++) {
            Thread.yield();
        }
    }

    /**
     * The turn-taking game. {@code turn} says who may run; each player parks until it is its turn,
     * flips it to the other player and unparks them. A park that returns without the turn (spurious
     * wake-up, or a permit left from an earlier unpark) just parks again; an unpark that arrives before
     * the park leaves a permit, so no hand-off is lost.
     *
     * <p><b>Threading:</b> {@link #ping} and {@link #pong} each run on their own thread, started after
     * {@link #players} (the thread start publishes the player fields).
     */
    static final class PingPong {
        static final int PING = 0;
        static final int PONG = 1;

        private final int rounds;
        private Thread ping;        // written before the threads start; read by the players
        private Thread pong;        // written before the threads start; read by the players
        volatile int turn = PING;   // written by the player that hands the turn over; read by both

        PingPong(int rounds) {
            this.rounds = rounds;
        }

        void players(Thread ping, Thread pong) {
            this.ping = ping;
            this.pong = pong;
        }

        void ping() {
            for (int i = 0; i < rounds; i++) {
                turn = PONG;               // volatile store, before the unpark that announces it
                LockSupport.unpark(pong);
                while (turn != PING) {
                    LockSupport.park(this);
                }
            }
        }

        void pong() {
            for (int i = 0; i < rounds; i++) {
                while (turn != PONG) {
                    LockSupport.park(this);
                }
                turn = PING;
                LockSupport.unpark(ping);
            }
        }
    }
}
