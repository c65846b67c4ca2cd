package io.vtbridge.samples.walredo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The walredo sample's child program, the stand-in for a WAL-redo process: it keeps pages in memory
 * and, for each request, applies the request's records to its page and answers with the resulting
 * page or its checksum (format: {@link PageRedo}). CPU and memory only: no file, no network.
 *
 * <p>It reads length-prefixed frames (a 4-byte big-endian length, then the request) on standard
 * input, one at a time, and answers each, in order, with a length-prefixed frame on standard output.
 * Answers are flushed when no further request is already readable, so a burst of pipelined requests
 * is answered in few writes, and a lone request at once. It exits 0 at the end of its input; a
 * malformed request (a page id out of range, a bad record) is reported on standard error and ends it
 * with exit code 3.
 *
 * <pre>
 * java -cp CLASSPATH io.vtbridge.samples.walredo.WalRedoChild --pages 1024 --answer page|checksum
 * </pre>
 *
 * <p><b>Threading:</b> single-threaded: {@link #main} serves the requests on the JVM's main thread.
 */
public final class WalRedoChild {

    /** Exit code for a malformed request or bad arguments. */
    public static final int EXIT_BAD_REQUEST = 3;

    private WalRedoChild() {
    }

    /** Serves requests until the end of standard input; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        int pages = 0;
        boolean answerPage = true;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--pages" -> pages = parsePages(args[i + 1]);
                case "--answer" -> answerPage = !args[i + 1].equals("checksum");
                default -> fail("unknown argument " + args[i]);
            }
        }
        if (pages <= 0 || args.length % 2 != 0) {
            fail("usage: WalRedoChild --pages N [--answer page|checksum], was " + String.join(" ", args));
        }
        long[][] memory = new long[pages][];
        BufferedInputStream buffered = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        DataInputStream in = new DataInputStream(buffered);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        for (long n = 1; ; n++) {
            byte[] request;
            try {
                request = new byte[in.readInt()];
            } catch (EOFException endOfInput) {
                out.flush();
                return;
            }
            in.readFully(request);
            byte[] answer;
            try {
                int pageId = PageRedo.pageId(request);
                if (pageId < 0 || pageId >= pages) {
                    throw new IllegalArgumentException("page id " + pageId + " is not in 0.." + (pages - 1));
                }
                long[] page = memory[pageId];
                if (page == null) {
                    page = PageRedo.initialPage(pageId);
                    memory[pageId] = page;
                }
                PageRedo.apply(page, request);
                answer = answerPage ? PageRedo.encodePage(page) : PageRedo.encodeChecksum(PageRedo.checksum(page));
            } catch (IllegalArgumentException malformed) {
                out.flush(); // what was answered before reaches the caller
                fail("request " + n + " is malformed: " + malformed.getMessage());
                return;
            }
            out.writeInt(answer.length);
            out.write(answer);
            if (buffered.available() == 0) {
                out.flush(); // nothing more to read at once: send what is answered
            }
        }
    }

    private static int parsePages(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            fail("--pages is not a number: " + value);
            return 0;
        }
    }

    private static void fail(String message) {
        System.err.println("walredo child pid " + ProcessHandle.current().pid() + ": " + message);
        System.err.flush();
        System.exit(EXIT_BAD_REQUEST);
    }
}
