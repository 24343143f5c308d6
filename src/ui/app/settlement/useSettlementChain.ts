import { useEffect, useRef, useState } from 'react'
import type { Hex } from 'viem'
import { readContract } from 'viem/actions'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import { channelSettlementAbi } from '../../../chain/generated/abis.ts'
import { getChannelInfo } from '../../../chain/readers/getChannelInfo.ts'
import { type GetDisputeStatusReturnType, getDisputeStatus } from '../../../chain/readers/getDisputeStatus.ts'
import { getParticipantInfo } from '../../../chain/readers/getParticipantInfo.ts'
import { readDepositRecords } from '../../../chain/readers/readDepositRecords.ts'
import type { PendingProposal } from '../../../chain/readers/readPendingProposal.ts'
import { type ChannelInfo, ChannelStatus, type ReadClient, type WriteClient } from '../../../chain/types.ts'
import type { ChainView as TowerChainView } from '../../../chain/watchtower/decide.ts'
import { toHex } from '../../../core/bytes.ts'
import type { SignedCheckpoint } from '../../../core/checkpoint.ts'
import {
  type ChainReadiness,
  readChainReadiness,
  withChainSignatures,
} from '../../../store/chainSignatures.ts'
import { type CloseOutcome, readCloseOutcome } from '../../../store/closeOutcome.ts'
import { closedTogether } from '../../../store/closeTogether.ts'
import { createKeyRangeCache } from '../../../store/keyRangeCache.ts'
import type { ChannelRuntime } from '../../../store/runtime.ts'
import {
  findCheckpoint,
  proposable,
  proposeOnChain,
  provableConflicts,
  type SettlementContext,
  slashConflictOnChain,
  unclaimedTokens,
} from '../../../store/settlement.ts'
import { type DepositRecordView, refundable } from '../../../store/settlementPlan.ts'
import {
  censorshipSlashesFor,
  slashCensorshipOnChain,
  slashStaleOnChain,
  staleSlashFor,
  type TowerSlash,
} from '../../../store/towerSlash.ts'
import { type TowerAttempt, type TowerStep, towerStep } from '../../../store/watchtower.ts'
import { ChainClock } from '../../chainClock.ts'
import { pokeChain, useChainWatch } from '../useChainWatch.ts'
import { describeError } from '../useWalletAction.tsx'

/** A participant's app waits this long per index before challenging, so honest towers do not all send at once. */
const TOWER_STAGGER_MS = 3000

export type ChainView = {
  status: GetDisputeStatusReturnType
  /** balances root of the pending or final checkpoint on chain */
  balancesRoot: Hex
  /** the final (or pending) checkpoint's deposit count: records at or above it are refundable after finalization */
  creditedDeposits: bigint
  disputeWindow: bigint
  /** per watched participant index (offenders, and this participant): its bond and whether it was slashed */
  bonds: Map<number, { bond: bigint; slashed: boolean }>
  /** after finalization: deposit records the final checkpoint does not credit and nobody refunded yet */
  refunds: DepositRecordView[]
  /**
   * after finalization: tokens the final checkpoint still owes this participant (undefined: not known here); after a
   * close together: tokens left in its pull balance (a payout the contract could not push)
   */
  unclaimed: number | undefined
  /** finalized by a cooperative close with every leaf paid (no root kept): what it paid, what is left to withdraw */
  closed: CloseOutcome | undefined
}

/** After finalization, what the contract still owes this participant and, after a close together, what it paid. */
async function readFinalPayouts(
  client: ReadClient,
  replica: NonNullable<ChannelRuntime['live']>['replica'],
  ctx: SettlementContext,
  info: ChannelInfo,
  /** what an earlier read of this close found */
  before: CloseOutcome | undefined,
): Promise<Pick<ChainView, 'unclaimed' | 'closed'>> {
  if (closedTogether(info)) {
    const closed = await readCloseOutcome(client, ctx, before?.payouts)
    return { closed, unclaimed: closed.owed.filter((o) => o.amount > 0n).length }
  }
  const final = findCheckpoint(replica, info.checkpoint.version, info.checkpoint.balancesRoot)
  return { closed: undefined, unclaimed: final ? await unclaimedTokens(client, ctx, final) : undefined }
}

/**
 * The Settlement panel's view of the chain, read again on each new block (and when a newer checkpoint is
 * certified here): dispute status, the checkpoint on chain, bonds of
 * the watched participants, refundable deposits and, after finalization, what the contract still owes this
 * participant. The open app is also a watchtower: a stale proposal is challenged with the newest certified
 * checkpoint, once per proposal, staggered by participant index so honest towers do not all send at once; before
 * the challenge (unless urgent) the stale proposer is slashed when it had signed that checkpoint long enough before
 * (slashStaleProposal), and a participant proven to have signed two checkpoints at one version is slashed once.
 * Each poll also reads which signatures of the newest certified checkpoint the contract accepts (`readiness`): a
 * key rotation not mined yet leaves its signature out, and a proposal waits while fewer than the threshold remain.
 */
export function useSettlementChain({
  live,
  ctx,
  watchedKey,
  client,
  readOnly,
}: {
  live: NonNullable<ChannelRuntime['live']>
  ctx: SettlementContext
  /** participant indexes whose bonds to read, comma-separated (this participant and the offenders) */
  watchedKey: string
  client: WriteClient | undefined
  readOnly: boolean
}) {
  const me = ctx.me
  // the tab's chain head and shared reads: everything below is read again once per new block
  const { client: publicClient, head } = useChainWatch()
  // a newly certified checkpoint changes which signatures to check on chain, without any block
  const bestDigest = proposable(live.replica)?.digest
  const [chain, setChain] = useState<ChainView | undefined>()
  const clock = useRef(new ChainClock()).current
  const [wallMs, setWallMs] = useState(() => Date.now())
  // the watchtower: what the last poll decided, what it sent, and which proposals it already answered
  const [tower, setTower] = useState<TowerStep | undefined>()
  const [attempt, setAttempt] = useState<TowerAttempt | undefined>()
  const [readiness, setReadiness] = useState<ChainReadiness | undefined>()
  const [slashes, setSlashes] = useState<TowerSlash[]>([])
  const closedRead = useRef<CloseOutcome | undefined>(undefined)
  const attempted = useRef(new Set<string>()).current
  const slashTried = useRef(new Set<string>()).current
  const proposals = useRef(new Map<string, PendingProposal>()).current
  const recordTimes = useRef(new Map<bigint, bigint>()).current
  const firstSeen = useRef(new Map<string, number>()).current
  // signers and key ranges of the proposable checkpoint's signatures, not read again on every block
  const ranges = useRef(createKeyRangeCache()).current
  const towerDeps = useRef({ client, readOnly })
  towerDeps.current = { client, readOnly }

  // biome-ignore lint/correctness/useExhaustiveDependencies: bestDigest is a trigger (readiness of a new checkpoint)
  useEffect(() => {
    if (!publicClient || head === undefined) return
    let stop = false
    // the watchtower's stagger: a decision waiting for its turn is taken again from the same head (cached reads)
    let again: ReturnType<typeof setTimeout> | undefined
    const channelId = toHex(live.channel.channelId)
    const participants = live.channel.config.participants
    const watched = watchedKey.split(',').map(Number)
    const track = (s: TowerSlash) => setSlashes((list) => [...list.filter((x) => x.key !== s.key), s])
    /** sends one slash, once per evidence key; never throws (a failed slash never blocks a challenge) */
    const slashOnce = async (
      key: string,
      what: Pick<TowerSlash, 'offence' | 'offender'>,
      c: WriteClient,
      send: () => Promise<string>,
    ) => {
      if (slashTried.has(key)) return
      slashTried.add(key)
      track({ key, ...what, phase: 'sending' })
      let tx: string | undefined
      try {
        tx = await send()
        await confirmTransaction(c, { hash: tx as Hex })
        track({ key, ...what, phase: 'done', tx })
      } catch (e) {
        track({ key, ...what, phase: 'failed', error: describeError(e), ...(tx ? { tx } : {}) })
      }
      pokeChain()
    }
    const challenge = (
      key: string,
      version: bigint,
      against: bigint,
      c: WriteClient,
      cp: SignedCheckpoint,
      slashFirst: { info: ChannelInfo; now: bigint } | undefined,
    ) => {
      attempted.add(key)
      setAttempt({ key, version, against, phase: 'sending' })
      let tx: string | undefined
      // the stale proposer's bond first: once challenged, the challenger is the proposer
      const before = slashFirst
        ? staleSlashFor(publicClient, ctx, slashFirst.info, slashFirst.now, cp, proposals)
            .then((d) =>
              d.slash
                ? slashOnce(
                    `stale:${slashFirst.info.checkpoint.digest}:${cp.digest}`,
                    { offence: 'stale-proposal', offender: d.offender },
                    c,
                    () => slashStaleOnChain(c, ctx, cp),
                  )
                : undefined,
            )
            .catch(() => undefined)
        : Promise.resolve()
      before
        .then(() => proposeOnChain(c, ctx, cp))
        .then(async (hash) => {
          tx = hash
          await confirmTransaction(c, { hash })
          pokeChain()
          setAttempt({ key, version, against, phase: 'done', tx: hash })
        })
        .catch((e: unknown) =>
          setAttempt({
            key,
            version,
            against,
            phase: 'failed',
            error: describeError(e),
            ...(tx ? { tx } : {}),
          }),
        )
    }
    const poll = async () => {
      try {
        const [status, info, ...members] = await Promise.all([
          getDisputeStatus(publicClient, { address: ctx.contract, channelId }),
          getChannelInfo(publicClient, { address: ctx.contract, channelId }),
          ...watched.map((i) =>
            getParticipantInfo(publicClient, {
              address: ctx.contract,
              channelId,
              participant: participants[i]!.address,
            }),
          ),
        ])
        let refunds: DepositRecordView[] = []
        if (status.phase === 'finalized' && info.depositCount > info.checkpoint.depositCount) {
          const records = await readDepositRecords(publicClient, {
            address: ctx.contract,
            channelId,
            fromIndex: info.checkpoint.depositCount,
          })
          const done = await Promise.all(
            records.map((r) =>
              readContract(publicClient, {
                address: ctx.contract,
                abi: channelSettlementAbi,
                functionName: 'isRefunded',
                args: [channelId, r.index],
              }),
            ),
          )
          refunds = refundable(
            records,
            true,
            info.checkpoint.depositCount,
            new Set(records.filter((_, i) => done[i]).map((r) => r.index)),
          )
        }
        const paid: Pick<ChainView, 'unclaimed' | 'closed'> =
          status.phase === 'finalized'
            ? await readFinalPayouts(publicClient, live.replica, ctx, info, closedRead.current)
            : { unclaimed: undefined, closed: undefined }
        if (stop) return
        clock.observe(status.now, Date.now())
        setWallMs(Date.now())
        const bonds = new Map(
          watched.map((i, k) => [i, { bond: members[k]!.bond, slashed: members[k]!.slashed }]),
        )
        setChain({
          status,
          balancesRoot: info.checkpoint.balancesRoot,
          creditedDeposits: info.checkpoint.depositCount,
          disputeWindow: info.disputeWindow,
          bonds,
          refunds,
          ...paid,
        })
        closedRead.current = paid.closed
        // the watchtower's step: decided by the chain layer's rule, sent once per stale proposal
        const view: TowerChainView = {
          status: info.status as ChannelStatus,
          version: info.checkpoint.version,
          digest: info.checkpoint.digest,
          deadline: info.deadline,
          now: status.now,
          threshold: info.threshold,
          depositCount: info.depositCount,
          forcedCount: info.forcedCount,
        }
        // only the signatures the contract accepts: a rotation not mined yet would make the challenge revert
        const best = proposable(live.replica)
        const ready =
          best &&
          (await readChainReadiness(
            publicClient,
            { contract: ctx.contract, channelId },
            best,
            participants.map((p) => p.address),
            info.threshold,
            ranges,
          ))
        if (stop) return
        setReadiness(ready)
        const held = best && ready ? withChainSignatures(best, ready) : best
        const step = towerStep(view, held, attempted, 60n)
        setTower(step)
        const { client: c, readOnly: ro } = towerDeps.current
        const waited = (key: string) => {
          const seen = firstSeen.get(key) ?? Date.now()
          firstSeen.set(key, seen)
          const ok = Date.now() - seen >= me * TOWER_STAGGER_MS
          if (!ok && again === undefined && !stop)
            again = setTimeout(
              () => {
                again = undefined
                void poll()
              },
              seen + me * TOWER_STAGGER_MS - Date.now(),
            )
          return ok
        }
        if (step.send && c && !ro && held && step.decision.action === 'challenge') {
          const { urgent } = step.decision
          if (urgent || waited(step.key))
            challenge(
              step.key,
              step.decision.version,
              view.version,
              c,
              held,
              urgent ? undefined : { info, now: status.now },
            )
        }
        // two checkpoints at one version signed by one participant: slash it once, while it is not slashed
        if (c && !ro)
          for (const cf of provableConflicts(live.replica.checkpointConflicts)) {
            const key = `conflict:${cf.author}:${cf.version}`
            if (bonds.get(cf.author)?.slashed !== false || slashTried.has(key) || !waited(key)) continue
            void slashOnce(key, { offence: 'checkpoint-conflict', offender: cf.author }, c, () =>
              slashConflictOnChain(c, ctx, cf),
            )
          }
        // a signature on a checkpoint leaving out a forced op already due: slash its signer once, while evidence counts
        const evidenceOpen =
          info.status === ChannelStatus.Open || status.now < info.deadline + info.disputeWindow
        if (c && !ro && evidenceOpen && info.forcedCount > 0n)
          for (const e of await censorshipSlashesFor(publicClient, ctx, live.replica, info, recordTimes)) {
            const key = `censorship:${e.offender}`
            if (slashTried.has(key) || !waited(key)) continue
            void slashOnce(key, { offence: 'censorship', offender: e.offender }, c, () =>
              slashCensorshipOnChain(c, ctx, e),
            )
          }
      } catch {
        // the next poll retries; the panel keeps the last known state
      }
    }
    void poll()
    return () => {
      stop = true
      clearTimeout(again)
    }
  }, [
    publicClient,
    head,
    bestDigest,
    ctx,
    live.channel,
    live.replica,
    watchedKey,
    clock,
    attempted,
    firstSeen,
    me,
    slashTried,
    proposals,
    recordTimes,
  ])

  const counting = chain?.status.phase === 'disputing'
  // the countdown runs on the wall clock between reads, whether or not the chain mines meanwhile
  useEffect(() => {
    if (!counting) return
    const t = setInterval(() => setWallMs(Date.now()), 250)
    return () => clearInterval(t)
  }, [counting])

  return { chain, clock, wallMs, tower, attempt, readiness, slashes }
}
