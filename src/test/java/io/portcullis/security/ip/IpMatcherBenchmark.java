package io.portcullis.security.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the IP filter's per-request work: a lookup in a set of {@code blocks} random blocks (a quarter IPv6),
 * from text and from bytes, an allow/deny decision, and finding the client behind two trusted proxies.
 * Run: {@code bench/jmh.sh IpMatcherBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IpMatcherBenchmark {
    @Param({"10", "10000"})
    int blocks;

    private IpSet set;
    private IpAccessList access;
    private final String[] ipv4 = new String[256];
    private final String[] ipv6 = new String[256];
    private final byte[][] bytes = new byte[256][];
    private List<String> xff;
    private int i;

    @Setup
    public void setup() {
        Random random = new Random(7);
        List<String> texts = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            if (b % 4 == 3) {
                texts.add(String.format("2001:db8:%x:%x::/64", random.nextInt(0x10000), random.nextInt(0x10000)));
            } else {
                int length = 16 + random.nextInt(17);
                texts.add(IpAddresses.ipv4Text(random.nextInt() & Cidr.ipv4Mask(length)) + "/" + length);
            }
        }
        set = IpSet.parse(texts);
        access = new IpAccessList(IpSet.empty(), set);
        for (int a = 0; a < 256; a++) {
            int v = random.nextInt();
            ipv4[a] = IpAddresses.ipv4Text(v);
            ipv6[a] = String.format("2001:db8:%x:%x::%x", random.nextInt(0x10000), random.nextInt(0x10000), a);
            bytes[a] = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        xff = List.of("203.0.113.7, 10.1.2.3, 10.4.5.6");
    }

    @Benchmark
    public boolean ipv4Text() {
        return set.contains(ipv4[i++ & 255]);
    }

    @Benchmark
    public boolean ipv6Text() {
        return set.contains(ipv6[i++ & 255]);
    }

    @Benchmark
    public boolean ipv4Bytes() {
        return set.contains(bytes[i++ & 255]);
    }

    @Benchmark
    public boolean accessListIpv4() {
        return access.allows(ipv4[i++ & 255]);
    }

    @Benchmark
    public String clientBehindTwoProxies() {
        return ClientAddress.resolve("10.9.9.9", xff, null, TRUSTED);
    }

    private static final IpSet TRUSTED = IpSet.parse("10.0.0.0/8");
}
