import { OpTag } from './ops.ts'
import { Reject } from './reasons.ts'

/**
 * Ops that trade or hand value to others: refused until every participant's bond is known to reach the channel's
 * minStake (BondBelowMinStake for an author not bonded yet, ChannelNotLive for a bonded one still waiting for the
 * others). Withdrawals, cancels, unlocks, margin moves, attestations and checkpoint ops stay open, so nobody's money
 * is stuck while the channel waits.
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
 * read on chain that this participant's bond is at least minStake". A participant counts as bonded once q distinct
 * participants attested it (honest ones only attest what they read, so fewer than q liars can never enable
 * anyone), and the channel goes live, for everyone at once, when every participant is bonded. The flags never go
 * back: bonds cannot be released before the channel is finalized, and a slash is punished on chain. With minStake 0
 * the channel is live from the start, as before. Liveness is derived from the per-participant flags alone, so the
 * state root and the snapshot codec (which carry those) fix it too.
 */
export class StakeState {
  /** per participant: its attesters so far (participant indexes < 200), or null once it is bonded */
  private attesters: (number[] | null)[]
  /** how many participants are not bonded yet (the channel is live at 0) */
  private pending: number

  constructor(
    readonly required: boolean,
    readonly n: number,
    readonly quorum: number,
  ) {
    this.attesters = Array.from({ length: n }, () => (required ? [] : null))
    this.pending = required ? n : 0
  }

  clone(): StakeState {
    const s = new StakeState(this.required, this.n, this.quorum)
    s.attesters = this.attesters.map((a) => (a === null ? null : a.slice()))
    s.pending = this.pending
    return s
  }

  /** Per participant: its attesters so far, ascending, or null once it is bonded (the snapshot codec's view). */
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
    s.pending = s.attesters.filter((a) => a !== null).length
    return s
  }

  /** Whether q participants attested that `p` bonded at least minStake. */
  staked(p: number): boolean {
    return this.attesters[p] === null
  }

  /** Whether every participant is bonded, so trading is open (always, without a minStake). */
  live(): boolean {
    return this.pending === 0
  }

  /** The participants not bonded yet, ascending (empty once the channel is live). */
  waitingFor(): number[] {
    const out: number[] = []
    this.attesters.forEach((a, p) => {
      if (a !== null) out.push(p)
    })
    return out
  }

  /**
   * Why `tag` by `author` is refused while the channel waits for bonds: BondBelowMinStake when the author itself is
   * not bonded, ChannelNotLive when it is but another participant is not; None for ops that stay open, or once live.
   */
  refusal(tag: number, author: number): Reject {
    if (this.pending === 0 || !TRADING.has(tag)) return Reject.None
    return this.staked(author) ? Reject.ChannelNotLive : Reject.BondBelowMinStake
  }

  /** `attester` attests that `participant` bonded at least minStake. */
  attest(participant: number, attester: number): Reject {
    if (!Number.isInteger(participant) || participant < 0 || participant >= this.n)
      return Reject.UnknownParticipant
    const list = this.attesters[participant]
    if (list === null || list === undefined) return Reject.None
    if (list.includes(attester)) return Reject.StakeAlreadyAttested
    list.push(attester)
    if (list.length >= this.quorum) {
      this.attesters[participant] = null
      this.pending--
    }
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
