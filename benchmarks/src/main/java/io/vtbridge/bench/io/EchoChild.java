package io.vtbridge.bench.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;

/**
 * The child of {@link ProcessChannelHarness}: reads length-prefixed frames on stdin, one at a time,
 * optionally computes for {@code args[0]} microseconds (a busy loop: the stand-in for the work a
 * WAL-redo child does per request), and sends each frame back, in order; flushes when no further
 * request is already buffered. Exits at the end of its input.
 *
 * <p><b>Threading:</b> single-threaded, as the children it stands for.
 */
public final class EchoChild {

    private EchoChild() {
    }

    public static void main(String[] args) throws Exception {
        long workNanos = args.length > 0 ? Long.parseLong(args[0]) * 1_000 : 0;
        BufferedInputStream buffered = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        DataInputStream in = new DataInputStream(buffered);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        long sink = 0;
        while (true) {
            byte[] frame;
            try {
                frame = new byte[in.readInt()];
            } catch (EOFException endOfInput) {
                out.flush();
                if (sink == 42) {
                    System.err.println(sink); // keeps the busy loop from being optimised away
                }
                return;
            }
            in.readFully(frame);
            for (long end = System.nanoTime() + workNanos; System.nanoTime() < end; ) {
                sink += frame.length;
            }
            out.writeInt(frame.length);
            out.write(frame);
            if (buffered.available() == 0) {
                out.flush();
            }
        }
    }
}
