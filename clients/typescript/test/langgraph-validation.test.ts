/**
 * The whole @langchain/langgraph-checkpoint-validation suite (718 tests), none skipped, through
 * its library entry point (its command-line tool is broken in 1.1.1). Each saver it creates gets
 * a tenant of its own, so it sees empty storage, as the suite requires.
 */
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { SessionlogSaver } from "../src/langgraph/index.js";
import { freshClient } from "./support/service.js";

validate({
  checkpointerName: "@sessionlog/client/langgraph",
  createCheckpointer: () => new SessionlogSaver({ client: freshClient() }),
});
