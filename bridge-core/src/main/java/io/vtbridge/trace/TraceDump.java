package io.vtbridge.trace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Prints the records of a trace ring file, oldest first, and where and why valid data ends:
 * <pre>
 *   ./vtb java -cp bridge-core/target/classes io.vtbridge.trace.TraceDump dump FILE
 * </pre>
 * One line per record: file offset, position, sequence number, length, then the decoded fields of an
 * EVENT record or the first 32 bytes (hex) of a DATA record. Lines starting with {@code #} are the
 * header and the end.
 *
 * A round that a killed process never committed is reported ({@code # uncommitted: ...}) and stepped
 * over ({@link TraceReader#skipUncommitted()}): committed rounds after it are printed too.
 *
 * <p>Exit status: 0 when the walk reached the tail with every round committed; 3 when it stepped over
 * an uncommitted round (normal for the file of a process killed mid-append) or stopped before the
 * tail (a torn or corrupt record); 1 when the file cannot be read or is not a trace ring; 2 for a
 * usage error.
 *
 * <p><b>Threading:</b> a command-line tool; {@link #run} touches only its arguments.
 */
public final class TraceDump {

    private static final int HEX_BYTES = 32;

    private TraceDump() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@link #main} does, with its streams as parameters; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !args[0].equals("dump")) {
            err.println("usage: TraceDump dump FILE");
            return 2;
        }
        TraceReader reader;
        try {
            reader = TraceReader.open(Path.of(args[1]));
        } catch (IOException | RuntimeException e) {
            err.println("TraceDump: " + e.getMessage());
            return 1;
        }
        out.printf("# %s: trace ring, capacity %d bytes, max record %d bytes; header: oldest %d, tail %d,"
                        + " appended %d, lost %d%n", args[1], reader.capacity(), reader.maxRecordSize(),
                reader.headerOldest(), reader.headerTail(), reader.headerAppended(), reader.headerLost());
        while (true) {
            while (reader.next()) {
                out.println(line(reader));
            }
            if (reader.stop() != TraceReader.Stop.UNCOMMITTED) {
                break;
            }
            out.println("# uncommitted: " + reader.stopDetail());
            if (!reader.skipUncommitted()) {
                break;
            }
        }
        out.printf("# %d records, %d lost (overwritten, or in skipped rounds), %d uncommitted rounds skipped;"
                + " end: %s: %s%n", reader.read(), reader.lost(), reader.skippedRounds(), reader.stop(),
                reader.stopDetail());
        return reader.stop() == TraceReader.Stop.CAUGHT_UP && reader.skippedRounds() == 0 ? 0 : 3;
    }

    /** The line for the reader's current record. */
    static String line(TraceReader r) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("offset=").append(r.fileOffset())
                .append(" pos=").append(r.position())
                .append(" seq=").append(r.sequence())
                .append(" len=").append(r.length());
        if (r.isEvent()) {
            sb.append(" EVENT ").append(r.event());
        } else {
            sb.append(" DATA ");
            ByteBuffer p = r.payload();
            int n = Math.min(HEX_BYTES, r.length());
            for (int i = 0; i < n; i++) {
                sb.append(Character.forDigit((p.get(i) >> 4) & 0xF, 16)).append(Character.forDigit(p.get(i) & 0xF, 16));
            }
            if (n < r.length()) {
                sb.append("...");
            }
        }
        return sb.toString();
    }
}
