import { useState } from 'react'
import { useConnectorClient } from 'wagmi'
import { SettlementRevertedError } from '../../chain/errors.ts'
import type { WriteClient } from '../../chain/types.ts'

export type ActionState = { label: string; status: 'running' | 'done' | 'failed'; message?: string }

/** Short, human message for a wallet or contract failure: the decoded custom error if there is one. */
export function describeError(e: unknown): string {
  if (e instanceof SettlementRevertedError) return e.message.split('\n')[0]!
  const err = e as { shortMessage?: string; message?: string }
  return (err.shortMessage ?? err.message ?? String(e)).split('\n')[0]!
}

/**
 * Runs one wallet action at a time with visible progress ("Waiting for wallet…", then done or the decoded
 * error). `run` passes the connected wallet's client to the action.
 */
export function useWalletAction() {
  const { data: client } = useConnectorClient()
  const [state, setState] = useState<ActionState | undefined>()
  const run = async <T,>(
    label: string,
    action: (client: WriteClient) => Promise<T>,
  ): Promise<T | undefined> => {
    if (!client) {
      setState({ label, status: 'failed', message: 'connect a wallet first' })
      return undefined
    }
    setState({ label, status: 'running' })
    try {
      const out = await action(client as unknown as WriteClient)
      setState({ label, status: 'done' })
      return out
    } catch (e) {
      setState({ label, status: 'failed', message: describeError(e) })
      return undefined
    }
  }
  return {
    client: client as unknown as WriteClient | undefined,
    state,
    run,
    busy: state?.status === 'running',
  }
}

export function ActionStatus({ state }: { state: ActionState | undefined }) {
  if (!state) return null
  return (
    <p
      className={state.status === 'failed' ? 'error' : state.status === 'done' ? 'ok' : 'muted'}
      role="status"
    >
      {state.label}:{' '}
      {state.status === 'running'
        ? 'waiting for the wallet and the chain…'
        : state.status === 'done'
          ? 'done'
          : state.message}
    </p>
  )
}
