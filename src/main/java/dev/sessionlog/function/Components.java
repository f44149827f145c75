package dev.sessionlog.function;

import dev.sessionlog.api.FollowStart;
import dev.sessionlog.follow.Connections;
import dev.sessionlog.follow.FanOut;
import dev.sessionlog.follow.FollowSocketHandler;
import dev.sessionlog.follow.FollowTickets;
import dev.sessionlog.follow.Subscriptions;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.api.TenantResolver;
import dev.sessionlog.api.VerifyHandler;
import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.archive.ArchivedEvents;
import dev.sessionlog.archive.ArchiveRescue;
import dev.sessionlog.archive.Archiver;
import dev.sessionlog.archive.OrphanSweeper;
import dev.sessionlog.archive.SeamlessEventLog;
import dev.sessionlog.archive.SegmentStore;
import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.erase.FailedBatches;
import dev.sessionlog.erase.ForkCopier;
import dev.sessionlog.erase.RetentionSweeper;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.event.Limits;
import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.dynamo.DynamoEventLog;
import dev.sessionlog.log.dynamo.EventPartitions;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.sessions.IdleSweeper;
import dev.sessionlog.sessions.LogFold;
import dev.sessionlog.sessions.SessionListing;
import dev.sessionlog.sessions.SessionReader;
import dev.sessionlog.sessions.SessionStore;
import dev.sessionlog.sessions.StreamRecorder;
import dev.sessionlog.sessions.TenantRequestRate;
import dev.sessionlog.sessions.WaitSlots;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The object graph of the product, built from two AWS clients and the settings. Lambda gets it
 * through CDI ({@link ComponentsProducer}); the local runner and benchmarks build it directly, so
 * every entry point runs the same objects.
 */
public final class Components {

    private final Settings settings;
    private final Clock clock;
    private final PayloadStore payloads;
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final ArchiveMeta archiveMeta;
    private final SegmentStore segmentStore;
    private final ArchivedEvents archivedEvents;
    private final EventLog hotLog;
    private final EventLog eventLog;
    private final SessionStore sessionStore;
    private final TenantResolver tenants;
    private final Metrics metrics;
    private final CheckpointStore checkpoints;

    public Components(Settings settings, DynamoDbClient dynamo, S3Client s3) {
        this(settings, dynamo, s3, Clock.systemUTC(), Metrics.NONE);
    }

    public Components(Settings settings, DynamoDbClient dynamo, S3Client s3, Clock clock) {
        this(settings, dynamo, s3, clock, Metrics.NONE);
    }

    public Components(Settings settings, DynamoDbClient dynamo, S3Client s3, Clock clock, Metrics metrics) {
        this(settings, dynamo, s3, s3, clock, metrics);
    }

    /** @param checkpointS3 the S3 of the checkpoint bucket (on AWS the same client as {@code s3}) */
    public Components(Settings settings, DynamoDbClient dynamo, S3Client s3, S3Client checkpointS3, Clock clock, Metrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.dynamo = dynamo;
        this.s3 = s3;
        this.payloads = new S3PayloadStore(s3, settings.bucket(), settings.archivePrefix());
        this.archiveMeta = new ArchiveMeta(dynamo, settings.eventsTable());
        this.segmentStore = new SegmentStore(s3, settings.bucket(), settings.archivePrefix());
        this.archivedEvents = new ArchivedEvents(segmentStore, archiveMeta);
        this.sessionStore = new SessionStore(dynamo, s3, settings.sessionsTable(), settings.bucket(), settings.archivePrefix(),
                RecorderOptions.defaults().withKeepStreamingUpdates(settings.keepStreamingUpdates()), settings.layout().frozenLoops());
        this.hotLog = new DynamoEventLog(dynamo, settings.eventsTable(), payloads, clock, AppendRetryPolicy.defaults(),
                archivedEvents, settings.archive().itemLifetime(), settings.appendPacks(),
                // the recorder's progress: appends never reuse seqs TTL took before they were archived
                sessionStore::recordedThrough);
        this.eventLog = new SeamlessEventLog(hotLog, archivedEvents, archiveMeta, settings.archive().itemLifetime(), clock);
        this.tenants = new TenantResolver(settings.tenantClaim(), settings.scopes(),
                new TenantRequestRate(dynamo, settings.sessionsTable(), clock, settings.tenantLimits().requestsPerSecond()));
        this.checkpoints = new CheckpointStore(checkpointS3, settings.checkpointBucket(), "",
                new dev.sessionlog.chain.SessionNames(settings.checkpointKey()));
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public Settings settings() {
        return settings;
    }

    public EventLog eventLog() {
        return eventLog;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    public SessionStore sessionStore() {
        return sessionStore;
    }

    public AppendHandler appendHandler() {
        return new AppendHandler(eventLog, new AppendRequestParser(Limits.defaults()), tenants, metrics, settings.requestTimeBudget(),
                sessionStore);
    }

    public QueryHandler queryHandler() {
        return new QueryHandler(eventLog, new SessionReader(sessionStore, new LogFold(archiveMeta, eventLog, sessionStore.options())),
                new SessionListing(dynamo, settings.sessionsTable()), tenants, settings.requestTimeBudget(),
                new VerifyHandler(eventLog, checkpoints, new WaitSlots(dynamo, settings.sessionsTable(), clock,
                        settings.tenantLimits().maxVerifies(), "verify"), clock),
                new WaitSlots(dynamo, settings.sessionsTable(), clock, settings.tenantLimits().maxWaits()), clock,
                new FollowStart(settings.follow().enabled() ? followTickets() : null, settings.follow().url(), eventLog));
    }

    public FollowTickets followTickets() {
        return new FollowTickets(dynamo, settings.follow().table(), clock);
    }

    public Subscriptions subscriptions() {
        return new Subscriptions(dynamo, settings.follow().table(), clock);
    }

    /** The follow API's WebSocket routes: tickets in, subscriptions out. */
    public FollowSocketHandler followSocketHandler() {
        return new FollowSocketHandler(followTickets(), subscriptions());
    }

    /** The fan-out's work: new events of the stream to the connections that follow their sessions. */
    public FanOut fanOut(Connections connections) {
        return new FanOut(subscriptions(), connections, clock);
    }

    public StreamRecorder streamRecorder() {
        return new StreamRecorder(sessionStore, eventLog, payloads, archiveMeta, settings.archive().hotWindow(), metrics, clock);
    }

    public PayloadStore payloadStore() {
        return payloads;
    }

    public ArchiveMeta archiveMeta() {
        return archiveMeta;
    }

    public SegmentStore segmentStore() {
        return segmentStore;
    }

    public Archiver archiver(Archiver.CrashPoints crashPoints) {
        return new Archiver(hotLog, archiveMeta, segmentStore, checkpoints, clock,
                settings.archive(), crashPoints, metrics);
    }

    public Archiver archiver() {
        return archiver(Archiver.CrashPoints.NONE);
    }

    /** What writes to the archive the events TTL deleted before they were archived. */
    public ArchiveRescue archiveRescue() {
        return new ArchiveRescue(archiveMeta, segmentStore, payloads, archiver(), settings.archive(), eventLog, dynamo,
                settings.eventsTable(), metrics);
    }

    /** The recorder function's handler: new events to the recorder, TTL's deletions to the rescue. */
    public StreamEventHandler streamEventHandler() {
        return new StreamEventHandler(streamRecorder(), archiveRescue());
    }

    public OrphanSweeper orphanSweeper() {
        return new OrphanSweeper(s3, settings.bucket(), settings.archivePrefix(), dynamo, settings.eventsTable(), payloads,
                sessionStore, clock, settings.archive().itemLifetime());
    }

    public ScheduledWork scheduledWork() {
        return new ScheduledWork(idleSweeper(), archiver(), orphanSweeper());
    }

    public Eraser eraser(Eraser.CrashPoints crashPoints) {
        ArchiveSettings archive = settings.archive();
        EventPartitions partitions = new EventPartitions(dynamo, settings.eventsTable());
        return new Eraser(eventLog, partitions, archiveMeta, segmentStore, sessionStore, checkpoints,
                new ForkCopier(eventLog, segmentStore, partitions, archiveMeta, checkpoints, archive, clock),
                new FailedBatches(s3, settings.failureBucket()), s3, settings.bucket(),
                settings.archivePrefix(), clock, archive.lease(), archive.runBudget(), crashPoints);
    }

    public RetentionSweeper retentionSweeper() {
        return new RetentionSweeper(sessionStore, eventLog, clock, settings.sessionRetention());
    }

    public EraseWork eraseWork() {
        return new EraseWork(retentionSweeper(), eraser(Eraser.CrashPoints.NONE));
    }

    public IdleSweeper idleSweeper() {
        return new IdleSweeper(sessionStore, eventLog, clock, settings.idleTimeout());
    }
}
