package dev.sessionlog.springai;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sessionlog.base-url}, {@code sessionlog.tenant} (the local runner's X-Tenant-Id) and {@code sessionlog.namespace}. */
@ConfigurationProperties(prefix = "sessionlog")
public class SessionlogProperties {
  /** The API's address, e.g. http://localhost:8080 or the stack's ApiUrl. */
  private String baseUrl;
  /** The tenant sent as X-Tenant-Id (the local runner); on AWS define a SessionlogClient bean with a bearer token. */
  private String tenant;
  /** Whose conversations findConversationIds lists. */
  private String namespace = SessionlogChatMemoryRepository.DEFAULT_NAMESPACE;

  public String getBaseUrl() {
    return baseUrl;
  }

  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public String getTenant() {
    return tenant;
  }

  public void setTenant(String tenant) {
    this.tenant = tenant;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }
}
