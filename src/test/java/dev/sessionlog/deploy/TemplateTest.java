package dev.sessionlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.api.TenantLimits;
import dev.sessionlog.follow.FollowItems;
import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.function.AppendFunction;
import dev.sessionlog.function.PingFunction;
import dev.sessionlog.function.QueryFunction;
import dev.sessionlog.function.RecordFunction;
import dev.sessionlog.function.ScheduledFunction;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.sessions.SessionItems;
import io.quarkus.funqy.Funq;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What deploys is what is tested: template.yaml against the code. */
class TemplateTest {

    static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate.load();
    static final List<String> FUNCTIONS = TEMPLATE.resourcesOfType("AWS::Serverless::Function");

    @SuppressWarnings("unchecked")
    static Map<String, Object> environment(String function) {
        Map<String, Object> env = new LinkedHashMap<>();
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) TEMPLATE.root().get("Globals")).get("Function");
        env.putAll((Map<String, Object>) ((Map<String, Object>) globals.get("Environment")).get("Variables"));
        Map<String, Object> own = (Map<String, Object>) TEMPLATE.properties(function).get("Environment");
        if (own != null) {
            env.putAll((Map<String, Object>) own.get("Variables"));
        }
        return env;
    }

    /** Each function knows its own timeout: requests answer 503 before it, and archive leases outlast it. */
    @Test
    void everyFunctionIsToldItsOwnTimeout() {
        for (String function : FUNCTIONS) {
            Object timeout = TEMPLATE.properties(function).get("Timeout");
            assertEquals("PT" + timeout + "S", environment(function).get("FUNCTION_TIMEOUT"), function);
        }
    }

    /** Archived events live as long as their session: no lifecycle rule may expire objects of the archive. */
    @Test
    @SuppressWarnings("unchecked")
    void noLifecycleRuleExpiresArchiveObjects() {
        Map<String, Object> lifecycle = (Map<String, Object>) TEMPLATE.properties("ArchiveBucket").get("LifecycleConfiguration");
        for (Map<String, Object> rule : (List<Map<String, Object>>) lifecycle.get("Rules")) {
            boolean expires = rule.containsKey("ExpirationInDays") || rule.containsKey("ExpirationDate");
            Object prefix = rule.getOrDefault("Prefix", "");
            assertTrue(!expires || !"tenant=".startsWith(String.valueOf(prefix)) && !String.valueOf(prefix).startsWith("tenant="),
                    "rule " + rule.get("Id") + " would expire archive objects");
        }
    }

    @Test
    void everyFunctionExportsARealFunqAndEveryFunqIsDeployed() {
        Set<String> funqs = new TreeSet<>();
        for (Class<?> c : List.of(AppendFunction.class, QueryFunction.class, RecordFunction.class, ScheduledFunction.class,
                dev.sessionlog.function.EraseFunction.class, dev.sessionlog.function.TailFunction.class, PingFunction.class,
                dev.sessionlog.function.FollowFunction.class, dev.sessionlog.function.FanOutFunction.class)) {
            for (Method m : c.getDeclaredMethods()) {
                Funq funq = m.getAnnotation(Funq.class);
                if (funq != null) {
                    funqs.add(funq.value().isEmpty() ? m.getName() : funq.value());
                }
            }
        }
        Set<String> exported = new TreeSet<>();
        for (String f : FUNCTIONS) {
            String export = (String) environment(f).get("QUARKUS_FUNQY_EXPORT");
            assertTrue(funqs.contains(export), f + " exports " + export + ", which is no @Funq of " + funqs);
            exported.add(export);
        }
        Set<String> deployable = new TreeSet<>(funqs);
        deployable.remove("ping"); // the cold-start benchmark's empty baseline
        assertEquals(deployable, exported, "every @Funq but ping is deployed once");
        assertEquals(8, FUNCTIONS.size());
    }

    @Test
    void everyEnvironmentVariableTheCodeReadsIsSetForEveryFunction() throws IOException {
        Set<String> read = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        while (m.find()) {
            read.add(m.group(1));
        }
        // Lambda sets its own (AWS_LAMBDA_FUNCTION_NAME, ...) on every function; the template cannot
        read.removeIf(name -> name.startsWith("AWS_LAMBDA_"));
        assertTrue(read.size() >= 10, read::toString);
        for (String f : FUNCTIONS) {
            Set<String> missing = new TreeSet<>(read);
            missing.removeAll(environment(f).keySet());
            assertEquals(Set.of(), missing, f + " does not set what the code reads");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> keySchemas(String table) {
        Map<String, List<String>> schemas = new HashMap<>();
        Map<String, Object> p = TEMPLATE.properties(table);
        schemas.put("", keys((List<Map<String, Object>>) p.get("KeySchema")));
        for (String kind : List.of("LocalSecondaryIndexes", "GlobalSecondaryIndexes")) {
            for (Map<String, Object> index : (List<Map<String, Object>>) p.getOrDefault(kind, List.of())) {
                schemas.put((String) index.get("IndexName"), keys((List<Map<String, Object>>) index.get("KeySchema")));
            }
        }
        return schemas;
    }

    private static List<String> keys(List<Map<String, Object>> schema) {
        return schema.stream().map(k -> (String) k.get("AttributeName")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> attributeTypes(String table) {
        Map<String, String> types = new HashMap<>();
        for (Map<String, Object> a : (List<Map<String, Object>>) TEMPLATE.properties(table).get("AttributeDefinitions")) {
            types.put((String) a.get("AttributeName"), (String) a.get("AttributeType"));
        }
        return types;
    }

    @Test
    void everyTableIndexAndKeyTheCodeUsesIsInTheTemplate() {
        Map<String, List<String>> events = keySchemas("EventsTable");
        assertEquals(List.of(EventItems.PK, EventItems.SEQ), events.get(""));
        assertEquals(List.of(EventItems.PK, EventItems.EVENT_ID), events.get(EventItems.BY_EVENT_ID));
        assertEquals(List.of(EventItems.PARENT_KEY, EventItems.CHILD_KEY), events.get(EventItems.CHILDREN));
        assertEquals(List.of("archive_shard", "archive_after"), events.get(ArchiveMeta.DUE_INDEX));
        assertEquals(List.of(EventItems.ERASE_SHARD, EventItems.ERASE_AT), events.get(EventItems.ERASE_DUE));
        assertEquals(Map.of(EventItems.PK, "S", EventItems.SEQ, "N", EventItems.EVENT_ID, "S", EventItems.PARENT_KEY, "S",
                EventItems.CHILD_KEY, "S", "archive_shard", "S", "archive_after", "S", EventItems.ERASE_SHARD, "S",
                EventItems.ERASE_AT, "S"), attributeTypes("EventsTable"));

        Map<String, List<String>> sessions = keySchemas("SessionsTable");
        assertEquals(List.of(SessionItems.PK), sessions.get(""));
        assertEquals(List.of(SessionItems.TENANT_KEY, SessionItems.ACTIVITY), sessions.get(SessionItems.BY_ACTIVITY));
        assertEquals(List.of(SessionItems.AGENT_KEY, SessionItems.ACTIVITY), sessions.get(SessionItems.BY_AGENT));
        assertEquals(List.of(SessionItems.OPEN_SHARD, SessionItems.ACTIVITY), sessions.get(SessionItems.OPEN_BY_ACTIVITY));
        assertEquals(List.of(SessionItems.FORK_KEY, SessionItems.ACTIVITY), sessions.get(SessionItems.BY_FORK));
        assertEquals(List.of(SessionItems.RETENTION_SHARD, SessionItems.ACTIVITY), sessions.get(SessionItems.RETENTION_DUE));
        assertEquals(Map.of(SessionItems.PK, "S", SessionItems.TENANT_KEY, "S", SessionItems.AGENT_KEY, "S",
                SessionItems.ACTIVITY, "S", SessionItems.OPEN_SHARD, "S", SessionItems.FORK_KEY, "S", SessionItems.RETENTION_SHARD, "S"),
                attributeTypes("SessionsTable"));
        assertEquals(List.of(FollowItems.KEY, FollowItems.ID), keySchemas("FollowTable").get(""));
        assertEquals(Map.of(FollowItems.KEY, "S", FollowItems.ID, "S"), attributeTypes("FollowTable"));
        assertEquals(List.of("EventsTable", "SessionsTable", "FollowTable"), TEMPLATE.resourcesOfType("AWS::DynamoDB::Table"));

        // The list endpoint reads only what the activity indexes project.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> gsis = (List<Map<String, Object>>) TEMPLATE.properties("SessionsTable").get("GlobalSecondaryIndexes");
        for (Map<String, Object> gsi : gsis) {
            if (List.of(SessionItems.BY_ACTIVITY, SessionItems.BY_AGENT, SessionItems.BY_FORK).contains(gsi.get("IndexName"))) {
                @SuppressWarnings("unchecked")
                List<String> projected = (List<String>) ((Map<String, Object>) gsi.get("Projection")).get("NonKeyAttributes");
                assertTrue(projected.containsAll(List.of(SessionItems.SESSION_ID, SessionItems.AGENT_ID, SessionItems.CREATED_AT,
                        SessionItems.LAST_ACTIVE_AT, SessionItems.RECORDED_THROUGH, SessionItems.LOOP_COUNT, SessionItems.STATUS,
                        SessionItems.USAGE, SessionItems.FORKED_FROM, SessionItems.FORK_SEQ)), projected::toString);
            }
        }
    }

    @Test
    void tablesAreCreatedFromTheTemplateOnlyNoSecondDefinition() throws IOException {
        try (Stream<Path> files = Stream.of("src/main", "src/local", "src/test").flatMap(TemplateTest::walk)) {
            List<String> creators = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).contains("." + "createTable(");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of("TemplateTables.java"), creators);
        }
    }

    @Test
    void theRecorderGetsNewEventsAndForkLinksAndFailsIntoTheFailureBucket() {
        @SuppressWarnings("unchecked")
        Map<String, Object> stream = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) TEMPLATE.properties("RecorderFunction")
                .get("Events")).get("Stream")).get("Properties");
        assertEquals(List.of("ReportBatchItemFailures"), stream.get("FunctionResponseTypes"));
        assertEquals(Boolean.TRUE, stream.get("BisectBatchOnFunctionError"));
        assertTrue(((Number) stream.get("MaximumRetryAttempts")).intValue() > 0);
        assertTrue(stream.toString().contains("RecorderFailureBucket"), "failed batches go to S3, whole");
        assertTrue(stream.toString().contains("\"eventName\": [\"INSERT\"]"));
        assertTrue(stream.toString().contains("fork_link"));
        assertTrue(TEMPLATE.resourcesOfType("AWS::SQS::Queue").isEmpty(), "no dead-letter queue any more");
        // and a new object there is an alarm
        Map<String, Object> alarm = TEMPLATE.properties("RecorderFailureAlarm");
        assertEquals("AWS/S3", alarm.get("Namespace"));
        assertEquals("PutRequests", alarm.get("MetricName"));
        assertTrue(alarm.get("Dimensions").toString().contains("RecorderFailureBucket"));
    }

    @Test
    void everyFunctionIsTracedAndDeployedByACanaryThatTheAlarmsRollBack() {
        @SuppressWarnings("unchecked")
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) TEMPLATE.root().get("Globals")).get("Function");
        assertEquals("Active", globals.get("Tracing"));
        assertEquals("live", globals.get("AutoPublishAlias"));
        @SuppressWarnings("unchecked")
        Map<String, Object> deployment = (Map<String, Object>) globals.get("DeploymentPreference");
        assertTrue(deployment.get("Type").toString().contains("DeploymentType"));
        List<String> alarms = ((List<?>) deployment.get("Alarms")).stream().map(a -> ((Map<?, ?>) a).get("Ref").toString()).toList();
        assertEquals(List.of("AppendErrorsAlarm", "QueryErrorsAlarm", "FoldErrorsAlarm"), alarms);
        for (String alarm : alarms) {
            assertTrue(TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm").contains(alarm), alarm);
        }
    }

    @Test
    void everyFunctionHasAnAlarmOnItsDurationNearItsTimeout() {
        for (String function : FUNCTIONS) {
            int timeoutMs = ((Number) TEMPLATE.properties(function).get("Timeout")).intValue() * 1000;
            String alarm = TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm").stream()
                    .filter(a -> "Duration".equals(TEMPLATE.properties(a).get("MetricName"))
                            && TEMPLATE.properties(a).get("Dimensions").toString().contains("Ref=" + function + "}"))
                    .findFirst().orElseThrow(() -> new AssertionError(function + " has no duration alarm"));
            Map<String, Object> p = TEMPLATE.properties(alarm);
            assertEquals("p99", p.get("ExtendedStatistic"), alarm);
            double threshold = ((Number) p.get("Threshold")).doubleValue();
            assertTrue(threshold >= 0.75 * timeoutMs && threshold < timeoutMs, alarm + ": " + threshold + " of " + timeoutMs);
        }
    }

    @Test
    void everyAlarmHasItsSectionInTheRunbook() throws IOException {
        String runbook = Files.readString(Path.of("infra", "README.md"));
        Set<String> headings = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^### (.+)$").matcher(runbook);
        while (m.find()) {
            headings.add(m.group(1));
        }
        for (String alarm : TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm")) {
            assertTrue(headings.stream().anyMatch(h -> h.split(":")[0].matches("(.*\\W)?" + alarm + "(\\W.*)?")),
                    alarm + " has no \"### " + alarm + ": ...\" section in infra/README.md");
        }
    }

    @Test
    void theTailFunctionsReservationLeavesRoomBeyondOneTenantsWaits() {
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = (Map<String, Object>) TEMPLATE.root().get("Parameters");
        int waits = ((Number) ((Map<?, ?>) parameters.get("MaxWaitsPerTenant")).get("Default")).intValue();
        int reserved = ((Number) ((Map<?, ?>) parameters.get("TailReservedConcurrency")).get("Default")).intValue();
        assertTrue(waits * 5 <= reserved, "one tenant's waits (" + waits + ") take at most a fifth of the events function (" + reserved + ")");
        assertEquals(TenantLimits.DEFAULTS.maxWaits(), waits, "the template's default is the code's");
        assertEquals(TenantLimits.DEFAULTS.maxVerifies(), ((Number) ((Map<?, ?>) parameters.get("MaxVerifiesPerTenant")).get("Default")).intValue());
        assertEquals(TenantLimits.DEFAULTS.requestsPerSecond(),
                ((Number) ((Map<?, ?>) parameters.get("TenantRequestsPerSecond")).get("Default")).intValue());
    }

    /**
     * Finding 4: CloudWatch can publish to the alarm topic only when the topic's key lets it use the key;
     * the AWS-managed SNS key never does. Every alarm's actions go to that topic.
     */
    @Test
    @SuppressWarnings("unchecked")
    void cloudWatchMayUseTheAlarmTopicsKey() {
        Object keyRef = TEMPLATE.properties("AlarmTopic").get("KmsMasterKeyId");
        assertTrue(keyRef instanceof Map<?, ?> ref && ref.get("Ref") != null, "the topic's key is one of the stack's: " + keyRef);
        String key = (String) ((Map<String, Object>) keyRef).get("Ref");
        assertEquals("AWS::KMS::Key", TEMPLATE.resources().get(key).get("Type"));
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) TEMPLATE.properties(key)
                .get("KeyPolicy")).get("Statement");
        boolean cloudWatchMayPublish = statements.stream().anyMatch(s -> "Allow".equals(s.get("Effect"))
                && Map.of("Service", "cloudwatch.amazonaws.com").equals(s.get("Principal"))
                && s.get("Action") instanceof List<?> actions && actions.containsAll(List.of("kms:GenerateDataKey*", "kms:Decrypt")));
        assertTrue(cloudWatchMayPublish, "the key policy lets cloudwatch.amazonaws.com GenerateDataKey* and Decrypt: " + statements);
        assertEquals(Boolean.TRUE, TEMPLATE.properties(key).get("EnableKeyRotation"));
        for (String alarm : TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm")) {
            assertEquals(List.of(Map.of("Ref", "AlarmTopic")), TEMPLATE.properties(alarm).get("AlarmActions"), alarm);
        }
    }

    @Test
    void theDashboardIsInTheTemplateAndShowsEveryFunctionAndAlarm() {
        Object body = TEMPLATE.properties("Dashboard").get("DashboardBody");
        String text = body.toString();
        for (String function : FUNCTIONS) {
            assertTrue(text.contains("${" + function + "}"), "the dashboard shows " + function);
        }
        for (String alarm : TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm")) {
            assertTrue(text.contains("${" + alarm + ".Arn}"), "the dashboard's alarm widget shows " + alarm);
        }
        assertTrue(Files.exists(Path.of("infra")) && !Files.exists(Path.of("infra", "create-dashboard.sh")),
                "the dashboard is the template's: no script puts it");
    }

    private static Stream<Path> walk(String dir) {
        try {
            return Files.walk(Path.of(dir));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
