package dev.sessionlog.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.conversation.MessageLog;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.testing.Service;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring AI's own loop (a ChatClient with MessageChatMemoryAdvisor over MessageWindowChatMemory) on
 * the repository the Boot auto-configuration made from {@code sessionlog.base-url} and
 * {@code sessionlog.tenant}, compared with Spring AI's in-memory repository, before and after a
 * restart (a new application context).
 */
@ExtendWith(Service.class)
class SpringAiChatMemoryTest {
  static final int WINDOW = 10;

  static ChatClient chatClient(ChatMemoryRepository repository, ScriptedSpringModel model) {
    ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(WINDOW).build();
    return ChatClient.builder(model)
        .defaultSystem("You keep notes for the user.")
        .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
        .build();
  }

  static String ask(ChatClient client, String conversationId, String question) {
    return client.prompt().user(question).advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversationId)).call().content();
  }

  private static ApplicationContextRunner application(String tenant) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionlogAutoConfiguration.class))
        .withPropertyValues("sessionlog.base-url=" + Service.baseUrl(), "sessionlog.tenant=" + tenant);
  }

  @Test
  void thirtyTurnsThroughTheAdvisorThenANewApplicationContinues() {
    String tenant = Service.freshTenant("spring");
    String conversationId = "ticket 7 (Ada)";
    ScriptedSpringModel referenceModel = new ScriptedSpringModel();
    ChatClient reference = chatClient(new InMemoryChatMemoryRepository(), referenceModel);
    AtomicReference<String> sessionId = new AtomicReference<>();

    application(tenant).run(context -> {
      ChatMemoryRepository repository = context.getBean(ChatMemoryRepository.class);
      assertInstanceOf(SessionlogChatMemoryRepository.class, repository);
      ScriptedSpringModel model = new ScriptedSpringModel();
      ChatClient chat = chatClient(repository, model);
      for (int turn = 1; turn <= 30; turn++) {
        String question = "turn " + turn + ": remember " + (turn * 7);
        assertEquals(ask(reference, conversationId, question), ask(chat, conversationId, question));
      }
      assertEquals(referenceModel.prompts, model.prompts, "the model saw the same prompts as with the in-memory repository");
      sessionId.set(((SessionlogChatMemoryRepository) repository).sessionId(conversationId));
    });

    application(tenant).run(context -> {
      ScriptedSpringModel model = new ScriptedSpringModel();
      ChatClient chat = chatClient(context.getBean(ChatMemoryRepository.class), model);
      String question = "turn 31: what did I ask you to remember?";
      assertEquals(ask(reference, conversationId, question), ask(chat, conversationId, question));
      List<Message> prompt = model.prompts.get(0);
      assertEquals(referenceModel.prompts.get(referenceModel.prompts.size() - 1), prompt);
      assertEquals(WINDOW + 2, prompt.size(), "the window from sessionlog, the system message and the question");

      SessionlogClient client = context.getBean(SessionlogClient.class);
      List<EventRecord> events = client.readAll(sessionId.get(), ReadOptions.fromStart().limit(1000)).toList();
      assertTrue(sessionId.get().startsWith("_sl.x."), sessionId.get());
      assertEquals(Generations.START_TYPE, events.get(0).type());
      assertEquals(conversationId, events.get(0).event().get("conversation_id").asText());
      assertEquals(62, events.stream().filter(e -> e.type().equals(SessionlogChatMemoryRepository.MESSAGE_TYPE)).count(),
          "31 questions and 31 answers, each stored once");
      assertTrue(events.stream().anyMatch(e -> e.type().equals(MessageLog.WINDOW_TYPE)));
    });
  }

  @Test
  void listsOnlyItsOwnConversationsAtOnceAndDeleteErases() {
    String tenant = Service.freshTenant("spring-list");
    application(tenant).run(context -> {
      SessionlogClient client = context.getBean(SessionlogClient.class);
      ChatMemoryRepository repository = context.getBean(ChatMemoryRepository.class);
      ChatClient chat = chatClient(repository, new ScriptedSpringModel());
      client.append("not-a-conversation", NewEvent.of(Map.of("type", "Other")));
      new SessionlogChatMemoryRepository(client, "another-app")
          .saveAll("theirs", List.of(new org.springframework.ai.chat.messages.UserMessage("hello")));

      ask(chat, "conv-a", "turn 1: hello");
      ask(chat, "conv b/ü", "turn 1: hello");
      assertEquals(List.of("conv-a", "conv b/ü"), repository.findConversationIds(), "its own, at once");

      repository.deleteByConversationId("conv-a");
      assertEquals(List.of("conv b/ü"), repository.findConversationIds());
      assertThrows(SessionNotFoundException.class, () -> client.read("conv-a", ReadOptions.fromStart()), "erased: 404 at once");

      ask(chat, "conv-a", "turn 2: hello again");
      assertEquals(List.of("conv b/ü", "conv-a"), repository.findConversationIds());
      SessionlogChatMemoryRepository fresh = new SessionlogChatMemoryRepository(client);
      assertEquals("_sl.g2.conv-a", fresh.sessionId("conv-a"));
      assertEquals(2, fresh.findByConversationId("conv-a").size(), "only what came after the delete");
      assertThrows(IllegalArgumentException.class, () -> fresh.findByConversationId(""));
    });
  }
}
