import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './ui/app/App.tsx'
import { SimulatorPage } from './ui/SimulatorPage.tsx'
import './ui/theme.css'

// signature recovery (libsecp256k1, 1.2 MB) and keccak256 in WebAssembly load in the background; until they arrive
// the JavaScript implementations give the same verdicts and ids (src/core/wasmCrypto.ts)
void import('./core/wasmCrypto.ts')
  .then(() => {
    document.documentElement.dataset.crypto = 'wasm'
  })
  .catch((e: unknown) => console.warn('WebAssembly crypto not loaded; staying on JavaScript', e))

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>{location.hash.startsWith('#/simulator') ? <SimulatorPage /> : <App />}</StrictMode>,
)
