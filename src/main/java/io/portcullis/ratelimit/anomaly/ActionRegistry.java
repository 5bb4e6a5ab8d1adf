package io.portcullis.ratelimit.anomaly;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The actions in force, and the one index of them the request path reads.
 *
 * <p>Changes (raise, lift, expire) are rare and come from the tick and admin threads, so they take this object's
 * lock and keep plain maps. What the event loops read is published separately: per key kind, a concurrent map from
 * the key's value to the strongest enforced {@link Action} on it, plus a volatile count of those keys, so that
 * {@link #lookup} is one volatile read while nothing is enforced, and up to three map lookups by the request's own
 * strings (no key object) otherwise.
 *
 * <p>A lifted action stays here, marked lifted and out of the index and the listing, until it would have expired:
 * its presence is what keeps its rule from raising the same key again meanwhile.
 */
final class ActionRegistry {
    private final int maxActions;
    private final ConcurrentHashMap<String, Action> byClientIp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Action> byConsumer = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Action> byRoute = new ConcurrentHashMap<>();
    private volatile int enforcedKeys;

    // Guarded by this.
    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private final Map<AnomalyKey, List<Entry>> byKey = new HashMap<>();
    private long sequence;

    private static final class Entry {
        final AnomalyAction action;
        final Action enforcement; // null for SHADOW
        final long expiresAtNanos;
        boolean lifted;

        Entry(AnomalyAction action, Action enforcement, long expiresAtNanos) {
            this.action = action;
            this.enforcement = enforcement;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    /** Builds an action from a finding's figures; the registry supplies the id. */
    interface Factory {
        AnomalyAction create(String id);
    }

    ActionRegistry(int maxActions) {
        this.maxActions = maxActions;
    }

    /**
     * The strongest unexpired action on any of the keys, or {@link Action#NONE}. Request path: no lock, no garbage,
     * and the clock is read only when some key has an action.
     */
    Action lookup(String clientIp, String consumer, String route, LongSupplier nanoClock) {
        if (enforcedKeys == 0) {
            return Action.NONE;
        }
        Action ip = clientIp == null ? null : byClientIp.get(clientIp);
        Action forConsumer = consumer == null ? null : byConsumer.get(consumer);
        Action forRoute = route == null ? null : byRoute.get(route);
        if (ip == null && forConsumer == null && forRoute == null) {
            return Action.NONE;
        }
        long now = nanoClock.getAsLong();
        return live(forRoute, live(forConsumer, live(ip, Action.NONE, now), now), now);
    }

    synchronized boolean covers(Rule rule, AnomalyKey key) {
        List<Entry> entries = byKey.get(key);
        if (entries != null) {
            for (Entry e : entries) {
                if (e.action.rule() == rule) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds an action, or returns null when {@code maxActions} are already held. */
    synchronized AnomalyAction raise(Rule rule, AnomalyKey key, long expiresAtNanos, Factory factory) {
        if (byId.size() >= maxActions) {
            return null;
        }
        AnomalyAction action = factory.create(rule.slug() + "-" + ++sequence);
        Entry entry = new Entry(action, Action.enforcing(action, expiresAtNanos), expiresAtNanos);
        byId.put(action.id(), entry);
        byKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(entry);
        if (entry.enforcement != null) {
            republish(key);
        }
        return action;
    }

    synchronized Optional<AnomalyAction> lift(String id) {
        Entry entry = byId.get(id);
        if (entry == null || entry.lifted) {
            return Optional.empty();
        }
        entry.lifted = true;
        if (entry.enforcement != null) {
            republish(entry.action.key());
        }
        return Optional.of(entry.action);
    }

    /** Drops every action whose time is up; returns those that were still active (not lifted), for the listener. */
    synchronized List<AnomalyAction> expire(long nowNanos) {
        List<AnomalyAction> expired = List.of();
        for (Iterator<Entry> it = byId.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.expiresAtNanos - nowNanos > 0) {
                continue;
            }
            it.remove();
            AnomalyKey key = entry.action.key();
            List<Entry> entries = byKey.get(key);
            entries.remove(entry);
            if (entries.isEmpty()) {
                byKey.remove(key);
            }
            if (entry.enforcement != null && !entry.lifted) {
                republish(key);
            }
            if (!entry.lifted) {
                if (expired.isEmpty()) {
                    expired = new ArrayList<>();
                }
                expired.add(entry.action);
            }
        }
        return expired;
    }

    synchronized List<AnomalyAction> active() {
        List<AnomalyAction> active = new ArrayList<>(byId.size());
        for (Entry entry : byId.values()) {
            if (!entry.lifted) {
                active.add(entry.action);
            }
        }
        return List.copyOf(active);
    }

    /** Recomputes the strongest enforced action on {@code key} and publishes it (or its absence). */
    private void republish(AnomalyKey key) {
        Action best = null;
        List<Entry> entries = byKey.get(key);
        if (entries != null) {
            for (Entry e : entries) {
                if (e.enforcement != null && !e.lifted && (best == null || e.enforcement.strongerThan(best))) {
                    best = e.enforcement;
                }
            }
        }
        ConcurrentHashMap<String, Action> index = switch (key.kind()) {
            case CLIENT_IP -> byClientIp;
            case CONSUMER -> byConsumer;
            case ROUTE -> byRoute;
        };
        if (best == null) {
            index.remove(key.value());
        } else {
            index.put(key.value(), best);
        }
        enforcedKeys = byClientIp.size() + byConsumer.size() + byRoute.size();
    }

    private static Action live(Action candidate, Action best, long nowNanos) {
        if (candidate == null || candidate.expiresAtNanos() - nowNanos <= 0) {
            return best; // expired but not yet swept by the tick
        }
        return candidate.strongerThan(best) ? candidate : best;
    }
}
