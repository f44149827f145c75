package dev.sessionlog.log;

/**
 * A fork made, or found made by the same request before.
 *
 * @param created false when an identical earlier request had made it (the answer is then 200)
 */
public record ForkResult(String sessionId, String sourceSessionId, long atSeq, boolean created) {
}
