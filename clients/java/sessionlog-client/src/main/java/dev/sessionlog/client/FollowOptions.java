package dev.sessionlog.client;

import java.time.Duration;
import java.util.List;

/**
 * How a follower reads: the server-side wait per request (1 to 20 s), an optional type filter, the
 * page size, and how long it keeps retrying while the service does not answer.
 */
public record FollowOptions(int waitSeconds, List<String> types, int pageSize, Duration giveUpAfter) {
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

  /** 20 s waits, every type, pages of 100, and 5 minutes of retrying an absent service. */
  public static FollowOptions defaults() {
    return new FollowOptions(20, List.of(), 100, Duration.ofMinutes(5));
  }

  public FollowOptions withWaitSeconds(int seconds) {
    return new FollowOptions(seconds, types, pageSize, giveUpAfter);
  }

  public FollowOptions withTypes(String... names) {
    return new FollowOptions(waitSeconds, List.of(names), pageSize, giveUpAfter);
  }

  public FollowOptions withGiveUpAfter(Duration duration) {
    return new FollowOptions(waitSeconds, types, pageSize, duration);
  }
}
