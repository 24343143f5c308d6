import { OpTag } from './ops.ts'
import { Reject } from './reasons.ts'

/**
 * Ops that trade or hand value to others: refused (BondBelowMinStake) for a participant whose bond is not yet known
 * to reach the channel's minStake. Withdrawals, cancels, unlocks, margin moves, attestations and checkpoint ops stay
 * open, so an unbonded participant can always take its money out.
 */
const TRADING: ReadonlySet<number> = new Set([
  OpTag.Transfer,
  OpTag.Place,
  OpTag.PerpPlace,
  OpTag.AmmAdd,
  OpTag.AmmSwap,
  OpTag.LendSupply,
  OpTag.LendBorrow,
])

/**
 * minStake enforcement (issue #12). The core learns a chain fact only by attestation: a StakeAttest op says "I
 * read on chain that this participant's bond is at least minStake". A participant may trade once q distinct
 * participants attested it (honest ones only attest what they read, so fewer than q liars can never enable
 * anyone). The flag never goes back: bonds cannot be released before the channel is finalized, and a slash is
 * punished on chain. With minStake 0 everyone trades from the start, as before.
 */
export class StakeState {
  /** per participant: its attesters so far (participant indexes < 200), or null once it may trade */
  private attesters: (number[] | null)[]

  constructor(
    readonly required: boolean,
    readonly n: number,
    readonly quorum: number,
  ) {
    this.attesters = Array.from({ length: n }, () => (required ? [] : null))
  }

  clone(): StakeState {
    const s = new StakeState(this.required, this.n, this.quorum)
    s.attesters = this.attesters.map((a) => (a === null ? null : a.slice()))
    return s
  }

  /** Per participant: its attesters so far, ascending, or null once it may trade (the snapshot codec's view). */
  entries(): readonly (readonly number[] | null)[] {
    return this.attesters.map((a) => (a === null ? null : a.slice().sort((x, y) => x - y)))
  }

  /** The state with these attesters (as `entries()` gives them): the snapshot codec restores it so. */
  static fromEntries(
    required: boolean,
    quorum: number,
    entries: readonly (readonly number[] | null)[],
  ): StakeState {
    const s = new StakeState(required, entries.length, quorum)
    s.attesters = entries.map((a) => (a === null ? null : a.slice()))
    return s
  }

  /** Whether `p` may trade. */
  staked(p: number): boolean {
    return this.attesters[p] === null
  }

  /** Whether `op` is refused for `author` until it is staked. */
  refuses(tag: number, author: number): boolean {
    return TRADING.has(tag) && !this.staked(author)
  }

  /** `attester` attests that `participant` bonded at least minStake. */
  attest(participant: number, attester: number): Reject {
    if (!Number.isInteger(participant) || participant < 0 || participant >= this.n)
      return Reject.UnknownParticipant
    const list = this.attesters[participant]
    if (list === null || list === undefined) return Reject.None
    if (list.includes(attester)) return Reject.StakeAlreadyAttested
    list.push(attester)
    if (list.length >= this.quorum) this.attesters[participant] = null
    return Reject.None
  }

  /** Canonical bytes for the state root: empty without a minStake, one byte per participant otherwise. */
  rootBytes(): Uint8Array {
    if (!this.required) return new Uint8Array(0)
    const out: number[] = [0x53] // 'S'
    for (const a of this.attesters)
      if (a === null) out.push(0xff)
      else out.push(a.length, ...a.slice().sort((x, y) => x - y))
    return Uint8Array.from(out)
  }
}
