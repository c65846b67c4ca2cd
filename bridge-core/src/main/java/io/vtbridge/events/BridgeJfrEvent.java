package io.vtbridge.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One event of the bridge's event model as a JFR event, {@value #NAME}, for JDK Mission Control.
 * Disabled by default; enable it in a recording ({@code -XX:StartFlightRecording:...} with a
 * settings file, or {@code recording.enable("io.vtbridge.Event")}). While disabled, recording an
 * event costs one check of the event type's enabled flag.
 *
 * <p><b>Threading:</b> an instance is made, filled and committed by one thread, the bridged virtual
 * thread or the loop that records the event ({@link JfrEventSink}).
 */
@Name(BridgeJfrEvent.NAME)
@Label("vtbridge Event")
@Category({"vtbridge"})
@Description("A REQUEST, SUSPEND or RESUME of an intercepted call in bridged code")
@Enabled(false)
@StackTrace(false)
public final class BridgeJfrEvent extends Event {

    /** The JFR event name. */
    public static final String NAME = "io.vtbridge.Event";

    @Label("Shard")
    public int shard;

    @Label("Virtual Thread Id")
    @Description("-1 when vtbridge could not tell which thread (a JDK-native park)")
    public long virtualThreadId;

    @Label("Phase")
    public String phase;

    @Label("Kind")
    public String kind;

    @Label("Nano Time")
    @Description("System.nanoTime() when it happened")
    public long nanoTime;
}
