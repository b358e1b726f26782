/*
 * retention.h — neither the event log nor the agent state log grows for
 * ever. Events older than [events] retention_days are deleted, a team at a
 * time and a chunk at a time, oldest first — but never one the team's
 * backend has not received yet (a team with an event_url keeps everything
 * after its webhook cursor, however old: none lost), and never a team's
 * newest (eventids go on from it after a restart). Browser clients resuming
 * from a pruned eventid get what is left. Then the team's agent state log
 * rows older than [store] state_log_retention_days go the same way, except
 * today's and each agent's last row before the cutoff (the state in force
 * then, where agentRealtime's day starts). The first pass runs a few
 * seconds after the start, then one an hour.
 */
#ifndef OCC_RETENTION_H
#define OCC_RETENTION_H

struct occ;
struct retention;

int retention_alloc(struct retention **rp, struct occ *occ);

#endif
