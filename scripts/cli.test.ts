import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  })

// the README's commands, as a newcomer types them: usage on --help, what is wrong and the usage on a bad option
// (Node's parseArgs used to end them with a stack trace, and a bad number ran the bench with NaN)
describe('command-line options of our commands (scripts/cli.ts)', () => {
  it.each([
    ['sim.ts', 'npm run sim'],
    ['agent.ts', 'npm run agent'],
    ['relay.ts', 'npm run relay'],
    ['benchReload.ts', 'npm run bench:reload'],
  ])('%s: --help prints the usage and exits 0', (script, command) => {
    const r = run(script, '--help')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain(`usage: ${command} --`)
  })

  it('an unknown option, a missing value or a stray argument: the reason and the usage, exit 2', () => {
    for (const [args, why] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--ops'], /'--ops <value>' argument missing/],
      [['stray'], /Unexpected argument 'stray'/],
    ] as const) {
      const r = run('sim.ts', ...args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(why)
      expect(r.stderr).toContain('usage: npm run sim --')
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('a count that is not a positive integer, or an unknown mix, is refused before any work', () => {
    for (const [args, why] of [
      [['--ops', 'abc'], /--ops must be an integer ≥ 1, got 'abc'/],
      [['--ops', '0'], /--ops must be an integer ≥ 1, got '0'/],
      [['--mix', 'nope'], /--mix must be one of spot, perps, lending, amm, all, got 'nope'/],
    ] as const) {
      const r = run('benchReload.ts', ...args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(why)
      expect(r.stdout).not.toContain('reload of')
    }
  })
})
