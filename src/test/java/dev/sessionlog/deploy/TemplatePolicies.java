package dev.sessionlog.deploy;

import dev.sessionlog.local.CloudFormationTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A function's inline IAM statements of template.yaml, with resources named by logical id. */
final class TemplatePolicies {

    /**
     * @param listPrefixes the statement's StringLike s3:prefix condition (empty: none): a listing is
     *                     allowed only under one of them
     */
    record Statement(String sid, List<String> actions, List<String> resources, List<String> listPrefixes) {
        /** A grant Lambda uses on the function's behalf (its failure destination), not the function's code. */
        boolean usedByLambdaItself() {
            return sid != null && sid.startsWith("Lambda");
        }

        boolean allows(IamGrant grant) {
            return actions.contains(grant.action()) && resources.stream().anyMatch(r -> matches(r, grant.resource()))
                    && (listPrefixes.isEmpty() || grant.listPrefix() != null
                            && listPrefixes.stream().anyMatch(p -> matches(p, grant.listPrefix())));
        }
    }

    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([A-Za-z0-9]+)(\\.Arn)?}");

    private TemplatePolicies() {
    }

    static boolean matches(String pattern, String resource) {
        String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q");
        return resource.matches(regex);
    }

    @SuppressWarnings("unchecked")
    static List<Statement> of(CloudFormationTemplate template, String functionLogicalId) {
        List<Statement> statements = new ArrayList<>();
        Map<String, Object> parameters = (Map<String, Object>) template.root().getOrDefault("Parameters", Map.of());
        for (Object policy : (List<Object>) template.properties(functionLogicalId).getOrDefault("Policies", List.of())) {
            Object body = ((Map<String, Object>) policy).get("Statement");
            if (body == null) {
                throw new IllegalStateException(functionLogicalId + ": only inline Statement policies are checked; found " + policy);
            }
            for (Map<String, Object> s : (List<Map<String, Object>>) body) {
                if (!"Allow".equals(s.get("Effect"))) {
                    continue;
                }
                Map<String, Object> condition = (Map<String, Object>) s.getOrDefault("Condition", Map.of());
                Map<String, Object> like = (Map<String, Object>) condition.getOrDefault("StringLike", Map.of());
                statements.add(new Statement((String) s.get("Sid"), strings(s.get("Action")), resources(s.get("Resource"), parameters),
                        strings(like.get("s3:prefix"))));
            }
        }
        return statements;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return (List<String>) list.stream().map(v -> v instanceof String s ? s : v.toString()).toList();
        }
        return value == null ? List.of() : List.of(value.toString());
    }

    @SuppressWarnings("unchecked")
    private static List<String> resources(Object value, Map<String, Object> parameters) {
        List<Object> values = value instanceof List<?> list ? (List<Object>) list : List.of(value);
        List<String> out = new ArrayList<>();
        for (Object v : values) {
            out.add(resource(v, parameters));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String resource(Object v, Map<String, Object> parameters) {
        if (v instanceof Map<?, ?> m && m.containsKey("Fn::GetAtt")) {
            List<String> att = (List<String>) m.get("Fn::GetAtt");
            if (!"Arn".equals(att.get(1))) {
                throw new IllegalArgumentException("unexpected GetAtt " + att);
            }
            return att.get(0);
        }
        if (v instanceof Map<?, ?> m && m.containsKey("Fn::Sub")) {
            Matcher matcher = SUB_VAR.matcher((String) m.get("Fn::Sub"));
            StringBuilder sb = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String replacement;
                if (matcher.group(2) != null) {
                    replacement = name;
                } else {
                    Map<String, Object> parameter = (Map<String, Object>) parameters.get(name);
                    replacement = parameter == null ? "${" + name + "}" : String.valueOf(parameter.getOrDefault("Default", ""));
                }
                matcher.appendReplacement(sb, Matcher.quoteReplacement(replacement));
            }
            matcher.appendTail(sb);
            return sb.toString();
        }
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("unsupported resource " + v);
    }
}
