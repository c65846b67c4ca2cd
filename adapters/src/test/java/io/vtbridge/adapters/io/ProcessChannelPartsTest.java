package io.vtbridge.adapters.io;

import io.vtbridge.adapters.io.internal.ClosableQueue;
import io.vtbridge.adapters.io.internal.Exchange;
import io.vtbridge.adapters.io.internal.InFlight;
import io.vtbridge.adapters.io.internal.Slots;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.vtbridge.adapters.io.ChildProcesses.text;
import static io.vtbridge.adapters.io.ChildProcesses.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of {@link ProcessChannel}, one at a time: framing, stderr tail, restart budget, the in-flight queue. */
class ProcessChannelPartsTest {

    @Test
    void lengthPrefixedFramesRoundTripAndEndCleanlyOnlyBetweenFrames() throws IOException {
        Framing framing = Framing.lengthPrefixed(300);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        framing.writeFrame(out, utf8("one"));
        framing.writeFrame(out, new byte[0]);
        framing.writeFrame(out, new byte[300]);
        byte[] wire = out.toByteArray();
        assertThat(wire).startsWith(0, 0, 0, 3, 'o', 'n', 'e', 0, 0, 0, 0, 0, 0, 1, 44);

        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        assertThat(text(framing.readFrame(in))).isEqualTo("one");
        assertThat(framing.readFrame(in)).isEmpty();
        assertThat(framing.readFrame(in)).hasSize(300);
        assertThat(framing.readFrame(in)).as("end of stream between frames").isNull();

        assertThatThrownBy(() -> framing.readFrame(new ByteArrayInputStream(new byte[] {0, 0})))
                .isInstanceOf(EOFException.class).hasMessageContaining("2 of 4 bytes");
        assertThatThrownBy(() -> framing.readFrame(new ByteArrayInputStream(new byte[] {0, 0, 0, 9, 1, 2})))
                .isInstanceOf(EOFException.class).hasMessageContaining("2 of 9 bytes");
        assertThatThrownBy(() -> framing.readFrame(new ByteArrayInputStream(new byte[] {(byte) 0xff, 0, 0, 0})))
                .isInstanceOf(IOException.class).hasMessageContaining("announces 4278190080 bytes, more than maxFrameBytes 300");
        assertThatThrownBy(() -> framing.writeFrame(new ByteArrayOutputStream(), new byte[301]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("301 bytes exceeds maxFrameBytes 300");
        assertThat(framing.maxPayloadBytes()).isEqualTo(300);
        assertThat(Framing.lengthPrefixed().maxPayloadBytes()).isEqualTo(Framing.DEFAULT_MAX_FRAME_BYTES);
    }

    @Test
    void theStderrTailKeepsTheLastBytesAcrossTheRingsWrap() {
        String written = "0123456789".repeat(10) + "the end";
        StderrTail tail = new StderrTail(new ByteArrayInputStream(written.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 13)); // reads that straddle the ring's end
            }
        }, 16);
        tail.run();
        assertThat(tail.tail()).isEqualTo("..." + written.substring(written.length() - 16));

        StderrTail shortTail = new StderrTail(new ByteArrayInputStream(utf8("short")), 16);
        shortTail.run();
        assertThat(shortTail.tail()).isEqualTo("short");

        StderrTail none = new StderrTail(new ByteArrayInputStream(utf8("dropped")), 0);
        none.run();
        assertThat(none.tail()).as("stderrTailBytes(0): drained, nothing kept").isEmpty();

        StderrTail oneBigRead = new StderrTail(new ByteArrayInputStream(utf8("abcdefghij")), 4);
        oneBigRead.run();
        assertThat(oneBigRead.tail()).isEqualTo("...ghij");
    }

    @Test
    void theRestartBudgetCountsRestartsAfterTheFirstStartInAWindowOrInTotal() {
        RestartBudget windowed = new RestartBudget(2, Duration.ofSeconds(10));
        long s = 1_000_000_000L;
        assertThat(windowed.tryStart(0)).as("the first start is not a restart").isTrue();
        assertThat(windowed.tryStart(1 * s)).isTrue();
        assertThat(windowed.tryStart(2 * s)).isTrue();
        assertThat(windowed.tryStart(3 * s)).as("a third restart within 10 s").isFalse();
        assertThat(windowed.tryStart(11 * s)).as("the restart at 1 s has left the window").isTrue();
        assertThat(windowed.tryStart(11 * s + 1)).isFalse();
        assertThat(windowed.restarts()).isEqualTo(3);

        RestartBudget total = new RestartBudget(1, null);
        assertThat(total.tryStart(0)).isTrue();
        assertThat(total.tryStart(1)).isTrue();
        assertThat(total.tryStart(Long.MAX_VALUE)).isFalse();
        assertThat(total.restarts()).isEqualTo(1);

        RestartBudget none = new RestartBudget(0, Duration.ofSeconds(1));
        assertThat(none.tryStart(0)).isTrue();
        assertThat(none.tryStart(5 * s)).isFalse();
    }

    @Test
    void aClosedQueueRefusesOffersAndHandsBackWhatItHeld() throws InterruptedException {
        ClosableQueue<String> q = new ClosableQueue<>();
        assertThat(q.offer("a")).isTrue();
        assertThat(q.offer("b")).isTrue();
        assertThat(q.take()).isEqualTo("a");
        assertThat(q.close()).containsExactly("b");
        assertThat(q.offer("c")).isFalse();
        assertThat(q.take()).as("closed and empty").isNull();
        assertThat(q.close()).isEmpty();
        assertThat(q.isClosed()).isTrue();
    }

    @Test
    void inFlightMatchesFramesInOrderAndACancelledHeadConsumesItsOwnFrame() {
        Slots slots = new Slots(3);
        InFlight inFlight = new InFlight();
        Exchange a = exchange(slots, "a");
        Exchange b = exchange(slots, "b");
        Exchange c = exchange(slots, "c");
        assertThat(slots.tryAcquire()).as("the bound").isFalse();
        assertThat(inFlight.add(a) && inFlight.add(b) && inFlight.add(c)).isTrue();

        a.cancel(true);
        assertThat(inFlight.deliver(utf8("A"))).isSameAs(a);
        assertThat(inFlight.deliver(utf8("B"))).isSameAs(b);
        assertThat(text(b.join())).as("b gets B, not the frame a no longer wanted").isEqualTo("B");
        assertThat(inFlight.discarded()).isEqualTo(1);
        assertThat(slots.used()).isEqualTo(1);

        assertThat(inFlight.close()).containsExactly(c);
        assertThat(inFlight.add(exchange(slots, "d"))).as("the child has ended").isFalse();
        assertThat(inFlight.deliver(utf8("C"))).as("nothing in flight").isNull();
        assertThat(c.release()).isTrue();
        assertThat(c.release()).as("released once only").isFalse();
    }

    private static Exchange exchange(Slots slots, String payload) {
        assertThat(slots.tryAcquire()).isTrue();
        return new Exchange(utf8(payload), slots);
    }

    @Test
    void slotsRefuseABadCapacity() {
        assertThatThrownBy(() -> new Slots(0)).hasMessage("capacity must be positive: 0");
        assertThat(List.of(new Slots(1).capacity())).containsExactly(1);
    }
}
