package io.portcullis.ratelimit.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so each call sends a few dozen bytes instead of the source. A
 * Redis that does not know the script yet (first use, a restart, a failover, {@code SCRIPT FLUSH}) answers
 * {@code NOSCRIPT}; the call is then repeated once with {@code EVAL}, which also caches the script for the next one.
 */
final class LuaScript {
    private final String source;
    private final String sha;
    private final ScriptOutputType output;

    LuaScript(String source, ScriptOutputType output) {
        this.source = source;
        this.sha = sha1(source);
        this.output = output;
    }

    /** Runs the script on one key; the stage fails as the command does (the caller maps failures to fail modes). */
    <T> CompletionStage<T> run(RedisAsyncCommands<String, String> commands, String key, String... args) {
        String[] keys = {key};
        CompletionStage<T> first = commands.evalsha(sha, output, keys, args);
        return first.exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                ? commands.eval(source, output, keys, args)
                : CompletableFuture.failedStage(e));
    }

    String sha() {
        return sha;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
