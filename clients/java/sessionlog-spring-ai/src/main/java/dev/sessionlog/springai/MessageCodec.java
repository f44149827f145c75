package dev.sessionlog.springai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;

/**
 * Spring AI messages as JSON (Spring AI has no serializer of its own): the type, the text, the
 * metadata (its {@code messageType} entry is the type again and is left out), an assistant's tool
 * calls, a tool message's responses, and media given by URL or bytes.
 */
final class MessageCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MessageCodec() {}

  static JsonNode toJson(Message message) {
    ObjectNode json = JSON.createObjectNode();
    json.put("message_type", message.getMessageType().name());
    if (message.getText() != null) {
      json.put("text", message.getText());
    }
    Map<String, Object> metadata = new LinkedHashMap<>(message.getMetadata());
    metadata.remove(AbstractMessage.MESSAGE_TYPE);
    if (!metadata.isEmpty()) {
      json.set("metadata", JSON.valueToTree(metadata));
    }
    if (message instanceof AssistantMessage assistant) {
      if (assistant.hasToolCalls()) {
        ArrayNode calls = json.putArray("tool_calls");
        for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
          calls.addObject().put("id", call.id()).put("type", call.type()).put("name", call.name()).put("arguments", call.arguments());
        }
      }
      media(json, assistant.getMedia());
    } else if (message instanceof UserMessage user) {
      media(json, user.getMedia());
    } else if (message instanceof ToolResponseMessage tool) {
      ArrayNode responses = json.putArray("responses");
      for (ToolResponseMessage.ToolResponse response : tool.getResponses()) {
        responses.addObject().put("id", response.id()).put("name", response.name()).put("response_data", response.responseData());
      }
    }
    return json;
  }

  private static void media(ObjectNode json, List<Media> media) {
    if (media == null || media.isEmpty()) {
      return;
    }
    ArrayNode array = json.putArray("media");
    for (Media item : media) {
      ObjectNode node = array.addObject().put("mime_type", item.getMimeType().toString());
      if (item.getId() != null) {
        node.put("id", item.getId());
      }
      node.put("name", item.getName());
      Object data = item.getData();
      if (data instanceof String || data instanceof URI) {
        node.put("url", data.toString());
      } else {
        node.put("data_base64", Base64.getEncoder().encodeToString(item.getDataAsByteArray()));
      }
    }
  }

  static Message fromJson(JsonNode json) {
    String text = json.path("text").isTextual() ? json.get("text").asText() : null;
    Map<String, Object> metadata = json.has("metadata")
        ? JSON.convertValue(json.get("metadata"), JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class))
        : new LinkedHashMap<>();
    MessageType type = MessageType.valueOf(json.path("message_type").asText());
    return switch (type) {
      case USER -> UserMessage.builder().text(text == null ? "" : text).metadata(metadata).media(media(json)).build();
      case SYSTEM -> SystemMessage.builder().text(text == null ? "" : text).metadata(metadata).build();
      case ASSISTANT -> {
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        json.path("tool_calls").forEach(call -> calls.add(new AssistantMessage.ToolCall(
            call.path("id").asText(), call.path("type").asText(), call.path("name").asText(), call.path("arguments").asText())));
        yield AssistantMessage.builder().content(text).properties(metadata).toolCalls(calls).media(media(json)).build();
      }
      case TOOL -> {
        List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
        json.path("responses").forEach(r -> responses.add(new ToolResponseMessage.ToolResponse(
            r.path("id").asText(), r.path("name").asText(), r.path("response_data").asText())));
        yield ToolResponseMessage.builder().responses(responses).metadata(metadata).build();
      }
    };
  }

  private static List<Media> media(JsonNode json) {
    List<Media> media = new ArrayList<>();
    for (JsonNode node : json.path("media")) {
      Media.Builder builder = Media.builder().mimeType(MimeType.valueOf(node.path("mime_type").asText()));
      if (node.has("url")) {
        builder.data(URI.create(node.get("url").asText()));
      } else {
        builder.data(Base64.getDecoder().decode(node.path("data_base64").asText()));
      }
      if (node.hasNonNull("id")) {
        builder.id(node.get("id").asText());
      }
      if (node.hasNonNull("name")) {
        builder.name(node.get("name").asText());
      }
      media.add(builder.build());
    }
    return media;
  }
}
