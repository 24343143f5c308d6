/**
 * The leader schedule: one leader slot per round, rotating round-robin over the participants, so every replica
 * knows the leader of any round without communication. (Mysticeti allows several slots per round and
 * reputation-based schedules; one rotating slot is the simplest schedule its safety argument covers.)
 */
export function leaderOf(round: number, n: number): number {
  return round % n
}
