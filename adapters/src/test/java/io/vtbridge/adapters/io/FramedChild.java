package io.vtbridge.adapters.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The child program of the {@link ProcessChannel} tests, started in its own JVM: reads
 * length-prefixed request frames on stdin, one at a time, and answers each, in order, with a
 * length-prefixed frame {@code "<n>:<answer>"} on stdout, where {@code n} counts the frames it has
 * read (so a test can tell whether a request reached it). Writes {@code "framed child pid P started"}
 * to stderr first; exits 0 at the end of its input.
 *
 * <p>Requests (UTF-8 text):
 * <ul>
 *   <li>{@code echo:TEXT}: answers {@code TEXT} upper-cased;</li>
 *   <li>{@code pid}: answers its process id;</li>
 *   <li>{@code sleep:MS:TEXT}: sleeps MS milliseconds, then as {@code echo};</li>
 *   <li>{@code wait-file:PATH:TEXT}: reads nothing more until the file PATH exists (at most
 *       60 s), then as {@code echo};</li>
 *   <li>{@code blob:...}: answers {@code BLOB} (a large request that fills the pipe);</li>
 *   <li>{@code stderr:TEXT}: writes TEXT and a newline to stderr, answers {@code ok};</li>
 *   <li>{@code die:CODE:TEXT}: writes TEXT and a newline to stderr and exits with CODE;</li>
 *   <li>{@code garbage}: writes a frame header announcing 2 GiB, then waits to be killed.</li>
 * </ul>
 */
public final class FramedChild {

    private FramedChild() {
    }

    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        System.err.println("framed child pid " + pid + " started");
        System.err.flush();
        BufferedInputStream buffered = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        DataInputStream in = new DataInputStream(buffered);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        for (int n = 1; ; n++) {
            byte[] request;
            try {
                request = new byte[in.readInt()];
            } catch (EOFException endOfInput) {
                out.flush();
                System.exit(0);
                return;
            }
            in.readFully(request);
            byte[] answer = (n + ":" + answer(new String(request, StandardCharsets.UTF_8), pid, out)).getBytes(StandardCharsets.UTF_8);
            out.writeInt(answer.length);
            out.write(answer);
            if (buffered.available() == 0) {
                out.flush(); // nothing more to read at once: send what is answered
            }
        }
    }

    private static String answer(String request, long pid, DataOutputStream out) throws Exception {
        String[] parts = request.split(":", 3);
        switch (parts[0]) {
            case "echo":
                return upper(parts[1]);
            case "pid":
                return Long.toString(pid);
            case "sleep":
                Thread.sleep(Long.parseLong(parts[1]));
                return upper(parts[2]);
            case "wait-file":
                waitForFile(Path.of(parts[1]));
                return upper(parts[2]);
            case "blob":
                return "BLOB";
            case "stderr":
                System.err.println(parts[1]);
                System.err.flush();
                return "ok";
            case "die":
                System.err.println(parts[2]);
                System.err.flush();
                out.flush();
                System.exit(Integer.parseInt(parts[1]));
                return "unreachable";
            case "garbage":
                out.flush();
                out.writeInt(Integer.MAX_VALUE);
                out.flush();
                Thread.sleep(60_000);
                return "unreachable";
            default:
                return "?" + request;
        }
    }

    private static String upper(String text) {
        return text.toUpperCase(Locale.ROOT);
    }

    private static void waitForFile(Path file) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no " + file + " within 60 s");
            }
            Thread.sleep(1);
        }
    }
}
