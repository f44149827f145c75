package dev.sessionlog.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.ConversationIds;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.conversation.MessageLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * sessionlog as LangChain4j's {@link ChatMemoryStore}: a memory's messages are events of the
 * session named by the memory id's {@code toString()} (mapped reversibly when it is not a valid
 * session id, see {@link ConversationIds}), one {@code langchain4j.ChatMessage} event per message in
 * LangChain4j's own JSON. {@code updateMessages} appends only what changed (new messages, and a
 * window marker when messages were dropped from the front, in the same request); {@code getMessages}
 * reads newest first back to the last marker; {@code deleteMessages} (ChatMemory.clear()) erases the
 * session and the memory goes on in a new one at once.
 */
public final class SessionlogChatMemoryStore implements ChatMemoryStore {
  public static final String ADAPTER = "langchain4j";
  public static final String MESSAGE_TYPE = "langchain4j.ChatMessage";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Generations generations;
  private final MessageLog log;

  public SessionlogChatMemoryStore(SessionlogClient client) {
    Objects.requireNonNull(client, "client must not be null");
    this.generations = new Generations(client, ADAPTER);
    this.log = new MessageLog(generations, MESSAGE_TYPE, null, Map.of());
  }

  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode json : log.read(conversationId(memoryId))) {
      messages.add(ChatMessageDeserializer.messageFromJson(json.toString()));
    }
    return messages;
  }

  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    if (messages == null) {
      throw new IllegalArgumentException("messages must not be null");
    }
    List<JsonNode> json = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      json.add(toJson(Objects.requireNonNull(message, "messages must not hold null")));
    }
    log.replace(conversationId(memoryId), json);
  }

  @Override
  public void deleteMessages(Object memoryId) {
    log.clear(conversationId(memoryId));
  }

  /** The session that holds the memory's messages now (its current generation), for curl, the timeline page and verify. */
  public String sessionId(Object memoryId) {
    return generations.sessionId(conversationId(memoryId));
  }

  private static String conversationId(Object memoryId) {
    if (memoryId == null) {
      throw new IllegalArgumentException("memoryId must not be null");
    }
    return memoryId.toString();
  }

  private static JsonNode toJson(ChatMessage message) {
    try {
      return JSON.readTree(ChatMessageSerializer.messageToJson(message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("LangChain4j's serializer wrote no JSON for " + message.type(), e);
    }
  }
}
