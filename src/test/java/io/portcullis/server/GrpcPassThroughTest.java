package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TlsFixture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the gateway with a real gRPC client and server (grpc-java, byte-array messages, no code generation):
 * unary, server-streaming and bidirectional calls, status and custom trailers, over h2c and over TLS both ways, and
 * the gateway's own errors as gRPC status codes.
 */
class GrpcPassThroughTest {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> COUNT = method("Count",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;
    static TlsFixture tls;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        tls = new TlsFixture(dir);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName("test.Echo/" + name).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES)
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The echo service, adding {@code x-trailer: done} to the trailers of every call. */
    private static ServerServiceDefinition service() {
        ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(bytes("echo:" + text(req)));
                    out.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) ->
                        out.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException())))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(text(req));
                    for (int i = 1; i <= n; i++) {
                        out.onNext(bytes("n" + i));
                    }
                    out.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        out.onNext(bytes("re:" + text(value)));
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        return ServerInterceptors.intercept(echo, new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        trailers.put(TRAILER, "done");
                        super.close(status, trailers);
                    }
                }, headers);
            }
        });
    }

    private Server grpcServer(boolean withTls) throws Exception {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service());
        if (withTls) {
            b.sslContext(GrpcSslContexts.forServer(tls.serverCert.toFile(), tls.serverKey.toFile()).build());
        }
        Server server = b.build().start();
        open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return server;
    }

    private TestGateway gateway(String listenerFields, String clusterFields, String endpoint) throws Exception {
        TestGateway gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + listenerFields + """
                routes:
                  - name: grpc
                    match: { path_prefix: /test.Echo/ }
                    cluster: echo
                    timeout: 5s
                clusters:
                  - name: echo
                    endpoints: [ "${ORIGIN}" ]
                """ + clusterFields, Map.of("ORIGIN", endpoint));
        open.add(gw);
        return gw;
    }

    private ManagedChannel plainChannel(int port) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return ch;
    }

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void h2cClientToH2cBackend() throws Exception {
        Server server = grpcServer(false);
        TestGateway gw = gateway("    http2: { h2c: true }\n", "    protocol: h2c\n",
                "127.0.0.1:" + server.getPort());
        ManagedChannel ch = plainChannel(gw.port());
        exerciseEveryKindOfCall(ch);
    }

    @Test
    void tlsClientToTlsH2BackendWithHostnameVerification() throws Exception {
        Server server = grpcServer(true);
        TestGateway gw = gateway(tls.listenerTls(""), """
                    protocol: h2
                    tls: { ca: "%s", server_name: localhost }
                """.formatted(tls.caFile), "127.0.0.1:" + server.getPort());
        ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", gw.port())
                .sslContext(GrpcSslContexts.forClient().trustManager(tls.caFile.toFile()).build()).build();
        open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        exerciseEveryKindOfCall(ch);
    }

    @Test
    void backendCertificateForAnotherNameIsRefused() throws Exception {
        Server server = grpcServer(true);
        TestGateway gw = gateway("    http2: { h2c: true }\n", """
                    protocol: h2
                    tls: { ca: "%s", server_name: not-the-server.test }
                """.formatted(tls.caFile), "127.0.0.1:" + server.getPort());
        ManagedChannel ch = plainChannel(gw.port());
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, UNARY, deadline(), bytes("x")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private void exerciseEveryKindOfCall(ManagedChannel ch) {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        io.grpc.Channel withCapture = io.grpc.ClientInterceptors.intercept(ch,
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        assertThat(text(ClientCalls.blockingUnaryCall(withCapture, UNARY, deadline(), bytes("hi"))))
                .isEqualTo("echo:hi");
        assertThat(trailers.get().get(TRAILER)).isEqualTo("done");
        assertThat(headers.get().get(Metadata.Key.of("via", Metadata.ASCII_STRING_MARSHALLER))).isNotNull();

        // A Trailers-Only error: status, description and custom trailer all survive the trip.
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(withCapture, FAIL, deadline(), bytes("x")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no such thing");
                    assertThat(e.getTrailers().get(TRAILER)).isEqualTo("done");
                });

        List<String> counted = new ArrayList<>();
        Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(ch, COUNT, deadline(), bytes("50"));
        it.forEachRemaining(b -> counted.add(text(b)));
        assertThat(counted).hasSize(50).startsWith("n1", "n2").endsWith("n50");

        List<String> replies = new ArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        StreamObserver<byte[]> chat = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
                ch.newCall(CHAT, deadline()), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        synchronized (replies) {
                            replies.add(text(value));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (int i = 0; i < 10; i++) {
            chat.onNext(bytes("m" + i));
        }
        chat.onCompleted();
        try {
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        synchronized (replies) {
            assertThat(replies).hasSize(10).first().isEqualTo("re:m0");
        }
    }

    @Test
    void gatewayErrorsReachGrpcClientsAsGrpcStatuses() throws Exception {
        // Nothing listens on the cluster's endpoint: the gateway's 503 becomes UNAVAILABLE, not an HTTP error.
        java.net.ServerSocket s = new java.net.ServerSocket(0);
        int dead = s.getLocalPort();
        s.close();
        TestGateway gw = gateway("    http2: { h2c: true }\n", "    protocol: h2c\n", "127.0.0.1:" + dead);
        ManagedChannel ch = plainChannel(gw.port());
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, UNARY, deadline(), bytes("x")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("UPSTREAM_CONNECT_FAILED");
                });
        // No route for another service: UNIMPLEMENTED, as a gRPC server says for an unknown method.
        MethodDescriptor<byte[], byte[]> other = UNARY.toBuilder().setFullMethodName("other.Service/Call").build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, other, deadline(), bytes("x")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }
}
