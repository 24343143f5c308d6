import type { Op } from '../core/ops.ts'
import type { Reject } from '../core/reasons.ts'
import type { Replica } from '../core/replica.ts'

export type SessionIO = {
  /** durably store one of our own sealed blocks; must resolve only once it is safe from a crash */
  persist(bytes: Uint8Array): Promise<void>
  /** hand a sealed (and persisted) block to the network */
  publish(bytes: Uint8Array): void
  now(): number
}

export type SubmitReturnType = { seq: bigint; index: number; result: Reject }

/**
 * The local author's side of a channel: submits ops to the replica (applied at once, pending), offers it a
 * round to propose in whenever something that could open one happened, and for every sealed block persists it before publishing it — so a crash
 * between the two can never make us sign a second block at the same seq or round.
 */
export class ChannelSession {
  private chain: Promise<void> = Promise.resolve()
  private timer: ReturnType<typeof setInterval> | undefined
  /** one-shot: the end of the current leader wait (the only proposal condition that time alone changes) */
  private wake: ReturnType<typeof setTimeout> | undefined
  /** blocks sealed but not yet published (persist pending) */
  inFlight = 0
  lastError: Error | undefined
  /** open holds: while any is open no block is sealed by a tick (hold()) */
  private holds = 0
  private closed = false

  /**
   * Proposals are event driven: the owner calls `tick` after blocks arrive (the sync binding's flush), `submit`
   * ticks itself, and a one-shot timer fires when a leader wait ends — so a block is sealed in the same task that
   * opened its round, and an idle tab does not wake hundreds of times a second.
   * @param fallbackMs a slow safety tick (nothing is lost if an event was missed; it only costs latency)
   */
  constructor(
    readonly replica: Replica,
    private readonly io: SessionIO,
    fallbackMs = 100,
  ) {
    this.timer = setInterval(() => this.tick(), fallbackMs)
  }

  /**
   * Applies the op at once (pending) and queues it for this participant's next block. Throws BatchFullError when
   * the batch is full and the next round is not open yet (the caller shows it and may retry).
   */
  submit(op: Op): SubmitReturnType {
    const { seq, index, result, sealed } = this.replica.submit(op, this.io.now())
    if (sealed) this.ship(sealed)
    else this.tick()
    return { seq, index, result }
  }

  /**
   * Stops sealing on ticks until the returned release is called (then it ticks at once): what a key rotation needs
   * between reading the replica's rotation point and applying the rotation the wallet signed for it, so the next
   * block is still the one the rotation starts at. Ops still enter the batch meanwhile.
   */
  hold(): () => void {
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds--
      this.tick()
    }
  }

  /**
   * Seals this participant's next block when its round is open and there is something to propose; when only the
   * round's leader is awaited, sets the one-shot timer for the end of that wait.
   */
  tick(): void {
    if (this.holds > 0 || this.closed) return
    const now = this.io.now()
    const sealed = this.replica.tick(now)
    if (sealed) {
      this.ship(sealed)
      return
    }
    const left = this.replica.leaderWaitLeft(now)
    if (left === undefined || this.wake !== undefined) return
    this.wake = setTimeout(() => {
      this.wake = undefined
      this.tick()
    }, Math.ceil(left))
  }

  /** Seals whatever can be sealed now and waits until everything sealed is published. */
  async flush(): Promise<void> {
    this.tick()
    await this.chain
  }

  private ship(bytes: Uint8Array): void {
    this.inFlight++
    // in seal order: block n+1 is never published before block n is durable
    this.chain = this.chain
      .then(() => this.io.persist(bytes))
      .then(() => this.io.publish(bytes))
      .catch((e: unknown) => {
        this.lastError = e instanceof Error ? e : new Error(String(e))
      })
      .finally(() => {
        this.inFlight--
      })
  }

  close(): void {
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    if (this.wake !== undefined) clearTimeout(this.wake)
    this.timer = undefined
    this.wake = undefined
  }
}
