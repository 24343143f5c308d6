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
 * round to propose in on every tick, and for every sealed block persists it before publishing it — so a crash
 * between the two can never make us sign a second block at the same seq or round.
 */
export class ChannelSession {
  private chain: Promise<void> = Promise.resolve()
  private timer: ReturnType<typeof setInterval> | undefined
  /** blocks sealed but not yet published (persist pending) */
  inFlight = 0
  lastError: Error | undefined
  /** open holds: while any is open no block is sealed by a tick (hold()) */
  private holds = 0

  /**
   * @param tickMs how often to offer the replica a chance to propose: it seals a block only when the next round
   * is open and it has ops of its own or others' ops are not final yet, so a quiet channel makes no blocks
   */
  constructor(
    readonly replica: Replica,
    private readonly io: SessionIO,
    tickMs = 2,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs)
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

  /** Seals this participant's next block when its round is open and there is something to propose. */
  tick(): void {
    if (this.holds > 0) return
    const sealed = this.replica.tick(this.io.now())
    if (sealed) this.ship(sealed)
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
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }
}
