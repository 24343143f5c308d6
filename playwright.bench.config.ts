import base from './playwright.config.ts'

/**
 * The sync benchmark (`npm run bench:sync`): same stack and browser settings, its own files. No Playwright trace:
 * recording one (the suites' `retain-on-failure`) screencasts and snapshots every page, which cost the measured
 * machine ~0.15 core in Chromium's GPU process and ~0.1 in Playwright during a 5-context run on 2 cores
 * (docs/BENCHMARKS.md) — load no user's browser carries.
 */
export default {
  ...base,
  testDir: 'e2e/bench',
  testMatch: '**/*.bench.ts',
  timeout: 900_000,
  use: { ...base.use, trace: 'off' as const },
}
