import base from './playwright.config.ts'

/** The sync benchmark (`npm run bench:sync`): same stack and browser settings, its own files. */
export default { ...base, testDir: 'e2e/bench', testMatch: '**/*.bench.ts', timeout: 900_000 }
