package io.vtbridge.events;

import io.vtbridge.loop.EventSink;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.monitor.EventPhase;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Combines a loop's event sinks (the listener's ring, a trace ring, JFR) into one.
 *
 * <p><b>Threading:</b> as {@link EventSink}.
 */
public final class EventSinks {

    private EventSinks() {
    }

    /** One sink that hands each event to every non-null sink given, in order; {@code null} if none. */
    public static EventSink of(EventSink... sinks) {
        List<EventSink> present = new ArrayList<>();
        for (EventSink s : sinks) {
            if (s != null) {
                present.add(s);
            }
        }
        return switch (present.size()) {
            case 0 -> null;
            case 1 -> present.get(0);
            case 2 -> new Two(present.get(0), present.get(1));
            default -> new Many(present.toArray(EventSink[]::new));
        };
    }

    private record Two(EventSink a, EventSink b) implements EventSink {
        @Override
        public boolean wants() {
            return a.wants() || b.wants();
        }

        @Override
        public void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
            if (a.wants()) {
                a.accept(shard, threadId, phase, kind, nanoTime);
            }
            if (b.wants()) {
                b.accept(shard, threadId, phase, kind, nanoTime);
            }
        }
    }

    private record Many(EventSink[] sinks) implements EventSink {
        Many {
            Objects.requireNonNull(sinks, "sinks");
        }

        @Override
        public boolean wants() {
            for (EventSink s : sinks) {
                if (s.wants()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void accept(int shard, long threadId, EventPhase phase, EventKind kind, long nanoTime) {
            for (EventSink s : sinks) {
                if (s.wants()) {
                    s.accept(shard, threadId, phase, kind, nanoTime);
                }
            }
        }
    }
}
