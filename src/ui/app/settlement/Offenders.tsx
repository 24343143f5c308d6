import { formatEther, type Hash } from 'viem'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import type { WriteClient } from '../../../chain/types.ts'
import type { CheckpointConflict, Equivocation } from '../../../core/replica.ts'
import { type SettlementContext, slashConflictOnChain, slashOnChain } from '../../../store/settlement.ts'
import type { WalletRun } from '../useWalletAction.tsx'

type Bonds = Map<number, { bond: bigint; slashed: boolean }> | undefined

/** One provable offence: who, what they signed, how to slash them on chain. */
function OffenderRow({
  testId,
  author,
  name,
  offence,
  bonds,
  action,
  button,
  slash,
  run,
  busy,
}: {
  testId: string
  author: number
  name: string | undefined
  offence: string
  bonds: Bonds
  action: string
  button: string
  slash: (c: WriteClient) => Promise<Hash>
  run: WalletRun
  busy: boolean
}) {
  const onChain = bonds?.get(author)
  return (
    <div className="row" data-testid={testId}>
      <span className="down">
        {name} (participant {author + 1}) {offence}
        {onChain &&
          (onChain.slashed ? ' · slashed on chain' : ` · bond on chain ${formatEther(onChain.bond)} ETH`)}
      </span>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(action, async (c, track) => {
            const hash = await slash(c)
            track.sent(hash)
            await confirmTransaction(c, { hash })
          })
        }
      >
        {button}
      </button>
    </div>
  )
}

/**
 * The participants this replica can prove misbehaved — two blocks at one seq, or two checkpoints signed at one
 * version — each with its bond on chain and a button to slash it (the contract slashes each offender once).
 */
export function Offenders({
  equivocations,
  conflicts,
  names,
  bonds,
  ctx,
  run,
  busy,
}: {
  equivocations: readonly Equivocation[]
  conflicts: readonly CheckpointConflict[]
  names: readonly string[]
  bonds: Bonds
  ctx: SettlementContext
  run: WalletRun
  busy: boolean
}) {
  return (
    <>
      {equivocations.map((e) => (
        <OffenderRow
          key={`e${e.author}`}
          testId={`equivocator-${e.author}`}
          author={e.author}
          name={names[e.author]}
          offence={`signed two blocks at seq ${e.seq}`}
          bonds={bonds}
          action="Slash"
          button="Slash bond"
          slash={(c) => slashOnChain(c, ctx, e)}
          run={run}
          busy={busy}
        />
      ))}
      {conflicts.map((cf) => (
        <OffenderRow
          key={`c${cf.author}`}
          testId={`conflict-${cf.author}`}
          author={cf.author}
          name={names[cf.author]}
          offence={`signed two different checkpoints at v${cf.version}`}
          bonds={bonds}
          action="Slash (checkpoints)"
          button="Slash bond for conflicting checkpoints"
          slash={(c) => slashConflictOnChain(c, ctx, cf)}
          run={run}
          busy={busy}
        />
      ))}
    </>
  )
}
