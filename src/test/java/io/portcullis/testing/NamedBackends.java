package io.portcullis.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code n} {@link NamedBackend}s called b0, b1, …, with their addresses as config variables B0, B1, …. */
public final class NamedBackends implements AutoCloseable {
    private final List<NamedBackend> backends = new ArrayList<>();

    public NamedBackends(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            backends.add(new NamedBackend("b" + i));
        }
    }

    public NamedBackend get(int i) {
        return backends.get(i);
    }

    public List<NamedBackend> all() {
        return backends;
    }

    /** {@code B0 -> 127.0.0.1:port of b0}, … for {@code ${B0}} in a config. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            env.put("B" + i, backends.get(i).address());
        }
        return env;
    }

    /** Requests (other than health checks) each backend served, by name. */
    public Map<String, Integer> served() {
        Map<String, Integer> out = new HashMap<>();
        backends.forEach(b -> out.put(b.name(), b.requests()));
        return out;
    }

    @Override
    public void close() {
        backends.forEach(NamedBackend::close);
    }
}
