import { type ParseArgsConfig, parseArgs } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * The command-line options of one of our commands, as `parseArgs` (strict) reads them, plus `--help` / `-h`: the
 * usage on stdout and exit 0. An unknown option, a missing value or a stray argument prints what is wrong and the
 * usage on stderr and exits 2, instead of Node's stack trace.
 */
export function parseCli<const O extends Options>(
  usage: string,
  options: O,
  args: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values'] {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as const
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args, options: withHelp, strict: true, allowPositionals: false }).values
  } catch (e) {
    usageError(usage, e instanceof Error ? e.message : String(e))
  }
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  delete values.help
  return values as ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values']
}

/** `v` as an integer ≥ `min`, or the usage and exit 2 naming `--name`. */
export function intOption(usage: string, name: string, v: string, min = 1): number {
  const x = Number(v)
  if (v.trim() === '' || !Number.isSafeInteger(x) || x < min) {
    usageError(usage, `--${name} must be an integer ≥ ${min}, got '${v}'`)
  }
  return x
}

/** What is wrong with the command line, then the usage, on stderr; exit 2. */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}
