package dev.sessionlog.erase;

import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

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
            DeleteObjectsResponse done = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
            if (!done.errors().isEmpty()) {
                // a key S3 would not delete would be listed again and again: fail the step (it is retried next run)
                S3Error first = done.errors().get(0);
                throw new IllegalStateException(done.errors().size() + " objects under " + prefix + " were not deleted, first "
                        + first.key() + ": " + first.code() + " " + first.message());
            }
            deleted += ids.size();
        }
    }
}
