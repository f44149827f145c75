package dev.sessionlog.deploy;

import dev.sessionlog.local.TemplateTables;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.testing.AwsTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.DeleteConnectionRequest;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * An IAM action on a resource, named by template logical ids ("EventsTable/index/children",
 * "ArchiveBucket/payloads/...") so that recorded calls and template policies compare directly; a
 * listing also names the prefix it lists (the s3:prefix condition key).
 */
record IamGrant(String action, String resource, String listPrefix) {

    IamGrant(String action, String resource) {
        this(action, resource, null);
    }

    /** What IAM must allow for one SDK request; a transaction needs each of its actions. */
    static List<IamGrant> of(SdkRequest request, Map<String, String> logicalIdByTable) {
        List<IamGrant> grants = new ArrayList<>();
        if (request instanceof QueryRequest q) {
            grants.add(new IamGrant("dynamodb:Query", table(q.tableName(), logicalIdByTable) + (q.indexName() == null ? "" : "/index/" + q.indexName())));
        } else if (request instanceof GetItemRequest g) {
            grants.add(new IamGrant("dynamodb:GetItem", table(g.tableName(), logicalIdByTable)));
        } else if (request instanceof PutItemRequest p) {
            grants.add(new IamGrant("dynamodb:PutItem", table(p.tableName(), logicalIdByTable)));
        } else if (request instanceof DeleteItemRequest d) {
            grants.add(new IamGrant("dynamodb:DeleteItem", table(d.tableName(), logicalIdByTable)));
        } else if (request instanceof UpdateItemRequest u) {
            grants.add(new IamGrant("dynamodb:UpdateItem", table(u.tableName(), logicalIdByTable)));
        } else if (request instanceof BatchGetItemRequest b) {
            b.requestItems().keySet().forEach(t -> grants.add(new IamGrant("dynamodb:BatchGetItem", table(t, logicalIdByTable))));
        } else if (request instanceof BatchWriteItemRequest b) {
            b.requestItems().keySet().forEach(t -> grants.add(new IamGrant("dynamodb:BatchWriteItem", table(t, logicalIdByTable))));
        } else if (request instanceof TransactWriteItemsRequest t) {
            for (TransactWriteItem item : t.transactItems()) {
                if (item.put() != null) {
                    grants.add(new IamGrant("dynamodb:PutItem", table(item.put().tableName(), logicalIdByTable)));
                } else if (item.conditionCheck() != null) {
                    grants.add(new IamGrant("dynamodb:ConditionCheckItem", table(item.conditionCheck().tableName(), logicalIdByTable)));
                } else if (item.update() != null) {
                    grants.add(new IamGrant("dynamodb:UpdateItem", table(item.update().tableName(), logicalIdByTable)));
                } else if (item.delete() != null) {
                    grants.add(new IamGrant("dynamodb:DeleteItem", table(item.delete().tableName(), logicalIdByTable)));
                }
            }
        } else if (request instanceof GetObjectRequest g) {
            grants.add(new IamGrant(g.versionId() == null ? "s3:GetObject" : "s3:GetObjectVersion", bucket(g.bucket()) + "/" + g.key()));
        } else if (request instanceof HeadObjectRequest h) {
            grants.add(new IamGrant("s3:GetObject", bucket(h.bucket()) + "/" + h.key()));
        } else if (request instanceof DeleteObjectsRequest d) {
            d.delete().objects().forEach(o -> grants.add(new IamGrant("s3:DeleteObject", bucket(d.bucket()) + "/" + o.key())));
        } else if (request instanceof ListObjectVersionsRequest l) {
            grants.add(new IamGrant("s3:ListBucketVersions", bucket(l.bucket()), l.prefix() == null ? "" : l.prefix()));
        } else if (request instanceof PutObjectRequest p) {
            grants.add(new IamGrant("s3:PutObject", bucket(p.bucket()) + "/" + p.key()));
        } else if (request instanceof DeleteObjectRequest d) {
            grants.add(new IamGrant("s3:DeleteObject", bucket(d.bucket()) + "/" + d.key()));
        } else if (request instanceof ListObjectsV2Request l) {
            grants.add(new IamGrant("s3:ListBucket", bucket(l.bucket()), l.prefix() == null ? "" : l.prefix()));
        } else if (request instanceof PostToConnectionRequest p) {
            grants.add(new IamGrant("execute-api:ManageConnections", FOLLOW_API_STAGE + "POST/@connections/" + p.connectionId()));
        } else if (request instanceof DeleteConnectionRequest d) {
            grants.add(new IamGrant("execute-api:ManageConnections", FOLLOW_API_STAGE + "DELETE/@connections/" + d.connectionId()));
        } else {
            throw new IllegalArgumentException("no IAM mapping for " + request.getClass().getSimpleName());
        }
        return grants;
    }

    /** The follow API's stage as the template's policies name it (the partition, region and account left as written). */
    static final String FOLLOW_API_STAGE = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${FollowApi}/live/";

    private static String table(String name, Map<String, String> logicalIdByTable) {
        String id = logicalIdByTable.get(name);
        if (id == null) {
            throw new IllegalArgumentException("table " + name + " is not in template.yaml");
        }
        return id;
    }

    private static String bucket(String name) {
        if (AwsTestResource.CHECKPOINT_BUCKET.equals(name)) {
            return "CheckpointBucket";
        }
        if (AwsTestResource.FAILURE_BUCKET.equals(name)) {
            return "RecorderFailureBucket";
        }
        if (!AwsTestResource.BUCKET.equals(name)) {
            throw new IllegalArgumentException("bucket " + name + " is neither the archive nor the checkpoint bucket");
        }
        return "ArchiveBucket";
    }

    /** Local table name to logical id, for every table of the template. */
    static Map<String, String> tables() {
        Map<String, String> byName = new java.util.HashMap<>();
        new TemplateTables(CloudFormationTemplate.load()).logicalIds().forEach(id -> byName.put(TemplateTables.localName(id), id));
        return byName;
    }
}
