/**
 * The leader schedule (Mysticeti-C, §3 "multiple leaders per round"): every participant's block of a round is a
 * leader slot, so an op is final two rounds after the round of the block that carries it, whoever wrote it. The
 * slots of round r are ordered by offset k = 0 … n − 1, slot k belonging to participant (r + k) mod n: the primary
 * leader (k = 0, the one a proposer waits for) rotates round-robin, and every replica knows every slot without
 * communication. Slots are decided and committed in (round, offset) order.
 */
export function leaderOf(round: number, n: number): number {
  return round % n
}

/** Leader slots per round: one per participant. */
export function slotsPerRound(n: number): number {
  return n
}

/** The participant whose block fills slot `offset` of `round`. */
export function slotAuthor(round: number, offset: number, n: number): number {
  return (round + offset) % n
}

/** The offset of `author`'s slot in `round` (0 for the primary leader). */
export function slotOffset(author: number, round: number, n: number): number {
  return (((author - round) % n) + n) % n
}
