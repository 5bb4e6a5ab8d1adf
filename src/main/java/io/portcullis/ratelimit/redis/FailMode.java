package io.portcullis.ratelimit.redis;

/**
 * What a shared limit answers when Redis is up but this decision got no answer within the limit's timeout (Redis
 * slow, a reply lost to a dropped connection). While Redis is known to be unavailable no decision waits for it: every
 * shared limit falls back to its local share instead ({@link io.portcullis.ratelimit.Decision.Basis#FALLBACK_LOCAL}).
 */
public enum FailMode {
    /** Let the request through: availability over protection (most API quotas). */
    OPEN,
    /** Refuse the request: protection over availability (login attempts, costly endpoints). */
    CLOSED
}
