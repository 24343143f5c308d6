import type { Hash } from 'viem'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { rotateSessionKey } from '../chain/actions/rotateSessionKey.ts'
import { SettlementRevertedError } from '../chain/errors.ts'
import { getSessionKeyRange } from '../chain/readers/getSessionKeyRange.ts'
import type { ReadClient, WriteClient } from '../chain/types.ts'
import { fromHex, type Hex, toHex } from '../core/bytes.ts'
import type { Channel } from '../core/channel.ts'
import { type RotationParameters, rotationOp } from '../core/keys.ts'
import type { Replica } from '../core/replica.ts'
import { addressFromPrivateKey } from '../core/signature.ts'
import type { RotationStoreHandle, StoredRotation } from '../sync/rotationStore.ts'
import type { ChannelSession } from './session.ts'

/** Where one rotation stands on chain, as the Session key panel shows it. */
export type RotationChainStatus =
  | { phase: 'waiting'; reason: string }
  | { phase: 'sending' }
  | { phase: 'confirming'; tx: Hash }
  | { phase: 'on-chain'; tx?: Hash }
  | { phase: 'failed'; error: string; tx?: Hash }

export type RotationView = {
  index: number
  newKey: Hex
  fromSeq: bigint
  fromVersion: bigint
  /** whether one of this participant's blocks carries it (peers know it) */
  announced: boolean
  chain: RotationChainStatus
}

function errorText(e: unknown): string {
  if (e instanceof SettlementRevertedError) return e.message.split('\n')[0]!
  const err = e as { shortMessage?: string; message?: string }
  return (err.shortMessage ?? err.message ?? String(e)).split('\n')[0]!
}

/**
 * The local participant's session-key rotations in one channel (issue #12). `rotate` asks the wallet to sign a
 * rotation to a key generated here, keeps key and rotation durably (rotationStore) before the replica signs
 * anything with it, and switches the replica over; `syncChain` applies the rotations on chain with
 * `rotateSessionKey`, strictly in order (a rotation waits until every earlier one is on chain: the contract
 * accepts them only in sequence), each at most once at a time, resuming after a reload from what was stored
 * (a transaction sent before the reload is awaited, a rotation someone else already applied is recognised).
 */
export class KeyRotations {
  private readonly records: StoredRotation[]
  private readonly status = new Map<number, RotationChainStatus>()
  private syncing = false
  private rotating = false

  constructor(
    private readonly p: {
      channel: Channel
      me: number
      replica: Replica
      session: ChannelSession
      store: RotationStoreHandle
      /** the configured session key's address (the key before any rotation) */
      configKey: Hex
      onChange: () => void
    },
    records: readonly StoredRotation[],
  ) {
    this.records = [...records]
  }

  /** The address of the key that signs this participant's next block. */
  current(): Hex {
    const last = this.records[this.records.length - 1]
    return last ? toHex(last.op.newKey) : this.p.configKey
  }

  get busy(): boolean {
    return this.rotating
  }

  /** Every rotation, oldest first, with how far it got. */
  views(): RotationView[] {
    const own = this.p.replica.latest[this.p.me]
    let blocked: string | undefined
    return this.records.map((r) => {
      let chain = this.status.get(r.index)
      if (r.onChain) chain = { phase: 'on-chain', ...(r.tx ? { tx: r.tx } : {}) }
      else if (blocked) chain = { phase: 'waiting', reason: blocked }
      chain ??= { phase: 'waiting', reason: 'about to be sent' }
      if (!r.onChain) blocked = `waiting for rotation ${r.index + 1} to be on chain`
      return {
        index: r.index,
        newKey: toHex(r.op.newKey),
        fromSeq: r.op.fromSeq,
        fromVersion: r.op.fromVersion,
        announced: own !== undefined && BigInt(own.seq) >= r.op.fromSeq,
        chain,
      }
    })
  }

  /**
   * Replaces the session key: `sign` is the wallet's signature over the rotation (signKeyRotation). Sealing waits
   * meanwhile, so the rotation starts at the block it was signed for. Throws (nothing changed) when the wallet
   * refuses, the previous rotation is not in a block yet, or the replica refuses the rotation.
   */
  async rotate(sign: (r: RotationParameters) => Promise<Hex>): Promise<RotationView> {
    const { replica, session, store } = this.p
    if (this.rotating) throw new Error('a rotation is already being signed')
    if (replica.rotationPending())
      throw new Error('your previous rotation is not in one of your blocks yet: try again in a moment')
    this.rotating = true
    this.p.onChange()
    const release = session.hold()
    try {
      const point = replica.rotationPoint()
      const key = crypto.getRandomValues(new Uint8Array(32))
      const r: RotationParameters = { newKey: addressFromPrivateKey(key), ...point }
      const signature = await sign(r)
      const record: StoredRotation = {
        index: this.records.length,
        key,
        op: rotationOp(r, fromHex(signature, 65)),
        onChain: false,
      }
      // durable first: a block signed by the new key must never exist without the key kept here
      await store.put(record)
      try {
        replica.rotateKey(key, record.op)
      } catch (e) {
        await store.remove(record.index)
        throw e
      }
      this.records.push(record)
      return this.views()[record.index]!
    } finally {
      this.rotating = false
      release()
      this.p.onChange()
    }
  }

  /** Closes the rotation store (the runtime is being destroyed). */
  close(): void {
    this.p.store.close()
  }

  /** Clears a failure so the next syncChain tries that rotation again. */
  retry(): void {
    for (const [i, s] of this.status) if (s.phase === 'failed') this.status.delete(i)
    this.p.onChange()
  }

  /**
   * One pass of the chain queue: for the oldest rotation not on chain, waits for a transaction sent before, reads
   * whether the contract holds it, and otherwise sends rotateSessionKey with `client` (and waits for it); then the
   * next one. Stops at a failure (shown; `retry` clears it) or when no wallet client is there to send.
   */
  async syncChain(read: ReadClient, client: WriteClient | undefined): Promise<void> {
    if (this.syncing) return
    this.syncing = true
    try {
      for (const r of this.records) {
        if (r.onChain) continue
        if (this.status.get(r.index)?.phase === 'failed') return
        if (!(await this.advance(r, read, client))) return
      }
    } finally {
      this.syncing = false
    }
  }

  /** Moves one rotation toward the chain; true once it is there. */
  private async advance(
    r: StoredRotation,
    read: ReadClient,
    client: WriteClient | undefined,
  ): Promise<boolean> {
    const { channel, me, store } = this.p
    const address = channel.config.verifyingContract
    const participant = channel.config.participants[me]!.address
    const set = (s: RotationChainStatus) => {
      this.status.set(r.index, s)
      this.p.onChange()
    }
    const held = async () => {
      const range = await getSessionKeyRange(read, {
        address,
        channelId: toHex(channel.channelId),
        sessionKey: toHex(r.op.newKey),
      })
      return range.participant.toLowerCase() === participant.toLowerCase()
    }
    const landed = async () => {
      r.onChain = true
      await store.put(r)
      this.status.delete(r.index)
      this.p.onChange()
      return true
    }
    try {
      if (r.tx) {
        set({ phase: 'confirming', tx: r.tx })
        await confirmTransaction(read, { hash: r.tx }).catch(() => undefined)
      }
      if (await held()) return landed()
      if (!client) {
        set({ phase: 'waiting', reason: 'connect your wallet to send it' })
        return false
      }
      set({ phase: 'sending' })
      const tx = await rotateSessionKey(client, {
        address,
        channelId: toHex(channel.channelId),
        participant,
        newKey: toHex(r.op.newKey),
        fromSeq: r.op.fromSeq,
        fromVersion: r.op.fromVersion,
        walletSignature: toHex(r.op.signature),
      })
      r.tx = tx
      await store.put(r)
      set({ phase: 'confirming', tx })
      await confirmTransaction(read, { hash: tx })
      if (await held()) return landed()
      set({ phase: 'failed', error: 'mined, but the contract does not hold the new key', tx })
      return false
    } catch (e) {
      set({ phase: 'failed', error: errorText(e), ...(r.tx ? { tx: r.tx } : {}) })
      return false
    }
  }
}
