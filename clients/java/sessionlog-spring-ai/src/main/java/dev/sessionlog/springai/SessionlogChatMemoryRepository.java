package dev.sessionlog.springai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.ConversationRegistry;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.conversation.MessageLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;

/**
 * sessionlog as Spring AI's {@link ChatMemoryRepository} (Spring AI 1.1, Spring Boot 3): a
 * conversation's messages are {@code spring-ai.Message} events, one per message, in the session
 * named by the conversation id (mapped reversibly when it is not a valid session id). {@code saveAll}
 * replaces the list but appends only what changed (new messages, and a window marker for those the
 * window dropped, in one request); {@code findByConversationId} reads newest first back to the last
 * marker. {@code findConversationIds} lists this repository's conversations only, from a registry
 * session per namespace; {@code deleteByConversationId} erases the session and the id can be used
 * again at once (a new generation).
 */
public final class SessionlogChatMemoryRepository implements ChatMemoryRepository {
  public static final String ADAPTER = "spring-ai";
  public static final String MESSAGE_TYPE = "spring-ai.Message";
  public static final String DEFAULT_NAMESPACE = "default";

  private final Generations generations;
  private final MessageLog log;

  public SessionlogChatMemoryRepository(SessionlogClient client) {
    this(client, DEFAULT_NAMESPACE);
  }

  /** @param namespace whose conversations {@link #findConversationIds()} lists (one registry per namespace) */
  public SessionlogChatMemoryRepository(SessionlogClient client, String namespace) {
    Objects.requireNonNull(client, "client must not be null");
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException("namespace must be a non-empty string");
    }
    this.generations = new Generations(client, ADAPTER);
    ConversationRegistry registry = new ConversationRegistry(client, ConversationRegistry.sessionIdFor(ADAPTER, namespace));
    this.log = new MessageLog(generations, MESSAGE_TYPE, registry, Map.of("namespace", namespace));
  }

  @Override
  public List<String> findConversationIds() {
    return log.conversationIds();
  }

  @Override
  public List<Message> findByConversationId(String conversationId) {
    List<Message> messages = new ArrayList<>();
    for (JsonNode json : log.read(checked(conversationId))) {
      messages.add(MessageCodec.fromJson(json));
    }
    return messages;
  }

  @Override
  public void saveAll(String conversationId, List<Message> messages) {
    if (messages == null) {
      throw new IllegalArgumentException("messages must not be null");
    }
    List<JsonNode> json = new ArrayList<>(messages.size());
    for (Message message : messages) {
      json.add(MessageCodec.toJson(Objects.requireNonNull(message, "messages must not hold null")));
    }
    log.replace(checked(conversationId), json);
  }

  @Override
  public void deleteByConversationId(String conversationId) {
    log.clear(checked(conversationId));
  }

  /** The session that holds the conversation now (its current generation). */
  public String sessionId(String conversationId) {
    return generations.sessionId(checked(conversationId));
  }

  private static String checked(String conversationId) {
    if (conversationId == null || conversationId.isEmpty()) {
      throw new IllegalArgumentException("conversationId must be a non-empty string");
    }
    return conversationId;
  }
}
