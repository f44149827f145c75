package dev.sessionlog.adk;

import com.google.adk.models.BaseLlm;
import com.google.adk.models.BaseLlmConnection;
import com.google.adk.models.LlmRequest;
import com.google.adk.models.LlmResponse;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import io.reactivex.rxjava3.core.Flowable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted model for ADK's loop: "turn N: remember K = V" calls the remember tool, "turn N:
 * forget K" the forget tool; after the tool's answer it says "turn N: " and the tool's result. It
 * keeps what it was asked, in a form without ADK's generated call ids, for comparisons.
 */
final class ScriptedLlm extends BaseLlm {
  private static final Pattern REMEMBER = Pattern.compile("turn (\\d+): remember (\\S+) = (\\S+)");
  private static final Pattern FORGET = Pattern.compile("turn (\\d+): forget (\\S+)");

  final List<List<String>> requests = Collections.synchronizedList(new ArrayList<>());

  ScriptedLlm() {
    super("scripted-llm");
  }

  @Override
  public Flowable<LlmResponse> generateContent(LlmRequest request, boolean stream) {
    List<String> seen = new ArrayList<>();
    for (Content content : request.contents()) {
      for (Part part : content.parts().orElse(List.of())) {
        seen.add(content.role().orElse("?") + ": " + describe(part));
      }
    }
    requests.add(seen);
    Content last = request.contents().get(request.contents().size() - 1);
    Part part = last.parts().orElseThrow().get(0);
    if (part.functionResponse().isPresent()) {
      String turn = lastUserText(request).replaceAll("^(turn \\d+).*", "$1");
      Object result = part.functionResponse().get().response().orElse(Map.of()).get("result");
      return reply(Part.fromText(turn + ": " + result));
    }
    String text = part.text().orElse("");
    Matcher remember = REMEMBER.matcher(text);
    if (remember.find()) {
      return reply(Part.fromFunctionCall("remember", Map.of("key", remember.group(2), "value", remember.group(3))));
    }
    Matcher forget = FORGET.matcher(text);
    if (forget.find()) {
      return reply(Part.fromFunctionCall("forget", Map.of("key", forget.group(2))));
    }
    return reply(Part.fromText("nothing to do"));
  }

  private static String describe(Part part) {
    if (part.text().isPresent()) {
      return part.text().get();
    }
    if (part.functionCall().isPresent()) {
      return "call " + part.functionCall().get().name().orElse("") + " " + part.functionCall().get().args().orElse(Map.of());
    }
    if (part.functionResponse().isPresent()) {
      return "result " + part.functionResponse().get().name().orElse("") + " " + part.functionResponse().get().response().orElse(Map.of());
    }
    return "other part";
  }

  private static String lastUserText(LlmRequest request) {
    for (int i = request.contents().size() - 1; i >= 0; i--) {
      for (Part part : request.contents().get(i).parts().orElse(List.of())) {
        if (part.text().isPresent() && part.text().get().startsWith("turn ")) {
          return part.text().get();
        }
      }
    }
    return "turn ?";
  }

  private static Flowable<LlmResponse> reply(Part part) {
    return Flowable.just(LlmResponse.builder().content(Content.builder().role("model").parts(List.of(part)).build()).build());
  }

  @Override
  public BaseLlmConnection connect(LlmRequest request) {
    throw new UnsupportedOperationException("no live connection in a scripted model");
  }
}
