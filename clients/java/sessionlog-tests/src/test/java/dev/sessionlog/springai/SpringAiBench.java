package dev.sessionlog.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.bench.TurnCosts;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.testing.Meter;
import dev.sessionlog.testing.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;

/**
 * The benchmark (run with -Pbench, not by verify): what a turn of a ChatClient with
 * MessageChatMemoryAdvisor over MessageWindowChatMemory(10) costs on SessionlogChatMemoryRepository,
 * at turn 1 and turn 30.
 */
@ExtendWith(Service.class)
class SpringAiBench {
  @Test
  void bytesAppendedAndEventsReadPerTurn() {
    Meter meter = new Meter();
    TurnCosts costs = new TurnCosts("Spring AI: ChatClient + MessageChatMemoryAdvisor + MessageWindowChatMemory(10)",
        "ChatMemoryRepository.findByConversationId", meter);
    String conversationId = "bench-spring";
    String tenant = Service.freshTenant("bench-spring");
    try (SessionlogClient client = Service.client(tenant, meter); SessionlogClient reader = Service.client(tenant)) {
      SessionlogChatMemoryRepository repository = new SessionlogChatMemoryRepository(client);
      ChatMemoryRepository measured = new ChatMemoryRepository() {
        @Override
        public List<String> findConversationIds() {
          return repository.findConversationIds();
        }

        @Override
        public List<Message> findByConversationId(String id) {
          return costs.read(() -> repository.findByConversationId(id));
        }

        @Override
        public void saveAll(String id, List<Message> messages) {
          repository.saveAll(id, messages);
        }

        @Override
        public void deleteByConversationId(String id) {
          repository.deleteByConversationId(id);
        }
      };
      ChatClient chat = SpringAiChatMemoryTest.chatClient(measured, new ScriptedSpringModel());
      for (int turn = 1; turn <= 30; turn++) {
        costs.startTurn();
        String question = "turn " + turn + ": remember " + (turn * 7);
        assertTrue(SpringAiChatMemoryTest.ask(chat, conversationId, question).startsWith(question));
        Meter cold = new Meter();
        try (SessionlogClient coldClient = Service.client(tenant, cold)) {
          assertEquals(Math.min(turn * 2, SpringAiChatMemoryTest.WINDOW),
              new SessionlogChatMemoryRepository(coldClient).findByConversationId(conversationId).size());
        }
        costs.endTurn(turn, cold.now().eventsRead(),
            reader.readAll(repository.sessionId(conversationId), ReadOptions.fromStart().limit(1000)).count());
      }
    }
    costs.report(1, 2, 29, 30);
    TurnCosts.Turn last = costs.turn(30);
    assertTrue(last.coldRead() < last.sessionEvents() / 4, "a fresh repository's read at turn 30 does not read the whole session: " + last);
    assertTrue(last.eventsPerRead().stream().allMatch(read -> read == 1), "an unchanged session costs its head: " + last);
    assertEquals(costs.turn(2).appendRequests(), last.appendRequests(), "as many appends at turn 30 as at turn 2");
  }
}
