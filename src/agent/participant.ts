// agents run in Node: signature recovery and keccak256 in WebAssembly (src/core/wasmCrypto.ts)
import '../core/wasmCrypto.ts'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { readDepositRecords } from '../chain/readers/readDepositRecords.ts'
import { readForcedQueue } from '../chain/readers/readForcedQueue.ts'
import type { ChainHead } from '../chain/watch/chainHead.ts'
import { createChainWatch } from '../chain/watch/chainWatch.ts'
import { AGENT_HEAD_POLICY } from '../chain/watch/headPolicy.ts'
import { fromHex, type Hex, toHex } from '../core/bytes.ts'
import { type Channel, openChannel, sessionKeyDigest } from '../core/channel.ts'
import { completeDraft, draftChannelId, type Invite, roomOf } from '../core/invite.ts'
import { type Op, OpTag } from '../core/ops.ts'
import type { SettlementPhase } from '../core/phase.ts'
import { Replica } from '../core/replica.ts'
import { addressFromPrivateKey, signDigest } from '../core/signature.ts'
import { encodeBase } from '../core/snapshot/base.ts'
import type { PrunePolicy } from '../core/snapshot/prunePolicy.ts'
import type { DepositRecord } from '../core/state.ts'
import { forcedAttestations } from '../store/forced.ts'
import { HEARTBEAT_MS, heartbeatDue } from '../store/liveness.ts'
import { Pruner } from '../store/pruner.ts'
import { refusedOwnBlocksError } from '../store/refusedOwnBlocks.ts'
import { type CatchUpStatus, Rejoiner, type Restart } from '../store/rejoin.ts'
import { restoreReplica } from '../store/restoreReplica.ts'
import { ChannelSession } from '../store/session.ts'
import { stakeAttestationsFromChain } from '../store/stake.ts'
import { type SubmitOutcome, submitChecked } from '../store/submit.ts'
import { ChannelDoc } from '../sync/channelDoc.ts'
import { Lobby } from '../sync/lobby.ts'
import { PeerBases } from '../sync/peerBases.ts'
import { startPresence } from '../sync/presence.ts'
import { joinRelay, type RelayLink, relayDocName, type WebSocketClass } from '../sync/relay.ts'
import { readPhase } from './chainPhase.ts'
import { openFileBlockStore } from './fileBlockStore.ts'

type FileBlockStore = ReturnType<typeof openFileBlockStore>

/** how often the agent asks its Pruner whether a pruning is due (the browser runtime's PRUNE_CHECK_MS) */
const PRUNE_CHECK_MS = 1000

export type StartParticipantParameters = {
  invite: Invite
  /** the participant's wallet key: signs the session-key authorisation once, like the browser wallet does */
  walletKey: Uint8Array
  /** relay URLs (Node has no WebRTC: the relay is the only transport) */
  relay: string[]
  /** where the session key and own blocks live, per (channel, participant) below it */
  dataDir: string
  /**
   * JSON-RPC of the channel's chain, to read deposit and forced records and attest them; none: no chain reads, so no
   * checkpoint signatures either (the replica defers them until it has read the forced queue: core censorship.ts)
   */
  rpcUrl?: string
  WebSocket: WebSocketClass
  /** how often the chain head is polled (ms, jittered); deposit records are read once per new head */
  pollMs?: number
  /** when to prune (prunePolicy.ts; default the app's); pruning needs the phase, so --rpc */
  prune?: PrunePolicy
}

/** An agent's chain requests may queue behind a hundred others on one node: wait this long before giving up (ms). */
const RPC_TIMEOUT_MS = 30_000

export type Live = {
  channel: Channel
  replica: Replica
  doc: ChannelDoc
  session: ChannelSession
  pruner: Pruner
  /** the checkpoint this start restored from (its pruned base), undefined when it replayed every stored block */
  restoredFrom: bigint | undefined
  /** catching up from a peer's certified base when behind everyone's pruning point (issue #8) */
  rejoiner: Rejoiner
  /** stops what this live channel runs (its pruning timer, presence); a restart makes a new one */
  stop: () => void
}

/**
 * A participant without a browser: the same core (Replica), sync (ChannelDoc, Lobby, presence, guarded relay
 * link) and store (ChannelSession, submitChecked) as the app, over the relay only. Its session key is generated
 * once and kept in its data directory; its wallet key authorises it in the lobby. Own blocks are written to disk
 * (fileBlockStore.ts: fsynced) before they are published, and reloaded first on a restart so the next seq follows
 * them. A lock file keeps a second process from writing for the same (channel, participant).
 */
export class HeadlessParticipant {
  readonly me: Hex
  readonly meIndex: number
  readonly doc = new Y.Doc()
  readonly awareness: Awareness
  readonly relays: RelayLink[]
  readonly lobby: Lobby
  live: Live | undefined
  /** catching up from a peer's base (issue #8): kept across the restart it causes */
  catchUp: CatchUpStatus = { phase: 'idle' }
  private bases: PeerBases | undefined
  private restarting = false
  /** the last error of a deposit read (the next poll retries) */
  chainError: string | undefined
  /** the channel's settlement phase on chain as last read ('unknown' without --rpc: then it never prunes) */
  phase: SettlementPhase = 'unknown'
  private readonly sessionKey: Uint8Array
  private readonly dir: string
  private readonly timers: ReturnType<typeof setInterval>[] = []
  private stopChain: (() => void) | undefined
  /** reads the chain's deposit records and forced queue for the live replica now (undefined without rpcUrl) */
  private readChain: (() => void) | undefined
  /** the agent's view of the chain head (undefined without rpcUrl or before going live) */
  chainHead: ChainHead | undefined
  private lockFile: string | undefined

  constructor(readonly p: StartParticipantParameters) {
    this.me = addressFromPrivateKey(p.walletKey)
    this.meIndex = p.invite.draft.participants.findIndex(
      (x) => x.address.toLowerCase() === this.me.toLowerCase(),
    )
    if (this.meIndex < 0) throw new Error(`${this.me} is not a participant of this channel`)
    const channelId = toHex(draftChannelId(p.invite.draft))
    this.dir = join(p.dataDir, `${channelId.slice(2, 18)}-${this.me.toLowerCase().slice(2, 12)}`)
    mkdirSync(this.dir, { recursive: true })
    this.lock()
    this.sessionKey = loadOrCreateKey(join(this.dir, 'session.key'))
    const { room, password } = roomOf(p.invite)
    this.awareness = new Awareness(this.doc)
    const name = relayDocName(room, password)
    this.relays = p.relay.map((url) =>
      joinRelay({ url, name, doc: this.doc, awareness: this.awareness, WebSocket: p.WebSocket }),
    )
    this.lobby = new Lobby(this.doc, p.invite.draft)
    const draft = p.invite.draft
    const sessionAddress = addressFromPrivateKey(this.sessionKey)
    const digest = sessionKeyDigest(
      { chainId: draft.chainId, verifyingContract: draft.verifyingContract },
      draftChannelId(draft),
      this.me,
      sessionAddress,
    )
    this.lobby.publish({
      participant: this.me,
      sessionKey: sessionAddress,
      signature: toHex(signDigest(digest, p.walletKey)),
    })
  }

  /** Resolves once every participant has authorised a session key and the channel is live here. */
  async goLive(signal?: AbortSignal): Promise<Live> {
    while (this.lobby.auths().length < this.p.invite.draft.participants.length) {
      if (signal?.aborted) throw new Error('stopped before the channel went live')
      await new Promise((r) => setTimeout(r, 100))
    }
    if (this.live) return this.live
    const config = completeDraft(this.p.invite.draft, this.lobby.auths())
    const mine = config.participants[this.meIndex]!
    if (mine.sessionKey.toLowerCase() !== addressFromPrivateKey(this.sessionKey).toLowerCase())
      throw new Error('the lobby holds another session key for this wallet (another data directory?)')
    const channel = openChannel(config)
    const store = openFileBlockStore(join(this.dir, 'blocks'))
    this.bases = new PeerBases({ doc: this.doc, channel, me: this.meIndex })
    await this.startLive(channel, store)
    // behind everyone's pruning point (a long absence): restart from a peer's certified base (store/rejoin.ts)
    this.timers.push(setInterval(() => void this.checkLag(channel, store), PRUNE_CHECK_MS))
    // every heartbeat carries the whole awareness state to every other participant: in a large channel an agent
    // beats less often (2.5 s at 100 participants; browsers count a participant offline after 4 s of silence)
    const beatMs = Math.min(2500, Math.max(HEARTBEAT_MS, config.participants.length * 25))
    this.timers.push(
      setInterval(() => {
        const now = Date.now()
        if (heartbeatDue(this.awareness.meta.get(this.awareness.clientID)?.lastUpdated, now, beatMs))
          this.awareness.setLocalStateField('hb', now)
      }, beatMs),
    )
    if (this.p.rpcUrl) {
      // one chain head per agent (eth_blockNumber every few seconds, jittered, backing off while the node is slow):
      // deposit records are read only when a block was mined, and only the ones not read before
      const node = createPublicClient({
        transport: http(this.p.rpcUrl, { timeout: RPC_TIMEOUT_MS, retryCount: 1 }),
      })
      const watch = createChainWatch(
        node,
        this.p.pollMs === undefined ? AGENT_HEAD_POLICY : { ...AGENT_HEAD_POLICY, intervalMs: this.p.pollMs },
        { timeoutMs: RPC_TIMEOUT_MS },
      )
      this.chainHead = watch.head
      const records: DepositRecord[] = []
      let busy = false
      let again = false
      const read = async () => {
        if (busy) {
          again = true
          return
        }
        busy = true
        try {
          const fresh = await readDepositRecords(watch.client, {
            address: config.verifyingContract,
            channelId: toHex(channel.channelId),
            fromIndex: BigInt(records.length),
          })
          for (const r of fresh) if (r.index === BigInt(records.length)) records.push(r)
          this.attestDeposits(records)
          // the forced queue as of this block: its records are attested like deposits, and without a fresh read
          // the replica signs no checkpoint (core censorship.ts: a due record left out costs the bond)
          const queue = await readForcedQueue(watch.client, {
            address: config.verifyingContract,
            channelId: toHex(channel.channelId),
            fromIndex: this.live!.replica.forcedReadFrom(),
          })
          const replica = this.live!.replica
          replica.noteForcedQueue(queue)
          if (this.live!.rejoiner.lagging) return
          for (const op of forcedAttestations(replica, this.meIndex, queue.records)) this.submit(op)
          // minStake (issue #12): the channel trades only once q attested every participant's bond
          for (const op of await stakeAttestationsFromChain(watch.client, channel, replica, this.meIndex))
            this.submit(op)
          this.chainError = undefined
        } catch (e) {
          // not open on chain yet, or the node is away: the next block (or poll) retries
          this.chainError = e instanceof Error ? e.message.split('\n')[0] : String(e)
          again = true
        } finally {
          busy = false
        }
        if (again && this.stopChain) {
          again = false
          setTimeout(() => void read(), this.chainError ? AGENT_HEAD_POLICY.intervalMs : 0)
        }
      }
      // the settlement phase (pruning waits for 'open'): read at once and at every new head, like the deposits
      const channelId = toHex(channel.channelId)
      const phase = async () => {
        this.phase = await readPhase(watch.client, config.verifyingContract, channelId)
      }
      void phase()
      this.readChain = () => void read()
      this.stopChain = watch.head.subscribe(() => {
        void read()
        void phase()
      })
    }
    return this.live!
  }

  /**
   * The live channel on `store`: a replica from the stored base (or from `restart`'s verified peer base, stored as
   * ours first), the doc binding, the session (persist before publish), own blocks replayed, pruning and presence.
   */
  private async startLive(channel: Channel, store: FileBlockStore, restart?: Restart): Promise<Live> {
    const offered = restart && encodeBase(restart.base)
    if (offered) await store.storeBase(offered, 0)
    const baseBytes = offered ?? (await store.loadBase())
    // the pruned base first (the browser runtime's order), then the own blocks above it are the tail
    const { replica, restoredFrom } = restoreReplica(
      () => new Replica(channel, { author: { index: this.meIndex, sessionKey: this.sessionKey } }),
      baseBytes,
    )
    const doc = new ChannelDoc({
      doc: this.doc,
      replica,
      ownAuthor: this.meIndex,
      schedule: (f) => setImmediate(f),
    })
    const session = new ChannelSession(replica, {
      now: () => Date.now(),
      persist: (bytes) => store.append(bytes),
      publish: (bytes) => doc.publishOwn(bytes),
    })
    // propose in the task that admitted the blocks opening a round, not on a later timer
    doc.subscribe(() => session.tick())
    const refused = refusedOwnBlocksError(doc.ingestDurable(await store.load()))
    if (refused) throw new Error(refused)
    // entries of pruned blocks the doc still holds (peers that pruned less): never decoded, deleted here
    if (restoredFrom !== undefined) doc.dropPruned()
    const bases = this.bases!
    if (restoredFrom !== undefined && baseBytes) bases.publish(baseBytes)
    const pruner = new Pruner({
      replica,
      doc,
      store,
      me: this.meIndex,
      phase: () => this.phase,
      ...(this.p.prune ? { policy: this.p.prune } : {}),
      bases,
    })
    const pruneTimer = setInterval(() => void pruner.check(), PRUNE_CHECK_MS)
    const stopPresence = startPresence({
      awareness: this.awareness,
      replica,
      channelDoc: doc,
      participant: this.meIndex,
    }).stop
    const rejoiner = new Rejoiner({
      bases,
      replica,
      make: () => new Replica(channel, {}),
      hold: () => session.hold(),
      ...(restart ? { restoredFrom: { from: restart.status.from, version: restart.base.version } } : {}),
    })
    // before anything can seal: an empty replica in a channel with a history is held at once
    rejoiner.check(Date.now())
    const stop = () => {
      clearInterval(pruneTimer)
      stopPresence()
      rejoiner.stop()
    }
    this.live = { channel, replica, doc, session, pruner, restoredFrom, rejoiner, stop }
    return this.live
  }

  /** One catch-up check: restarts the live channel from a peer's verified base when it lags (store/rejoin.ts). */
  private async checkLag(channel: Channel, store: FileBlockStore): Promise<void> {
    const live = this.live
    if (!live || this.restarting) return
    const now = Date.now()
    const restart = live.rejoiner.check(now)
    if (live.rejoiner.status.phase !== 'idle' || this.catchUp.phase !== 'restored')
      this.catchUp = live.rejoiner.status
    if (!restart) return
    const since = now - live.rejoiner.elapsed(now)
    this.restarting = true
    try {
      live.stop()
      live.session.close()
      live.doc.destroy()
      await this.startLive(channel, store, restart)
      this.catchUp = { ...restart.status, phase: 'restored', ms: Date.now() - since }
      // the new replica has read nothing from the chain: without a read of the forced queue it signs no checkpoint
      // (core censorship.ts), and on a quiet chain the next head (the next read) may be long in coming
      this.readChain?.()
    } catch (e) {
      this.catchUp = { phase: 'failed', reason: e instanceof Error ? e.message : String(e) }
    } finally {
      this.restarting = false
    }
  }

  /** Like the browser runtime's syncDeposits: attests every record neither credited nor attested by us yet. */
  private attestDeposits(records: readonly DepositRecord[]) {
    const live = this.live
    // nothing is attested while catching up (an empty replica would attest every deposit again)
    if (!live || live.rejoiner.lagging) return
    const attested = new Set<bigint>()
    for (const n of live.replica.order)
      if (n.author === this.meIndex)
        for (const op of n.block.ops) if (op.tag === OpTag.Deposit) attested.add(op.depositIndex)
    for (const op of live.replica.batchedOps()) if (op.tag === OpTag.Deposit) attested.add(op.depositIndex)
    for (const r of records)
      if (!live.replica.state.isCredited(r.index) && !attested.has(r.index))
        this.submit({
          tag: OpTag.Deposit,
          depositIndex: r.index,
          participant: r.participant,
          token: r.token,
          amount: r.amount,
        })
  }

  /** The app's submit path: refused (never thrown) when the channel is not live or the op cannot be encoded. */
  submit(op: Op): SubmitOutcome {
    if (!this.live) return { ok: false, reason: 'the channel is not live yet' }
    if (this.live.rejoiner.lagging || this.restarting)
      return { ok: false, reason: 'catching up with the others from a checkpoint' }
    return submitChecked(this.live.session, op, 'open')
  }

  /** Seals and persists what is pending, then leaves the relays and releases the data directory. Idempotent. */
  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t)
    this.stopChain?.()
    this.stopChain = undefined
    if (this.live) {
      await this.live.session.flush()
      this.live.session.close()
      this.live.stop()
    }
    this.bases?.destroy()
    for (const r of this.relays) r.destroy()
    this.relays.length = 0
    this.awareness.destroy()
    if (this.lockFile) rmSync(this.lockFile, { force: true })
    this.lockFile = undefined
  }

  private lock(): void {
    const file = join(this.dir, 'lock')
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8'))
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid))
        throw new Error(`another agent (pid ${pid}) writes for this participant in ${this.dir}`)
      rmSync(file, { force: true })
    }
    closeSync(openSync(file, 'wx'))
    writeFileSync(file, String(process.pid))
    this.lockFile = file
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function loadOrCreateKey(file: string): Uint8Array {
  if (existsSync(file)) return fromHex(readFileSync(file, 'utf8').trim() as Hex, 32)
  const key = new Uint8Array(randomBytes(32))
  writeFileSync(file, toHex(key), { mode: 0o600 })
  return key
}
