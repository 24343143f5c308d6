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
 * The local author's side of a channel: submits ops to the replica (applied at once, pending), seals the batch
 * on size or age, and for every sealed block persists it before publishing it — so a crash between the two
 * can never make us sign a second block at the same seq.
 */
export class ChannelSession {
  private chain: Promise<void> = Promise.resolve()
  private timer: ReturnType<typeof setInterval> | undefined
  /** blocks sealed but not yet published (persist pending) */
  inFlight = 0
  lastError: Error | undefined

  private lastAck = 0

  /**
   * @param ackMs how long an unacknowledged remote block with ops may wait before this participant answers with an
   * empty block (finality needs every participant to build on a block)
   */
  constructor(
    readonly replica: Replica,
    private readonly io: SessionIO,
    tickMs = 5,
    private readonly ackMs = 100,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs)
  }

  submit(op: Op): SubmitReturnType {
    const { seq, index, result, sealed } = this.replica.submit(op, this.io.now())
    if (sealed) this.ship(sealed)
    return { seq, index, result }
  }

  /** Seals the open batch if it is due by age, or acknowledges others' blocks every ackMs. */
  tick(): void {
    const now = this.io.now()
    let sealed = this.replica.sealIfDue(now)
    if (!sealed && now - this.lastAck >= this.ackMs) {
      this.lastAck = now
      if (this.replica.pendingOps === 0) sealed = this.replica.ack()
    }
    if (sealed) this.ship(sealed)
  }

  /** Seals whatever is pending now (e.g. before a checkpoint) and waits until it is published. */
  async flush(): Promise<void> {
    const sealed = this.replica.seal()
    if (sealed) this.ship(sealed)
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
