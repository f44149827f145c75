import { inject } from "vitest";
import { SessionlogClient } from "../../src/index.js";
import { uuidv7 } from "../../src/ids.js";

/** The running service's base URL (from globalSetup). */
export function serviceUrl(): string {
  return inject("sessionlogUrl");
}

/** A client on a tenant of its own: every test sees empty storage. */
export function freshClient(baseUrl = serviceUrl()): SessionlogClient {
  return new SessionlogClient({ baseUrl, tenant: freshTenant() });
}

export function freshTenant(): string {
  return `t-${uuidv7()}`;
}
