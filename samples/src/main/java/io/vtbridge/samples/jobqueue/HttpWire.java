package io.vtbridge.samples.jobqueue;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The HTTP/1.1 that {@link LeanHttpServer} speaks: one request per connection, without a body.
 * {@link #readRequest} reads a request head of at most {@value #MAX_HEAD} bytes into a buffer of its
 * own and returns only what the routes need (method, path, raw query): the buffer and the head's text
 * are garbage once it returns. {@link #write} sends an answer with {@code Connection: close}.
 *
 * <p>Refused, each with {@link Refused} carrying its answer: a head over {@value #MAX_HEAD} bytes
 * (431), a malformed request line or header line, a request target that is not an absolute path, a
 * request with a body ({@code Content-Length} other than 0, or {@code Transfer-Encoding}) (400), an
 * HTTP version other than 1.0 and 1.1 (505). Header fields are otherwise not interpreted. Lines may
 * end in CRLF or a bare LF; empty lines before the request line are skipped.
 *
 * <p><b>Threading:</b> stateless; each method works on the channel it is given, from the one thread
 * that serves that connection.
 */
final class HttpWire {

    /** The longest request head read, request line and header fields with their line ends. */
    static final int MAX_HEAD = 1_024;
    /** Characters of a bad value quoted in an answer. */
    private static final int QUOTED = 80;
    /** IMF-fixdate, the form of the {@code Date} field. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /**
     * What the routes need of a request.
     *
     * @param method   the method, as sent
     * @param path     the decoded path
     * @param rawQuery the query as sent, or null
     */
    record Request(String method, String path, String rawQuery) {
    }

    /** A request refused before it reached the routes; {@link #answer} says why. */
    static final class Refused extends Exception {

        private final JobRoutes.Answer answer;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.answer = JobRoutes.Answer.of(status, message);
        }

        JobRoutes.Answer answer() {
            return answer;
        }
    }

    private HttpWire() {
    }

    /**
     * Reads one request head from {@code in}, blocking until it is complete.
     *
     * @return the request, or null if the client closed its side before a whole head came
     * @throws Refused     if the head is too long or malformed (the answer to send)
     * @throws IOException if reading fails
     */
    static Request readRequest(ReadableByteChannel in) throws IOException, Refused {
        ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
        int lineStart = 0;                   // where the line being read starts
        int requestLine = -1;                // where the request line starts, once it has come
        int requestLineEnd = -1;             // and where it ends (its CR or LF)
        int scanned = 0;
        while (true) {
            if (!head.hasRemaining()) {
                throw new Refused(431, "request head longer than " + MAX_HEAD + " bytes");
            }
            if (in.read(head) < 0) {
                return null;                 // gone before a whole head: nobody to answer
            }
            byte[] bytes = head.array();
            for (; scanned < head.position(); scanned++) {
                if (bytes[scanned] != '\n') {
                    continue;
                }
                int end = scanned > lineStart && bytes[scanned - 1] == '\r' ? scanned - 1 : scanned;
                if (end == lineStart && requestLine >= 0) {
                    return parse(bytes, requestLine, requestLineEnd, scanned + 1);
                }
                if (end > lineStart && requestLine < 0) {
                    requestLine = lineStart;
                    requestLineEnd = end;
                }                            // an empty line before the request line is skipped
                lineStart = scanned + 1;
            }
        }
    }

    /** The request of a complete head: its request line in {@code [lineStart, lineEnd)}, its fields up to {@code headEnd}. */
    private static Request parse(byte[] head, int lineStart, int lineEnd, int headEnd) throws Refused {
        String line = new String(head, lineStart, lineEnd - lineStart, StandardCharsets.ISO_8859_1);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || !isToken(line, 0, sp1)) {
            throw new Refused(400, "malformed request line: " + quote(line));
        }
        String version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            boolean wellFormed = version.matches("HTTP/\\d\\.\\d");
            throw new Refused(wellFormed ? 505 : 400, (wellFormed ? "HTTP version not supported: " : "malformed request line: ")
                    + quote(line));
        }
        String target = line.substring(sp1 + 1, sp2);
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new Refused(400, "malformed request target: " + quote(target));
        }
        if (!target.startsWith("/") || uri.getPath() == null) {
            throw new Refused(400, "request target is not a path: " + quote(target));
        }
        checkFields(new String(head, lineEnd, headEnd - lineEnd, StandardCharsets.ISO_8859_1));
        return new Request(method(line.substring(0, sp1)), uri.getPath(), uri.getRawQuery());
    }

    /** Every header field line must be {@code name: value}; a field announcing a body is refused. */
    private static void checkFields(String fields) throws Refused {
        for (String raw : fields.split("\n")) {
            String field = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (field.isEmpty()) {
                continue;                    // the end of the request line, and the head's final empty line
            }
            int colon = field.indexOf(':');
            if (colon <= 0 || !isToken(field, 0, colon)) {
                throw new Refused(400, "malformed header field: " + quote(field));
            }
            String name = field.substring(0, colon);
            String value = field.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Transfer-Encoding")
                    || name.equalsIgnoreCase("Content-Length") && !value.equals("0")) {
                throw new Refused(400, "a request body is not accepted: " + quote(field));
            }
        }
    }

    /**
     * Writes {@code answer} with {@code Connection: close}: status line, {@code Date},
     * {@code Content-Type} and {@code Content-Length} (none of these two for a 304, which has no body),
     * then the body, in one buffer.
     */
    static void write(WritableByteChannel out, JobRoutes.Answer answer) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(encode(answer));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** The bytes {@link #write} sends. */
    static byte[] encode(JobRoutes.Answer answer) {
        byte[] body = answer.status() == 304 ? new byte[0] : answer.bodyBytes();
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(answer.status()).append(' ')
                .append(reason(answer.status())).append("\r\nDate: ").append(DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        if (answer.status() != 304) {
            head.append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(body.length);
        }
        byte[] headBytes = head.append("\r\nConnection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** The reason phrase of the statuses the server sends. */
    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    /** The method as a constant where it is one the routes know: no copy of the head kept for it. */
    private static String method(String method) {
        return switch (method) {
            case "GET" -> "GET";
            case "POST" -> "POST";
            default -> method;
        };
    }

    /** Whether {@code text[from, to)} is a non-empty token (RFC 9110: the characters of a method or field name). */
    private static boolean isToken(String text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} for an answer: at most {@value #QUOTED} characters, control characters as '?'. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(Math.min(text.length(), QUOTED) + 3);
        for (int i = 0; i < text.length() && i < QUOTED; i++) {
            char c = text.charAt(i);
            quoted.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return text.length() > QUOTED ? quoted.append("...").toString() : quoted.toString();
    }
}
