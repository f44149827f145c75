package dev.sessionlog.springai;

import java.util.ArrayList;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/** A scripted Spring AI model: answers "<the question>: noted (n messages in view)" and keeps every prompt. */
final class ScriptedSpringModel implements ChatModel {
  final List<List<Message>> prompts = new ArrayList<>();

  @Override
  public ChatResponse call(Prompt prompt) {
    List<Message> messages = prompt.getInstructions();
    prompts.add(List.copyOf(messages));
    String question = "";
    for (Message message : messages) {
      if (message instanceof UserMessage user) {
        question = user.getText();
      }
    }
    return new ChatResponse(List.of(new Generation(new AssistantMessage(question + ": noted (" + messages.size() + " messages in view)"))));
  }
}
