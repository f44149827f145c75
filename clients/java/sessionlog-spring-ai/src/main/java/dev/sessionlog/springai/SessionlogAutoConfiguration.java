package dev.sessionlog.springai;

import dev.sessionlog.client.SessionlogClient;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * With {@code sessionlog.base-url} set, a {@link SessionlogClient} and sessionlog as the
 * {@link ChatMemoryRepository}; it runs before Spring AI's chat memory auto-configuration, whose
 * in-memory repository then stands back. Either bean can be replaced by one of the application's.
 */
@AutoConfiguration(beforeName = "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration")
@ConditionalOnClass({SessionlogClient.class, ChatMemoryRepository.class})
@ConditionalOnProperty(prefix = "sessionlog", name = "base-url")
@EnableConfigurationProperties(SessionlogProperties.class)
public class SessionlogAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SessionlogClient sessionlogClient(SessionlogProperties properties) {
    SessionlogClient.Builder builder = SessionlogClient.builder().baseUrl(properties.getBaseUrl());
    if (properties.getTenant() != null && !properties.getTenant().isEmpty()) {
      builder.tenant(properties.getTenant());
    }
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean(ChatMemoryRepository.class)
  public SessionlogChatMemoryRepository sessionlogChatMemoryRepository(SessionlogClient client, SessionlogProperties properties) {
    return new SessionlogChatMemoryRepository(client, properties.getNamespace());
  }
}
