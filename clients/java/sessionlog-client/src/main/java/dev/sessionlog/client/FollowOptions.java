package dev.sessionlog.client;

import java.time.Duration;
import java.util.List;

/**
 * How a follower reads: the server-side wait per request (1 to 20 s) when it follows with held reads,
 * an optional type filter, the page size, how long it keeps retrying while the service does not
 * answer, and whether it takes pushed events (the follow API's WebSocket) where the service offers
 * them.
 */
public record FollowOptions(int waitSeconds, List<String> types, int pageSize, Duration giveUpAfter, boolean push) {
  public FollowOptions {
    if (waitSeconds < 1 || waitSeconds > 20) {
      throw new IllegalArgumentException("waitSeconds must be from 1 to 20, was " + waitSeconds);
    }
    types = types == null ? List.of() : List.copyOf(types);
    ReadOptions.fromStart().types(types); // same checks as a read's
    if (pageSize < 1 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be from 1 to 1000, was " + pageSize);
    }
    if (giveUpAfter == null || giveUpAfter.isNegative()) {
      throw new IllegalArgumentException("giveUpAfter must be zero or positive");
    }
  }

  /** Pushed where the service offers it (else 20 s waits), every type, pages of 100, and 5 minutes of retrying an absent service. */
  public static FollowOptions defaults() {
    return new FollowOptions(20, List.of(), 100, Duration.ofMinutes(5), true);
  }

  /** {@code false}: held reads only ({@code wait=}), never the follow API's WebSocket. */
  public FollowOptions withPush(boolean push) {
    return new FollowOptions(waitSeconds, types, pageSize, giveUpAfter, push);
  }

  public FollowOptions withWaitSeconds(int seconds) {
    return new FollowOptions(seconds, types, pageSize, giveUpAfter, push);
  }

  public FollowOptions withTypes(String... names) {
    return new FollowOptions(waitSeconds, List.of(names), pageSize, giveUpAfter, push);
  }

  public FollowOptions withGiveUpAfter(Duration duration) {
    return new FollowOptions(waitSeconds, types, pageSize, duration, push);
  }
}
