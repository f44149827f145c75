package dev.sessionlog.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.memory.ChatMemoryAccess;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.conversation.MessageLog;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.testing.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LangChain4j's own loop (an AiServices assistant with MessageWindowChatMemory and a tool) runs on
 * sessionlog. The reference is the same assistant on LangChain4j's InMemoryChatMemoryStore: the model
 * must see exactly the same requests, before and after a restart.
 */
@ExtendWith(Service.class)
class LangChain4jChatMemoryTest {
  static final int WINDOW = 10;

  interface Assistant extends ChatMemoryAccess {
    @dev.langchain4j.service.SystemMessage("You add numbers with the add tool.")
    String chat(@MemoryId String memoryId, @UserMessage String message);
  }

  static final class Calculator {
    @Tool("Adds two integers")
    public int add(int a, int b) {
      return a + b;
    }
  }

  static Assistant assistant(ChatMemoryStore store, ScriptedChatModel model) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .tools(new Calculator())
        .chatMemoryProvider(id -> MessageWindowChatMemory.builder().id(id).maxMessages(WINDOW).chatMemoryStore(store).build())
        .build();
  }

  @Test
  void thirtyTurnsWithToolsThenAFreshAssistantContinuesWhereItWas() {
    String memoryId = "ada@example.com / chat #1"; // not a session id: mapped reversibly
    String tenant = Service.freshTenant("lc4j");
    try (SessionlogClient client = Service.client(tenant)) {
      SessionlogChatMemoryStore store = new SessionlogChatMemoryStore(client);
      ScriptedChatModel model = new ScriptedChatModel();
      ScriptedChatModel referenceModel = new ScriptedChatModel();
      Assistant assistant = assistant(store, model);
      InMemoryChatMemoryStore referenceStore = new InMemoryChatMemoryStore();
      Assistant reference = assistant(referenceStore, referenceModel);

      java.util.Map<Integer, String> answers = new java.util.HashMap<>();
      for (int turn = 1; turn <= 30; turn++) {
        String answer = assistant.chat(memoryId, ScriptedChatModel.userMessage(turn));
        assertEquals(reference.chat(memoryId, ScriptedChatModel.userMessage(turn)), answer);
        answers.put(turn, answer);
      }
      assertEquals(referenceModel.requests, model.requests, "the model saw the same requests as with the in-memory store");
      assertEquals("turn 29: the sum is 319", answers.get(29), "the tool ran: 29 + 290");

      // the session reads with any HTTP client: a start event naming the memory, one event per message, window markers
      String sessionId = store.sessionId(memoryId);
      assertTrue(sessionId.startsWith("_sl.x."), sessionId);
      List<EventRecord> events = client.readAll(sessionId, ReadOptions.fromStart().limit(1000)).toList();
      assertEquals(Generations.START_TYPE, events.get(0).type());
      assertEquals(memoryId, events.get(0).event().get("conversation_id").asText());
      long messages = events.stream().filter(e -> e.type().equals(SessionlogChatMemoryStore.MESSAGE_TYPE)).count();
      assertEquals(1 + 30 + 30 + 15 + 15, messages, "system, 30 user, 30 answers, 15 tool calls and 15 results: each stored once");
      assertTrue(events.stream().anyMatch(e -> e.type().equals(MessageLog.WINDOW_TYPE)), "the window's drops are markers");
      assertTrue(client.verify(sessionId).ok());

      // a restart: a new client, store, model and assistant; the conversation goes on where it was
      try (SessionlogClient restarted = Service.client(tenant)) {
        ScriptedChatModel afterRestart = new ScriptedChatModel();
        SessionlogChatMemoryStore freshStore = new SessionlogChatMemoryStore(restarted);
        List<ChatMessage> window = freshStore.getMessages(memoryId);
        assertEquals(referenceStore.getMessages(memoryId), window, "a fresh store reads the same window as the in-memory one holds");
        assertTrue(window.get(0) instanceof SystemMessage && window.size() >= WINDOW - 1 && window.size() <= WINDOW, "a full window: " + window.size());
        Assistant fresh = assistant(freshStore, afterRestart);
        String answer = fresh.chat(memoryId, ScriptedChatModel.userMessage(31));
        assertEquals(reference.chat(memoryId, ScriptedChatModel.userMessage(31)), answer);
        List<List<ChatMessage>> referenceTurn31 = referenceModel.requests.subList(referenceModel.requests.size() - 2, referenceModel.requests.size());
        assertEquals(referenceTurn31, afterRestart.requests);
        assertTrue(afterRestart.requests.get(0).get(0) instanceof SystemMessage);
      }
    }
  }

  @Test
  void clearErasesTheSessionAndTheSameIdGoesOnInANewGeneration() {
    String memoryId = "support-42";
    String tenant = Service.freshTenant("lc4j-clear");
    try (SessionlogClient client = Service.client(tenant)) {
      SessionlogChatMemoryStore store = new SessionlogChatMemoryStore(client);
      ScriptedChatModel model = new ScriptedChatModel();
      Assistant assistant = assistant(store, model);
      assistant.chat(memoryId, ScriptedChatModel.userMessage(1));
      assertEquals("support-42", store.sessionId(memoryId), "a valid id is the session id itself");

      assistant.getChatMemory(memoryId).clear();
      assertThrows(SessionNotFoundException.class, () -> client.read("support-42", ReadOptions.fromStart()),
          "the DELETE: the old session answers 404 at once");

      assistant.chat(memoryId, ScriptedChatModel.userMessage(2));
      List<ChatMessage> seen = model.requests.get(model.requests.size() - 1);
      assertEquals(2, seen.size(), "after clear() the model sees only the system message and the new question: " + seen);
      assertEquals("_sl.g2.support-42", store.sessionId(memoryId));

      SessionlogChatMemoryStore fresh = new SessionlogChatMemoryStore(Service.client(tenant));
      assertEquals(3, fresh.getMessages(memoryId).size(), "a fresh store finds generation 2: system, question, answer");
      assertEquals("_sl.g2.support-42", fresh.sessionId(memoryId));
      assertThrows(IllegalArgumentException.class, () -> fresh.getMessages(null));
    }
  }

  @Test
  void aStoreSeesWhatAnotherStoreWroteOrClearedSinceItsLastRead() {
    String memoryId = "shared-7";
    String tenant = Service.freshTenant("lc4j-two");
    try (SessionlogClient first = Service.client(tenant); SessionlogClient second = Service.client(tenant)) {
      SessionlogChatMemoryStore a = new SessionlogChatMemoryStore(first);
      SessionlogChatMemoryStore b = new SessionlogChatMemoryStore(second);
      List<ChatMessage> one = List.of(SystemMessage.from("sys"), dev.langchain4j.data.message.UserMessage.from("one"));
      a.updateMessages(memoryId, one);
      assertEquals(one, a.getMessages(memoryId), "unchanged since its own write: answered from its window");

      List<ChatMessage> two = List.of(SystemMessage.from("sys"), dev.langchain4j.data.message.UserMessage.from("one"),
          dev.langchain4j.data.message.AiMessage.from("two"));
      b.updateMessages(memoryId, two);
      assertEquals(two, a.getMessages(memoryId), "the head moved: read again");

      b.deleteMessages(memoryId);
      assertEquals(List.of(), a.getMessages(memoryId), "cleared by the other store: the new generation is empty");
      a.updateMessages(memoryId, one);
      assertEquals(one, b.getMessages(memoryId));
      assertEquals("_sl.g2.shared-7", a.sessionId(memoryId));
    }
  }
}
