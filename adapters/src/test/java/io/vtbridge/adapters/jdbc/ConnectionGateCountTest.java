package io.vtbridge.adapters.jdbc;

import io.vtbridge.Bridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gate counts as taken: a permit released to a waiter whose thread has not run yet is
 * taken, although that call is not inside yet (the figure behind {@code AsyncJdbc.connectionsInUse()}).
 */
@Timeout(60)
class ConnectionGateCountTest {

    @Test
    void aPermitHandedToAWaiterThatHasNotRunYetCountsAsTaken() throws Exception {
        ConnectionGate gate = new ConnectionGate(1);
        assertThat(gate.tryEnter(0)).isEqualTo(ConnectionGate.ENTERED); // this thread holds the only permit
        assertThat(gate.granted()).isEqualTo(1);

        try (Bridge bridge = Bridge.builder().shards(1).name("gate-count").build()) {
            CompletableFuture<Integer> waiter = bridge.submit(() -> {
                int entered = gate.tryEnter(TimeUnit.SECONDS.toNanos(30));
                if (entered == ConnectionGate.ENTERED) {
                    gate.exit();
                }
                return entered;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gate.waiting() == 0 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            assertThat(gate.waiting()).as("the bridged call waits for the permit").isEqualTo(1);

            // Hold the shard's loop, so that the waiter, once granted, cannot run yet.
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch holding = new CountDownLatch(1);
            CompletableFuture<Object> holder = bridge.submit(() -> {
                holding.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!release.get() && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                return null;
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            gate.exit(); // the permit goes straight to the waiter, whose thread waits for the loop
            assertThat(gate.inside()).as("nobody has entered yet").isZero();
            assertThat(gate.granted()).as("but the permit is taken").isEqualTo(1);
            assertThat(gate.waiting()).isZero();

            release.set(true);
            holder.get(20, TimeUnit.SECONDS);
            assertThat(waiter.get(20, TimeUnit.SECONDS)).isEqualTo(ConnectionGate.ENTERED);
            assertThat(gate.granted()).isZero();
            assertThat(gate.inside()).isZero();
        }
        assertThat(gate.close()).isTrue();
        assertThat(gate.granted()).as("after close: the calls inside").isZero();
    }
}
