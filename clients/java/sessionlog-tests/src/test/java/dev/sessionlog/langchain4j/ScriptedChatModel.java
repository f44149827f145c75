package dev.sessionlog.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model with a script instead of weights: "turn N: add A and B" gets a call of the add tool, then
 * the sum as text; anything else gets "turn N: noted". It keeps every request, so a test can compare
 * what the model saw with and without sessionlog.
 */
final class ScriptedChatModel implements ChatModel {
  private static final Pattern ADD = Pattern.compile("turn (\\d+): add (\\d+) and (\\d+)");
  private static final Pattern TURN = Pattern.compile("turn (\\d+)");

  final List<List<ChatMessage>> requests = new ArrayList<>();

  static String userMessage(int turn) {
    return turn % 2 == 1 ? "turn " + turn + ": add " + turn + " and " + (turn * 10) : "turn " + turn + ": thanks, keep that in mind";
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    requests.add(List.copyOf(messages));
    ChatMessage last = messages.get(messages.size() - 1);
    String userText = lastUserText(messages);
    Matcher turn = TURN.matcher(userText);
    String label = turn.find() ? "turn " + turn.group(1) : "turn ?";
    if (last instanceof ToolExecutionResultMessage result) {
      return answer(AiMessage.from(label + ": the sum is " + result.text()));
    }
    Matcher add = ADD.matcher(userText);
    if (last instanceof UserMessage && add.find()) {
      ToolExecutionRequest call = ToolExecutionRequest.builder()
          .id("call-" + add.group(1))
          .name("add")
          .arguments("{\"a\": " + add.group(2) + ", \"b\": " + add.group(3) + "}")
          .build();
      return answer(AiMessage.from(call));
    }
    return answer(AiMessage.from(label + ": noted (" + messages.size() + " messages in view)"));
  }

  private static ChatResponse answer(AiMessage message) {
    return ChatResponse.builder().aiMessage(message).build();
  }

  private static String lastUserText(List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof UserMessage user) {
        return user.singleText();
      }
    }
    return "";
  }
}
