package io.portcullis.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A byte-exact HTTP/2 client (prior-knowledge h2c) over a blocking socket, for what real clients refuse to send:
 * uppercase field names, misplaced pseudo-headers, header blocks split into any number of CONTINUATION frames,
 * floods of PING, SETTINGS or RST_STREAM. Frames are built by hand (RFC 9113 §4.1); header blocks are HPACK literals
 * without indexing and without Huffman coding (RFC 7541 §6.2.2), so every name and value goes out exactly as given.
 * The server's header blocks are decoded with Netty's HPACK decoder, in order, as the dynamic table requires.
 *
 * <p>The client never answers on its own (no automatic ACKs, no WINDOW_UPDATE): the test decides what a client
 * does. Every read has a deadline and every write a watchdog, so a gateway that stops reading fails the test instead
 * of hanging it.
 */
public final class RawH2Client implements AutoCloseable {
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    public static final int DEFAULT_MAX_FRAME_SIZE = 16_384;

    // Frame types (RFC 9113 §6).
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;

    // Flags.
    public static final int FLAG_END_STREAM = 0x1;
    public static final int FLAG_ACK = 0x1;
    public static final int FLAG_END_HEADERS = 0x4;
    private static final int FLAG_PADDED = 0x8;
    private static final int FLAG_PRIORITY = 0x20;

    // Error codes (RFC 9113 §7).
    public static final int NO_ERROR = 0x0;
    public static final int PROTOCOL_ERROR = 0x1;
    public static final int INTERNAL_ERROR = 0x2;
    public static final int FLOW_CONTROL_ERROR = 0x3;
    public static final int STREAM_CLOSED = 0x5;
    public static final int FRAME_SIZE_ERROR = 0x6;
    public static final int REFUSED_STREAM = 0x7;
    public static final int CANCEL = 0x8;
    public static final int COMPRESSION_ERROR = 0x9;
    public static final int ENHANCE_YOUR_CALM = 0xb;

    // Settings (RFC 9113 §6.5.2).
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REST_OF_FRAME_TIMEOUT = Duration.ofSeconds(5);
    /** Frames kept for failure messages; a flood must not turn the log into the memory problem. */
    private static final int MAX_LOGGED = 500;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final ScheduledExecutorService watchdog;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    private final List<Frame> received = new ArrayList<>();
    private Frame goaway;
    private boolean closed;
    private volatile boolean writeTimedOut;

    /** One frame from the server; a header block's CONTINUATION frames are folded into its HEADERS frame. */
    public record Frame(int type, int flags, int streamId, byte[] payload, List<Map.Entry<String, String>> headers) {
        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        public boolean is(int frameType, int stream) {
            return type == frameType && streamId == stream;
        }

        /** The error code of a RST_STREAM or GOAWAY frame. */
        public int errorCode() {
            return switch (type) {
                case RST_STREAM -> int32(payload, 0);
                case GOAWAY -> int32(payload, 4);
                default -> throw new IllegalStateException("no error code in " + this);
            };
        }

        /** The last stream id of a GOAWAY frame. */
        public int lastStreamId() {
            return int32(payload, 0) & 0x7fff_ffff;
        }

        /** The debug data of a GOAWAY frame, as text. */
        public String debugData() {
            return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        }

        /** The first value of a field in a HEADERS frame, or null. */
        public String header(String name) {
            return headers == null ? null : FieldList.first(headers, name);
        }

        public String status() {
            return header(":status");
        }

        @Override
        public String toString() {
            String what = switch (type) {
                case RST_STREAM, GOAWAY -> " " + errorName(errorCode())
                        + (type == GOAWAY ? " last=" + lastStreamId() + " '" + debugData() + "'" : "");
                case HEADERS -> " " + headers;
                default -> "";
            };
            return typeName(type) + "[stream=" + streamId + " flags=0x" + Integer.toHexString(flags)
                    + " length=" + payload.length + what + "]";
        }
    }

    private RawH2Client(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raw-h2-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public static RawH2Client connect(int port) throws IOException {
        return connect(port, 0);
    }

    /**
     * A connection whose receive buffer is {@code receiveBuffer} bytes (0 = the system default). Set before
     * connecting, so the TCP window the server sees is small from the first byte: a client that never reads then
     * pushes the server's answers back into the server's own memory quickly.
     */
    public static RawH2Client connect(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        return new RawH2Client(s);
    }

    /**
     * Sends the preface and a SETTINGS frame ({@code idValuePairs}), reads up to the server's SETTINGS and
     * acknowledges them; returns them. Netty applies its own limits (concurrent streams, header list size) only
     * once the client acknowledged them, so every test starts here.
     */
    public Map<Integer, Long> handshake(int... idValuePairs) throws IOException {
        send(PREFACE, settings(idValuePairs));
        Frame serverSettings = readUntil(f -> f.type() == SETTINGS && !f.has(FLAG_ACK), Duration.ofSeconds(5));
        send(settingsAck());
        Map<Integer, Long> values = new LinkedHashMap<>();
        byte[] p = serverSettings.payload();
        for (int i = 0; i + 6 <= p.length; i += 6) {
            values.put(((p[i] & 0xff) << 8) | (p[i + 1] & 0xff), int32(p, i + 2) & 0xffff_ffffL);
        }
        return values;
    }

    // ---------------------------------------------------------------------------------------------- writing

    /** Writes the frames in one write call; a write blocked longer than the watchdog allows closes the socket. */
    public void send(byte[]... frames) throws IOException {
        byte[] all = frames.length == 1 ? frames[0] : concat(frames);
        ScheduledFuture<?> dog = watchdog.schedule(this::abortWrite, WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            out.write(all);
            out.flush();
        } catch (IOException e) {
            if (writeTimedOut) {
                throw new IOException("write blocked for more than " + WRITE_TIMEOUT + ": the server stopped reading"
                        + " without closing", e);
            }
            throw e;
        } finally {
            dog.cancel(false);
        }
    }

    /** True once a write was cut off by the watchdog (the server neither read nor closed). */
    public boolean writeTimedOut() {
        return writeTimedOut;
    }

    private void abortWrite() {
        writeTimedOut = true;
        try {
            socket.close();
        } catch (IOException e) {
            // the blocked write fails either way, and reports the timeout
        }
    }

    public static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        putInt32(f, 5, streamId & 0x7fff_ffff);
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** A SETTINGS frame with {@code id, value} pairs. */
    public static byte[] settings(int... idValuePairs) {
        if (idValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("settings come in id, value pairs, got " + idValuePairs.length);
        }
        byte[] p = new byte[idValuePairs.length * 3];
        for (int i = 0, at = 0; i < idValuePairs.length; i += 2, at += 6) {
            p[at] = (byte) (idValuePairs[i] >>> 8);
            p[at + 1] = (byte) idValuePairs[i];
            putInt32(p, at + 2, idValuePairs[i + 1]);
        }
        return frame(SETTINGS, 0, 0, p);
    }

    public static byte[] settingsAck() {
        return frame(SETTINGS, FLAG_ACK, 0, new byte[0]);
    }

    /** A HEADERS frame carrying the whole block of {@code fields} (it must fit one frame). */
    public static byte[] headers(int streamId, boolean endStream, boolean endHeaders,
            List<Map.Entry<String, String>> fields) {
        byte[] block = headerBlock(fields);
        if (block.length > DEFAULT_MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("a header block of " + block.length + " bytes needs CONTINUATION"
                    + " frames; split headerBlock(...) and use headersFragment and continuation");
        }
        return headersFragment(streamId, endStream, endHeaders, block);
    }

    /** A HEADERS frame carrying any part of a header block (the rest follows in CONTINUATION frames). */
    public static byte[] headersFragment(int streamId, boolean endStream, boolean endHeaders, byte[] fragment) {
        int flags = (endStream ? FLAG_END_STREAM : 0) | (endHeaders ? FLAG_END_HEADERS : 0);
        return frame(HEADERS, flags, streamId, fragment);
    }

    public static byte[] continuation(int streamId, boolean endHeaders, byte[] fragment) {
        return frame(CONTINUATION, endHeaders ? FLAG_END_HEADERS : 0, streamId, fragment);
    }

    public static byte[] data(int streamId, boolean endStream, byte[] bytes) {
        return frame(DATA, endStream ? FLAG_END_STREAM : 0, streamId, bytes);
    }

    public static byte[] rstStream(int streamId, int errorCode) {
        byte[] p = new byte[4];
        putInt32(p, 0, errorCode);
        return frame(RST_STREAM, 0, streamId, p);
    }

    public static byte[] ping(boolean ack, long opaque) {
        byte[] p = new byte[8];
        putInt32(p, 0, (int) (opaque >>> 32));
        putInt32(p, 4, (int) opaque);
        return frame(PING, ack ? FLAG_ACK : 0, 0, p);
    }

    public static byte[] windowUpdate(int streamId, int increment) {
        byte[] p = new byte[4];
        putInt32(p, 0, increment & 0x7fff_ffff);
        return frame(WINDOW_UPDATE, 0, streamId, p);
    }

    /** The request fields of a GET for {@code path}: {@code :method :scheme :authority :path}, in that order. */
    public static List<Map.Entry<String, String>> get(String path) {
        return fields(":method", "GET", ":scheme", "http", ":authority", "localhost", ":path", path);
    }

    /** Fields from {@code name, value, name, value...}, in order, exactly as given. */
    public static List<Map.Entry<String, String>> fields(String... namesAndValues) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            list.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return list;
    }

    /**
     * An HPACK header block: each field a "literal header field without indexing — new name" (RFC 7541 §6.2.2)
     * with raw (non-Huffman) strings, so the server's dynamic table is never touched and blocks may be sent, split
     * or dropped in any order. Names and values are written as ISO-8859-1 bytes, case and all.
     */
    public static byte[] headerBlock(List<Map.Entry<String, String>> fields) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map.Entry<String, String> field : fields) {
            b.write(0x00);
            hpackString(b, field.getKey());
            hpackString(b, field.getValue());
        }
        return b.toByteArray();
    }

    private static void hpackString(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        hpackInt(b, 0x00, 7, bytes.length); // H bit clear: not Huffman coded
        b.writeBytes(bytes);
    }

    /** RFC 7541 §5.1: an integer with an N-bit prefix, continued in 7-bit groups. */
    private static void hpackInt(ByteArrayOutputStream b, int firstByteBits, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            b.write(firstByteBits | value);
            return;
        }
        b.write(firstByteBits | max);
        int rest = value - max;
        while (rest >= 0x80) {
            b.write((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        b.write(rest);
    }

    // ---------------------------------------------------------------------------------------------- reading

    /**
     * Reads frames until one matches; fails (with every frame seen) when the connection closes first or
     * {@code timeout} passes.
     */
    public Frame readUntil(Predicate<Frame> match, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame f;
            try {
                f = next(deadline);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no matching frame within " + timeout + "; received " + received());
            }
            if (f == null) {
                throw new AssertionError("connection closed before a matching frame; received " + received());
            }
            if (match.test(f)) {
                return f;
            }
        }
    }

    /**
     * Reads (and logs) whatever arrives until the server closes the connection (EOF or reset): true, or until
     * {@code timeout}: false.
     */
    public boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (next(deadline) != null) {
                // keep draining: a GOAWAY may precede the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** The last GOAWAY received, or null. */
    public Frame goaway() {
        return goaway;
    }

    /** Frames received so far (the first {@value #MAX_LOGGED}), for assertions and failure messages. */
    public List<Frame> received() {
        return List.copyOf(received);
    }

    /** The next frame, or null once the connection is closed (EOF, reset, or closed here). */
    private Frame next(long deadlineNanos) throws IOException {
        if (closed) {
            return null;
        }
        try {
            Frame f = readFrame(deadlineNanos);
            if (f.type() == HEADERS && !f.has(FLAG_END_HEADERS)) {
                f = foldContinuations(f, deadlineNanos);
            }
            if (f.type() == HEADERS) {
                f = decoded(f);
            }
            if (f.type() == GOAWAY) {
                goaway = f;
            }
            if (received.size() < MAX_LOGGED) {
                received.add(f);
            }
            return f;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (EOFException e) {
            closed = true;
            return null;
        } catch (IOException e) {
            closed = true; // reset by the server, or the socket closed by the watchdog
            return null;
        }
    }

    private Frame readFrame(long deadlineNanos) throws IOException {
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (leftMs <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        // Wait for the frame's first byte under the caller's deadline, without consuming it: a timeout then never
        // leaves half a frame read. Once a frame has begun, the rest follows promptly.
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
        in.mark(1);
        if (in.read() < 0) {
            throw new EOFException();
        }
        in.reset();
        socket.setSoTimeout((int) REST_OF_FRAME_TIMEOUT.toMillis());
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7fff_ffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, streamId, payload, null);
    }

    private Frame foldContinuations(Frame headers, long deadlineNanos) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(headers.payload());
        int flags = headers.flags();
        for (int i = 0; i < 1000; i++) {
            Frame c = readFrame(deadlineNanos);
            if (c.type() != CONTINUATION || c.streamId() != headers.streamId()) {
                throw new IOException("expected CONTINUATION on stream " + headers.streamId() + ", got " + c);
            }
            block.writeBytes(c.payload());
            if (c.has(FLAG_END_HEADERS)) {
                return new Frame(HEADERS, flags | FLAG_END_HEADERS, headers.streamId(), block.toByteArray(), null);
            }
        }
        throw new IOException("more than 1000 CONTINUATION frames from the server");
    }

    /** Strips padding and priority, decodes the block, and returns the frame with its fields. */
    private Frame decoded(Frame f) throws IOException {
        byte[] p = f.payload();
        int from = 0;
        int to = p.length;
        if (f.has(FLAG_PADDED)) {
            to -= p[0] & 0xff;
            from = 1;
        }
        if (f.has(FLAG_PRIORITY)) {
            from += 5;
        }
        ByteBuf block = Unpooled.wrappedBuffer(p, from, to - from);
        try {
            Http2Headers decoded = hpack.decodeHeaders(f.streamId(), block);
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            decoded.forEach(e -> fields.add(Map.entry(e.getKey().toString(), e.getValue().toString())));
            return new Frame(HEADERS, f.flags(), f.streamId(), p, List.copyOf(fields));
        } catch (Http2Exception e) {
            throw new IOException("cannot decode the server's header block on stream " + f.streamId(), e);
        } finally {
            block.release();
        }
    }

    @Override
    public void close() throws IOException {
        watchdog.shutdownNow();
        socket.close();
    }

    // ---------------------------------------------------------------------------------------------- names

    public static String errorName(int code) {
        return switch (code) {
            case NO_ERROR -> "NO_ERROR";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case FLOW_CONTROL_ERROR -> "FLOW_CONTROL_ERROR";
            case 0x4 -> "SETTINGS_TIMEOUT";
            case STREAM_CLOSED -> "STREAM_CLOSED";
            case FRAME_SIZE_ERROR -> "FRAME_SIZE_ERROR";
            case REFUSED_STREAM -> "REFUSED_STREAM";
            case CANCEL -> "CANCEL";
            case COMPRESSION_ERROR -> "COMPRESSION_ERROR";
            case 0xa -> "CONNECT_ERROR";
            case ENHANCE_YOUR_CALM -> "ENHANCE_YOUR_CALM";
            case 0xc -> "INADEQUATE_SECURITY";
            case 0xd -> "HTTP_1_1_REQUIRED";
            default -> "0x" + Integer.toHexString(code);
        };
    }

    public static String typeName(int type) {
        return switch (type) {
            case DATA -> "DATA";
            case HEADERS -> "HEADERS";
            case 0x2 -> "PRIORITY";
            case RST_STREAM -> "RST_STREAM";
            case SETTINGS -> "SETTINGS";
            case 0x5 -> "PUSH_PROMISE";
            case PING -> "PING";
            case GOAWAY -> "GOAWAY";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            case CONTINUATION -> "CONTINUATION";
            default -> "0x" + Integer.toHexString(type);
        };
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void putInt32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
