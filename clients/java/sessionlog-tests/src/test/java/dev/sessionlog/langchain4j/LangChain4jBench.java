package dev.sessionlog.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.sessionlog.bench.TurnCosts;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.testing.Meter;
import dev.sessionlog.testing.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark (run with -Pbench, not by verify): what a turn of an AiServices assistant with
 * MessageWindowChatMemory(10) and a tool costs on SessionlogChatMemoryStore, at turn 1 and turn 30.
 */
@ExtendWith(Service.class)
class LangChain4jBench {
  @Test
  void bytesAppendedAndEventsReadPerTurn() {
    Meter meter = new Meter();
    TurnCosts costs = new TurnCosts("LangChain4j: AiServices + MessageWindowChatMemory(10), a tool call every other turn",
        "ChatMemoryStore.getMessages", meter);
    String memoryId = "bench-lc4j";
    String tenant = Service.freshTenant("bench-lc4j");
    try (SessionlogClient client = Service.client(tenant, meter); SessionlogClient reader = Service.client(tenant)) {
      SessionlogChatMemoryStore store = new SessionlogChatMemoryStore(client);
      ChatMemoryStore measured = new ChatMemoryStore() {
        @Override
        public List<ChatMessage> getMessages(Object id) {
          return costs.read(() -> store.getMessages(id));
        }

        @Override
        public void updateMessages(Object id, List<ChatMessage> messages) {
          store.updateMessages(id, messages);
        }

        @Override
        public void deleteMessages(Object id) {
          store.deleteMessages(id);
        }
      };
      LangChain4jChatMemoryTest.Assistant assistant = LangChain4jChatMemoryTest.assistant(measured, new ScriptedChatModel());
      for (int turn = 1; turn <= 30; turn++) {
        costs.startTurn();
        assertTrue(assistant.chat(memoryId, ScriptedChatModel.userMessage(turn)).startsWith("turn " + turn + ":"));
        Meter cold = new Meter();
        try (SessionlogClient coldClient = Service.client(tenant, cold)) {
          int size = new SessionlogChatMemoryStore(coldClient).getMessages(memoryId).size();
          assertTrue(size >= Math.min(turn * 2, LangChain4jChatMemoryTest.WINDOW - 1) && size <= LangChain4jChatMemoryTest.WINDOW, "window " + size);
        }
        costs.endTurn(turn, cold.now().eventsRead(), reader.readAll(store.sessionId(memoryId), ReadOptions.fromStart().limit(1000)).count());
      }
    }
    costs.report(1, 2, 29, 30);
    TurnCosts.Turn last = costs.turn(30);
    assertTrue(last.coldRead() < last.sessionEvents() / 4, "a fresh store's read at turn 30 does not read the whole session: " + last);
    assertTrue(last.eventsPerRead().stream().allMatch(read -> read == 1), "an unchanged session costs its head: " + last);
    assertEquals(costs.turn(2).appendRequests(), last.appendRequests(), "as many appends at turn 30 as at turn 2");
  }
}
