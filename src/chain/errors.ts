import {
  type Abi,
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
} from 'viem'
import { channelSettlementAbi, channelSettlementErrorNotices, testTokenAbi } from './generated/abis.ts'

type AbiError = Extract<Abi[number], { type: 'error' }>

/** Every custom error the settlement contract can bubble up: its own, OpenZeppelin's, and ERC-20 tokens'. */
const errorAbi: Abi = (() => {
  const seen = new Set<string>()
  const out: AbiError[] = []
  for (const item of [...channelSettlementAbi, ...testTokenAbi]) {
    if (item.type !== 'error') continue
    const key = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(item as AbiError)
  }
  return out
})()

export type SettlementRevertedErrorParameters = {
  errorName: string
  args: readonly unknown[]
  /** the ABI parameter names of the error, one per argument ('' when unnamed) */
  argNames: readonly string[]
  data: Hex | undefined
  functionName: string | undefined
  contractAddress: Hex | undefined
  sender: Hex | undefined
  cause: unknown
}

const show = (v: unknown): string =>
  typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v)

/**
 * A contract call reverted: the custom error's name and arguments, decoded against the settlement contract's and
 * token ABIs, with the error's NatSpec notice. `errorName` is 'Error' for require strings, 'Panic' for compiler
 * checks, 'UnknownRevert' when the revert data matches no known error (then `data` holds it raw), and 'OutOfGas'
 * when a mined transaction spent its whole gas limit (confirmTransaction).
 */
export class SettlementRevertedError extends Error {
  override name = 'SettlementRevertedError'
  readonly shortMessage: string
  readonly details: string
  readonly errorName: string
  readonly args: readonly unknown[]
  /** arguments by parameter name, for errors whose parameters are named */
  readonly argsByName: Readonly<Record<string, unknown>>
  readonly notice: string | undefined
  readonly data: Hex | undefined
  readonly functionName: string | undefined

  constructor(p: SettlementRevertedErrorParameters) {
    const shown = p.args.map((a, i) => (p.argNames[i] ? `${p.argNames[i]}: ${show(a)}` : show(a))).join(', ')
    const shortMessage = `${p.errorName}(${shown})`
    const notice = channelSettlementErrorNotices[p.errorName]
    const where = [
      p.functionName && `function: ${p.functionName}`,
      p.contractAddress && `contract: ${p.contractAddress}`,
      p.sender && `sender: ${p.sender}`,
      p.errorName === 'UnknownRevert' && `data: ${p.data ?? '0x'}`,
    ].filter(Boolean)
    const details = where.join(', ')
    super(`${shortMessage}${notice ? ` — ${notice}` : ''}${details ? `\n${details}` : ''}`, {
      cause: p.cause,
    })
    this.shortMessage = shortMessage
    this.details = details
    this.errorName = p.errorName
    this.args = p.args
    this.argsByName = Object.fromEntries(p.argNames.map((n, i) => [n, p.args[i]] as const).filter(([n]) => n))
    this.notice = notice
    this.data = p.data
    this.functionName = p.functionName
  }
}

const isHex = (v: unknown): v is Hex => typeof v === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(v)

/** The raw revert data anywhere in the cause chain: viem keeps it on different errors depending on the path. */
function revertData(error: BaseError): Hex | undefined {
  const reverted = find(error, ContractFunctionRevertedError)
  if (reverted?.raw) return reverted.raw
  const d = error.walk((e) => isHex((e as { data?: unknown }).data)) as unknown as { data: Hex } | null
  if (d) return d.data
  const nested = error.walk((e) => isHex((e as { data?: { data?: unknown } }).data?.data)) as unknown as {
    data: { data: Hex }
  } | null
  return nested?.data.data
}

function find<T extends Error>(error: BaseError, type: abstract new (...args: never[]) => T): T | undefined {
  return (error.walk((e) => e instanceof type) as T | null) ?? undefined
}

/**
 * The decoded revert inside `error` (a viem error thrown by a call, a gas estimate or a write), or undefined when
 * `error` is not a revert — a rejected wallet prompt, a network failure — which callers should rethrow as is.
 */
export function decodeSettlementError(error: unknown): SettlementRevertedError | undefined {
  if (error instanceof SettlementRevertedError) return error
  if (!(error instanceof BaseError)) return undefined
  const exec = find(error, ContractFunctionExecutionError)
  const reverted = find(error, ContractFunctionRevertedError)
  const data = revertData(error)
  if (!reverted && data === undefined) return undefined
  const base = {
    data,
    functionName: exec?.functionName,
    contractAddress: exec?.contractAddress,
    sender: exec?.sender,
    cause: error,
  }
  if (data && data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi: errorAbi, data })
      return new SettlementRevertedError({
        ...base,
        errorName: decoded.errorName,
        args: decoded.args ?? [],
        argNames: (decoded.abiItem as AbiError).inputs.map((i) => i.name ?? ''),
      })
    } catch {
      // not one of ours: fall through to what viem made of it
    }
  }
  if (reverted?.reason !== undefined)
    return new SettlementRevertedError({
      ...base,
      errorName: 'Error',
      args: [reverted.reason],
      argNames: [''],
    })
  return new SettlementRevertedError({ ...base, errorName: 'UnknownRevert', args: [], argNames: [] })
}

/** Rethrows `error` as a SettlementRevertedError when it is a revert, unchanged otherwise. */
export function rethrowDecoded(error: unknown): never {
  throw decodeSettlementError(error) ?? error
}

/** Awaits `promise`, turning a revert into a SettlementRevertedError. */
export async function withDecodedErrors<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise
  } catch (error) {
    rethrowDecoded(error)
  }
}
