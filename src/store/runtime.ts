import type { Hex } from 'viem'
import { readDepositRecords } from '../chain/readers/readDepositRecords.ts'
import { readForcedQueue } from '../chain/readers/readForcedQueue.ts'
import type { ReadClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import { type Channel, openChannel } from '../core/channel.ts'
import { completeDraft, type Invite, roomOf, type SessionKeyAuth } from '../core/invite.ts'
import { type Op, OpTag } from '../core/ops.ts'
import type { SettlementPhase } from '../core/phase.ts'
import { Replica } from '../core/replica.ts'
import { addressFromPrivateKey } from '../core/signature.ts'
import { encodeBase } from '../core/snapshot/base.ts'
import type { PrunePolicy } from '../core/snapshot/prunePolicy.ts'
import type { DepositRecord } from '../core/state.ts'
import { attachChannel } from '../sync/attachChannel.ts'
import { ChannelDoc } from '../sync/channelDoc.ts'
import { Lobby } from '../sync/lobby.ts'
import {
  acquireWriterLock,
  openOwnBlockStore,
  ownBlockStoreName,
  readPrunedBase,
  type WriterLock,
} from '../sync/ownBlocks.ts'
import { PeerBases } from '../sync/peerBases.ts'
import { joinRoom, type Room } from '../sync/room.ts'
import { openRotationStore, rotationStoreName } from '../sync/rotationStore.ts'
import { type ChannelStore, createChannelStore } from './channelStore.ts'
import { forcedAttestations } from './forced.ts'
import { KeyRotations } from './keyRotation.ts'
import { HEARTBEAT_MS, heartbeatDue, type Seen } from './liveness.ts'
import { Pruner, pruningView } from './pruner.ts'
import { refusedOwnBlocksError } from './refusedOwnBlocks.ts'
import { type CatchUpStatus, catchUpView, Rejoiner, type Restart } from './rejoin.ts'
import { restoreReplica } from './restoreReplica.ts'
import { ChannelSession } from './session.ts'
import type { SettlementContext } from './settlement.ts'
import { stakeAttestationsFromChain } from './stake.ts'
import { type SubmitOutcome, submitChecked } from './submit.ts'

export type StartRoomParameters = {
  invite: Invite
  /** connected wallet address; must be a participant of the draft */
  me: Hex
  signaling: string[]
  /** Hocuspocus relays used next to WebRTC (none: WebRTC only) */
  relay?: string[]
  /** the participant's session key for this channel (generated once, kept by the caller) */
  sessionKey: Uint8Array
  /** when the writer tab prunes (default: prunePolicy.ts DEFAULT_PRUNE_POLICY) */
  prune?: PrunePolicy
}

/** how often the writer tab asks whether to prune (ms) */
const PRUNE_CHECK_MS = 1000
/** how often the replica is checked for lagging behind everyone's pruning point (ms; rejoin.ts) */
const LAG_CHECK_MS = 1000

/**
 * A participant's presence in one channel: the room (Y.Doc over WebRTC, persisted), the lobby of session-key
 * authorisations and, once every participant has authorised, the live channel: replica, sync binding, session
 * and the UI store. Chain reads (deposits, forced records, bonds) are `syncDeposits`, run by the page on each new
 * block.
 */
export class ChannelRuntime {
  readonly room: Room
  readonly lobby: Lobby
  readonly meIndex: number
  readonly sessionAddress: Hex
  live:
    | {
        channel: Channel
        replica: Replica
        doc: ChannelDoc
        session: ChannelSession
        store: ChannelStore
        settlement: SettlementContext
        /** this participant's session-key rotations (the writer tab only) */
        rotations: KeyRotations | undefined
        /** catch-up by id and presence over the room's connections */
        transport: ReturnType<typeof attachChannel>
        /** the writer tab's pruning (undefined in a read-only tab) */
        pruner: Pruner | undefined
        /** catching up from a peer's certified base when behind everyone's pruning point (issue #8) */
        rejoiner: Rejoiner
        /** how the replica started: from the stored pruned base (its checkpoint version) or from every block */
        restoredFrom: bigint | undefined
        /** ms from opening the stores to the replica holding every stored block (the reload's cost) */
        loadMs: number
        /**
         * true while another tab of this browser profile is this participant's writer: this tab shows the same
         * state (same Y.Doc via IndexedDB and BroadcastChannel) but cannot submit ops
         */
        readOnly: boolean
      }
    | undefined
  private readonly listeners = new Set<() => void>()
  private readonly unsubscribe: () => void
  private readonly onPeers = () => this.emit()
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private lagTimer: ReturnType<typeof setInterval> | undefined
  /** the bases peers offer in the doc, and ours (issue #8); made at the first start */
  private bases: PeerBases | undefined
  /** catching up from a peer's base: kept across the restart it causes (the UI shows it) */
  catchUp: CatchUpStatus = { phase: 'idle' }
  private onWriterFree: (() => void) | undefined
  private destroyed = false
  /** the channel's deposit records read so far, by index (syncDeposits) */
  private readonly depositRecords: DepositRecord[] = []
  /** the cross-tab writer lock while this tab writes; released on destroy */
  private writerLock: WriterLock | undefined
  /** aborts waiting for the writer lock (read-only tab) on destroy */
  private readonly waiting = new AbortController()

  constructor(readonly p: StartRoomParameters) {
    const me = p.invite.draft.participants.findIndex((x) => x.address.toLowerCase() === p.me.toLowerCase())
    if (me < 0) throw new Error('the connected wallet is not a participant of this channel')
    this.meIndex = me
    this.sessionAddress = addressFromPrivateKey(p.sessionKey)
    const { room, password } = roomOf(p.invite)
    this.room = joinRoom({
      room,
      password,
      signaling: p.signaling,
      ...(p.relay ? { relay: p.relay } : {}),
      participants: p.invite.draft.participants.length,
      persistAs: `chx-${room}-${p.me.toLowerCase()}`,
    })
    this.lobby = new Lobby(this.room.doc, p.invite.draft)
    this.unsubscribe = this.lobby.onChange(() => this.emit())
    // the lobby's peer count is live
    this.room.provider.on('peers', this.onPeers)
    // after a reload our authorisation comes back from IndexedDB: guard it again like a fresh one
    void this.room.loaded.then(() => {
      if (this.destroyed) return
      const mine = this.myAuth()
      if (mine && mine.sessionKey.toLowerCase() === this.sessionAddress.toLowerCase())
        this.lobby.publish(mine)
      this.emit()
    })
  }

  /** the channel's settlement phase on chain, as last read (ChannelPage polls the contract) */
  chainPhase: SettlementPhase = 'unknown'

  /** Records the on-chain phase; from then on submit() refuses what the phase does not allow. */
  setChainPhase(phase: SettlementPhase): void {
    if (phase === this.chainPhase) return
    this.chainPhase = phase
    this.emit()
  }

  /**
   * Submits an op the participant entered (order, cancel, transfer): refused, with the reason, when the channel is
   * not live here, this tab is read-only, the on-chain phase does not allow it, or a field cannot be encoded —
   * before it reaches the batch. Never throws.
   */
  submit(op: Op): SubmitOutcome {
    const live = this.live
    if (!live) return { ok: false, reason: 'the channel is not live yet' }
    if (live.rejoiner.lagging)
      return { ok: false, reason: 'catching up with the others from a checkpoint: try again in a moment' }
    if (live.readOnly)
      return { ok: false, reason: 'this tab is read-only: another tab of this channel signs' }
    return submitChecked(live.session, op, this.chainPhase)
  }

  /** true once destroy() ran: the room is closed and nothing may start on it */
  get isDestroyed(): boolean {
    return this.destroyed
  }

  /** The local participant's authorisation in the lobby, if it has posted one for its current session key. */
  myAuth(): SessionKeyAuth | undefined {
    return this.lobby.auths().find((a) => a.participant.toLowerCase() === this.p.me.toLowerCase())
  }

  /** Posts the wallet's signature authorising this runtime's session key. */
  publishAuth(signature: Hex): void {
    this.lobby.publish({ participant: this.p.me, sessionKey: this.sessionAddress, signature })
    this.emit()
  }

  /** The full config once everyone authorised, else undefined (the same object while the authorisations stay). */
  config() {
    const auths = this.lobby.auths()
    if (auths.length < this.p.invite.draft.participants.length) return undefined
    // the page asks on every render: complete the draft (which verifies each signature again) only on a change
    const key = auths.map((a) => `${a.sessionKey}${a.signature}`).join()
    if (this.completed?.key !== key)
      this.completed = { key, config: completeDraft(this.p.invite.draft, auths) }
    return this.completed.config
  }

  private completed: { key: string; config: ReturnType<typeof completeDraft> } | undefined

  /**
   * Starts the live channel (idempotent). Takes the cross-tab writer lock for (channel, participant): the tab
   * holding it gets the replica with the author key, its own blocks reloaded from the durable store first (so the
   * next seq follows them) and a session that persists before it publishes. A tab that cannot get the lock goes
   * live read-only and calls `onWriterFree` once the writer tab is gone. Refuses if the lobby holds another
   * session key for us than the one this runtime has.
   */
  async goLive(onWriterFree?: () => void): Promise<void> {
    if (this.live || this.starting || this.destroyed) return
    this.starting = true
    try {
      await this.start(onWriterFree)
    } finally {
      this.starting = false
    }
  }

  private starting = false
  /**
   * true when the wallet's authorised session key is not this browser's (it authorised in another browser): the
   * channel is followed read-only here, for good (no writer tab to wait for)
   */
  otherDevice = false

  /**
   * @param restart a peer's base this start restores from instead of the stored one (Rejoiner, issue #8): verified
   * already, stored as this participant's own base first (the writer tab), so a reload starts from it too
   */
  private async start(onWriterFree?: () => void, restart?: Restart): Promise<void> {
    this.onWriterFree = onWriterFree
    const config = this.config()
    if (!config) throw new Error('not every participant has authorised a session key yet')
    const mine = config.participants[this.meIndex]!
    // the wallet authorised another session key, in another browser (or before this one's storage was cleared):
    // that browser signs for it; this one follows the channel read-only — balances, orders, checkpoints, and the
    // on-chain steps the wallet itself signs (propose, finalize, claim) — instead of stopping at the lobby
    const otherDevice = mine.sessionKey.toLowerCase() !== this.sessionAddress.toLowerCase()
    this.otherDevice = otherDevice
    const channel = openChannel(config)
    const storeName = ownBlockStoreName(toHex(channel.channelId), this.p.me)
    // a restart keeps the writer lock it holds (Web Locks are not re-entrant)
    const lock = otherDevice
      ? undefined
      : (this.writerLock ?? (await acquireWriterLock(storeName, { mode: 'ifAvailable' })))
    if (this.destroyed) return lock?.release()
    this.writerLock = lock ?? undefined
    const ownStore = lock ? await openOwnBlockStore(storeName) : undefined
    // rotated session keys, read before anything can seal: the replica must sign with the newest one
    const keyStore = lock
      ? await openRotationStore(rotationStoreName(toHex(channel.channelId), this.p.me))
      : undefined
    const stored = keyStore ? await keyStore.load() : []
    if (!lock && !otherDevice)
      acquireWriterLock(storeName, { mode: 'wait', signal: this.waiting.signal }).then(
        (l) => {
          l?.release()
          if (!this.destroyed) onWriterFree?.()
        },
        () => {
          // aborted: this runtime was destroyed
        },
      )
    await this.room.loaded
    if (this.destroyed) return
    const loadStart = performance.now()
    let store: ChannelStore | undefined
    // the pruned base first (the writer tab stores it, any tab reads it); the doc's and the own store's blocks
    // are the tail
    const offered = restart && encodeBase(restart.base)
    if (offered && ownStore) await ownStore.storeBase(offered, 0)
    const baseBytes = offered ?? (ownStore ? await ownStore.loadBase() : await readPrunedBase(storeName))
    if (this.destroyed) return keyStore?.close()
    const { replica, restoredFrom } = restoreReplica(
      () =>
        new Replica(channel, {
          ...(ownStore ? { author: { index: this.meIndex, sessionKey: this.p.sessionKey } } : {}),
          onUpdate: () => store?.invalidate(),
        }),
      baseBytes,
    )
    const doc = new ChannelDoc({
      doc: this.room.doc,
      replica,
      ownAuthor: this.meIndex,
      schedule: (f) => setTimeout(f, 0),
    })
    // own blocks first from the durable store, so the next seq follows them; blocks that survived only
    // there (the doc's IndexedDB copy wiped) reach the room again; then the rotations made so far (keys.ts),
    // before a session exists that could seal with the configured key
    if (ownStore) {
      const refused = refusedOwnBlocksError(doc.ingestDurable(await ownStore.load()))
      if (refused) {
        await keyStore?.close()
        throw new Error(refused)
      }
    }
    // entries of pruned blocks the doc still holds (a crash between storing the base and dropping them, or a
    // lagging peer wrote them back): the writer deletes them
    if (ownStore && restoredFrom !== undefined) doc.dropPruned()
    doc.flush()
    this.bases ??= new PeerBases({ doc: this.room.doc, channel, me: this.meIndex })
    // the writer offers its base to peers behind everyone's pruning point (the Pruner does after each pruning)
    if (ownStore && restoredFrom !== undefined && baseBytes) this.bases.publish(baseBytes)
    const loadMs = performance.now() - loadStart
    if (this.destroyed) return keyStore?.close()
    if (stored.length > 0) replica.resumeRotations(stored)
    const session = new ChannelSession(replica, {
      // wall-clock ms: blocks carry it as their time, the input to the channel clock
      now: () => Date.now(),
      persist: (bytes) => {
        if (!ownStore) throw new Error('this tab is read-only: another tab is the writer')
        return ownStore.append(bytes)
      },
      publish: (bytes) => doc.publishOwn(bytes),
    })
    // propose in the task that admitted the blocks opening a round, not on a later timer
    doc.subscribe(() => session.tick())
    store = createChannelStore({ replica, me: this.meIndex })
    const settlement: SettlementContext = {
      replica,
      session,
      contract: config.verifyingContract,
      me: this.meIndex,
    }
    const rotations = keyStore
      ? new KeyRotations(
          {
            channel,
            me: this.meIndex,
            replica,
            session,
            store: keyStore,
            configKey: this.sessionAddress,
            onChange: () => this.emit(),
          },
          stored,
        )
      : undefined
    const transport = attachChannel({
      provider: this.room.provider,
      guard: this.room.guard,
      channelDoc: doc,
      replica,
      participant: this.meIndex,
      follows: otherDevice,
    })
    const pruner = ownStore
      ? new Pruner({
          replica,
          doc,
          store: ownStore,
          me: this.meIndex,
          phase: () => this.chainPhase,
          ...(this.p.prune ? { policy: this.p.prune } : {}),
          bases: this.bases,
        })
      : undefined
    const rejoiner = new Rejoiner({
      bases: this.bases,
      replica,
      make: () => new Replica(channel, {}),
      hold: () => session.hold(),
      ...(restart ? { restoredFrom: { from: restart.status.from, version: restart.base.version } } : {}),
    })
    this.live = {
      channel,
      replica,
      doc,
      session,
      store,
      settlement,
      rotations,
      transport,
      readOnly: !ownStore,
      pruner,
      rejoiner,
      restoredFrom,
      loadMs,
    }
    if (restart)
      this.catchUp = { ...restart.status, phase: 'restored', ms: performance.now() - this.lagSince }
    // at once, before anything can seal: an empty replica in a channel with a history is held right away (the doc
    // that completed the lobby carried the blocks and bases too); a restart follows on the next tick
    rejoiner.check(performance.now())
    this.lagTimer = setInterval(() => this.checkLag(), LAG_CHECK_MS)
    setTimeout(() => this.checkLag(), 0)
    if (pruner)
      this.pruneTimer = setInterval(() => {
        void pruner.check().then((r) => r && this.emit())
      }, PRUNE_CHECK_MS)
    // a heartbeat in awareness, so peers see a closed tab or a dropped connection within seconds (liveness.ts)
    const awareness = this.room.provider.awareness
    this.heartbeat = setInterval(() => {
      const now = Date.now()
      if (heartbeatDue(awareness.meta.get(awareness.clientID)?.lastUpdated, now))
        awareness.setLocalStateField('hb', now)
    }, HEARTBEAT_MS)
    this.emit()
  }

  private lagSince = 0

  /** One catch-up check (issue #8): restarts the live channel from a peer's verified base when it lags. */
  private checkLag(): void {
    const live = this.live
    if (!live || this.starting || this.destroyed) return
    const before = JSON.stringify(catchUpView(this.catchUp))
    const now = performance.now()
    const restart = live.rejoiner.check(now)
    if (live.rejoiner.status.phase !== 'idle' || this.catchUp.phase !== 'restored')
      this.catchUp = live.rejoiner.status
    if (restart) {
      this.lagSince = now - live.rejoiner.elapsed(now)
      void this.restartFrom(restart)
    }
    if (JSON.stringify(catchUpView(this.catchUp)) !== before) this.emit()
  }

  /** Closes the live channel (keeping the room and the writer lock) and starts it again from `restart`'s base. */
  private async restartFrom(restart: Restart): Promise<void> {
    const live = this.live
    if (!live) return
    this.starting = true
    try {
      this.stopLive(live)
      this.live = undefined
      this.emit()
      await this.start(this.onWriterFree, restart)
    } catch (e) {
      this.catchUp = { phase: 'failed', reason: e instanceof Error ? e.message : String(e) }
    } finally {
      this.starting = false
      this.emit()
    }
  }

  private stopLive(live: NonNullable<ChannelRuntime['live']>): void {
    for (const t of [this.pruneTimer, this.lagTimer, this.heartbeat]) if (t !== undefined) clearInterval(t)
    live.rejoiner.stop()
    live.session.close()
    live.rotations?.close()
    live.transport.detach()
    live.doc.destroy()
  }

  /**
   * Reads the channel's on-chain deposit records and attests each one this participant has not attested yet: a
   * record is credited inside the channel once q participants attested the same content (in index order).
   */
  async syncDeposits(client: ReadClient): Promise<void> {
    const live = this.live
    if (!live) return
    // a record never changes once the contract holds it: only the new ones are read
    const known = this.depositRecords
    const fresh = await readDepositRecords(client, {
      address: live.channel.config.verifyingContract,
      channelId: toHex(live.channel.channelId),
      fromIndex: BigInt(known.length),
    })
    for (const r of fresh) if (r.index === BigInt(known.length)) known.push(r)
    const records = known
    // a read-only tab folds the same blocks but leaves attesting to the writer tab; nothing is attested while
    // catching up (an empty replica would attest every deposit again)
    if (live.readOnly || live.rejoiner.lagging) return
    const attested = new Set<bigint>()
    for (const n of live.replica.order)
      if (n.author === this.meIndex)
        for (const op of n.block.ops) if (op.tag === OpTag.Deposit) attested.add(op.depositIndex)
    for (const op of live.replica.batchedOps()) if (op.tag === OpTag.Deposit) attested.add(op.depositIndex)
    for (const r of records)
      if (!live.replica.state.isCredited(r.index) && !attested.has(r.index))
        live.session.submit({
          tag: OpTag.Deposit,
          depositIndex: r.index,
          participant: r.participant,
          token: r.token,
          amount: r.amount,
        })
    await this.syncForced(client)
    await this.syncStake(client)
  }

  /**
   * minStake (issue #12): reads the bond of every participant the fold does not count as bonded yet and attests each
   * one that reaches the channel's minStake (bonded once q participants attested; the channel trades once all are).
   * Nothing is read in a channel without a minStake.
   */
  async syncStake(client: ReadClient): Promise<void> {
    const live = this.live
    if (!live || live.readOnly) return
    for (const op of await stakeAttestationsFromChain(client, live.channel, live.replica, this.meIndex))
      live.session.submit(op)
  }

  /**
   * Forced inclusion: attests every forced record on chain that the fold has not included yet (like deposits; the
   * core applies a record's op once q participants attested it). Part of syncDeposits, so whoever polls deposits
   * polls forced records too; a channel with none costs one extra read.
   */
  async syncForced(client: ReadClient): Promise<void> {
    const live = this.live
    if (!live) return
    const queue = await readForcedQueue(client, {
      address: live.channel.config.verifyingContract,
      channelId: toHex(live.channel.channelId),
      fromIndex: live.replica.forcedReadFrom(),
    })
    // the count as of the block's time and the records' times: the replica signs a checkpoint only with a read this
    // fresh, and never one leaving out a record already due (core censorship.ts)
    live.replica.noteForcedQueue(queue)
    if (live.readOnly) return
    for (const op of forcedAttestations(live.replica, this.meIndex, queue.records)) live.session.submit(op)
  }

  /** Plain strings describing the channel state, for tests and diagnostics (exposed as window.__chx). */
  view() {
    const live = this.live
    if (!live) return { phase: 'lobby' as const, auths: this.lobby.auths().length }
    const r = live.replica
    const s = r.state
    return {
      phase: 'live' as const,
      /** the on-chain settlement phase submit() judges by */
      settlement: this.chainPhase,
      readOnly: live.readOnly,
      otherDevice: this.otherDevice,
      stateRoot: toHex(r.stateRoot()),
      // positions in the whole final order: pruned blocks count (they were final here)
      blocks: r.prunedCount + r.order.length,
      final: r.prunedCount + r.finalCount,
      ...pruningView(r, live.pruner, live.restoredFrom, live.loadMs),
      /** catching up from a peer's certified base (issue #8) */
      catchUp: catchUpView(this.catchUp),
      /** entries in the shared doc's block map */
      docEntries: live.doc.map.size,
      pendingOps: r.pendingOps,
      /** sealed blocks still being persisted before publication */
      inFlight: live.session.inFlight,
      equivocators: r.equivocators(),
      trades: s.tradeCount,
      holdings: Array.from({ length: s.P }, (_, p) =>
        Array.from({ length: s.T }, (_, t) => s.holdings(p, t).toString()),
      ),
      available: Array.from({ length: s.T }, (_, t) => s.avail[this.meIndex * s.T + t]!.toString()),
      book: s.books.map((b) => [...b.orders()].map((o) => `${o.side}:${o.price}:${o.remaining}:${o.owner}`)),
      flagged: live.doc.flaggedClients().map((c) => c.clientID),
      /** messages the connection guard dropped, per reason, summed over peers */
      guardDrops: this.room.guard.report().reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.stats.dropped)) acc[k] = (acc[k] ?? 0) + (v ?? 0)
        return acc
      }, {}),
      peers: this.room.peerCount(),
      /** each relay's connection state and the messages its guard dropped */
      relays: this.room.relays.map((r) => ({
        url: r.url,
        status: r.status(),
        strikes: r.guard.stats.strikes,
        /** doc updates Yjs applied, and copies of what the doc held dropped before any decoding */
        updates: r.guard.stats.updates,
        duplicates: r.guard.stats.duplicates,
      })),
      /** the same over WebRTC, summed over connections */
      webrtcUpdates: this.room.guard.report().reduce(
        (acc, r) => ({
          updates: acc.updates + r.stats.updates,
          duplicates: acc.duplicates + r.stats.duplicates,
        }),
        { updates: 0, duplicates: 0 },
      ),
      /** the checkpoint records held (after pruning not every version: Replica.heldCheckpoints) and the newest computed */
      checkpoints: r.heldCheckpoints().map((c) => c.version.toString()),
      latestCheckpoint: r.latestCheckpointVersion.toString(),
      certified: r.latestCertified()?.version.toString() ?? null,
      round: r.dag.maxRound,
      /** the key this participant's next block is signed with, and its rotations (issue #12) */
      signingKey: live.rotations?.current() ?? this.sessionAddress,
      rotations: (live.rotations?.views() ?? []).map((v) => ({
        newKey: v.newKey,
        fromSeq: Number(v.fromSeq),
        announced: v.announced,
        chain: v.chain.phase,
      })),
    }
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private emit(): void {
    for (const l of this.listeners) l()
  }

  /**
   * Other peers' awareness entries: the participant each claims to be and when its state (presence or heartbeat)
   * last arrived, in local ms. Input to updateLiveness.
   */
  seen(): Seen[] {
    const live = this.live
    if (!live) return []
    const meta = this.room.provider.awareness.meta
    for (const p of live.transport.peers())
      this.lastSeen.set(p.clientID, {
        participant: p.participant,
        lastUpdated: meta.get(p.clientID)?.lastUpdated ?? 0,
      })
    // kept after the state is removed: a relay removes a closed tab's state at once (y-webrtc only after 30 s),
    // and "offline since" needs when it was last heard from
    return [...this.lastSeen.values()]
  }

  /** every awareness entry seen, by client id (one per tab ever opened in this channel: small) */
  private readonly lastSeen = new Map<number, Seen>()

  /** Closes the room and the live channel and releases the writer lock. Idempotent. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat)
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer)
    if (this.lagTimer !== undefined) clearInterval(this.lagTimer)
    this.live?.rejoiner.stop()
    this.bases?.destroy()
    this.unsubscribe()
    this.room.provider.off('peers', this.onPeers)
    this.waiting.abort()
    this.live?.session.close()
    this.live?.rotations?.close()
    this.live?.transport.detach()
    this.writerLock?.release()
    this.writerLock = undefined
    this.room.destroy()
    this.listeners.clear()
  }
}
