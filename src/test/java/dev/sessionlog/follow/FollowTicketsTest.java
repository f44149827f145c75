package dev.sessionlog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tickets against moto: one connection each, within their minute, never from the table's contents. */
class FollowTicketsTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    final FollowTickets tickets = new FollowTickets(AwsTestResource.aws().embedded().dynamo(),
            AwsTestResource.aws().table("FollowTable"), clock);
    final FollowTopic session = FollowTopic.session(new StreamKey("tickets-tenant", "s1"));

    @Test
    void aTicketOpensOnceAndNamesItsTenantsSession() {
        FollowTickets.Ticket ticket = tickets.issue(session);
        assertEquals(clock.instant().plus(FollowTickets.LIFETIME), ticket.expiresAt());
        assertTrue(ticket.token().length() >= 32, "at least 192 random bits");
        assertEquals(Optional.of(session), tickets.redeem(ticket.token()));
        assertEquals(Optional.empty(), tickets.redeem(ticket.token()), "used");
    }

    @Test
    void anExpiredForgedOrMissingTicketOpensNothing() {
        FollowTickets.Ticket ticket = tickets.issue(session);
        clock.advance(FollowTickets.LIFETIME.plusMillis(1));
        assertEquals(Optional.empty(), tickets.redeem(ticket.token()));
        assertEquals(Optional.empty(), tickets.redeem("forged"));
        assertEquals(Optional.empty(), tickets.redeem(null));
        assertEquals(Optional.empty(), tickets.redeem("x".repeat(10_000)));
    }

    @Test
    void theTableHoldsTheTicketsHashNotTheTicket() {
        FollowTickets.Ticket ticket = tickets.issue(session);
        var items = AwsTestResource.aws().embedded().dynamo().scan(b -> b.tableName(AwsTestResource.aws().table("FollowTable"))).items();
        assertTrue(items.stream().noneMatch(item -> item.toString().contains(ticket.token())));
        assertEquals(Optional.of(session), tickets.redeem(ticket.token()));
    }
}
