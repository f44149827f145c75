package dev.sessionlog.erase;

import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/** The objects under one prefix of a bucket, deleted a thousand per call (one LIST, one DeleteObjects). */
final class S3Prefix {

    private S3Prefix() {
    }

    /** Deletes every object under the prefix; returns how many there were. */
    static int deleteAll(S3Client s3, String bucket, String prefix) {
        int deleted = 0;
        while (true) {
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(1000));
            if (r.contents().isEmpty()) {
                return deleted;
            }
            List<ObjectIdentifier> ids = r.contents().stream().map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
            deleted += ids.size();
        }
    }
}
