// One greedy generation with node-llama-cpp's own LlamaCompletion in a fresh process at a given thread count, as a
// user's process runs it (cold, like `localtune generate`): prints its decode tokens/s. Used by generate-defaults.ts.
import { getLlama, LlamaCompletion } from "node-llama-cpp";

const [model, prompt, maxTokens, threads] = process.argv.slice(2);
const llama = await getLlama({ build: "never" });
const loaded = await llama.loadModel({ modelPath: model! });
const context = await loaded.createContext({ contextSize: 1024, threads: Number(threads) });
const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
let tokens = 0;
let first: number | undefined;
await completion.generateCompletion(prompt!, { temperature: 0, maxTokens: Number(maxTokens), onToken: (t) => { first ??= performance.now(); tokens += t.length; } });
console.log(`${(((tokens - 1) * 1000) / (performance.now() - (first ?? performance.now()))).toFixed(1)} tokens/s (${llama.gpu === false ? "cpu" : llama.gpu} build)`);
process.exit(0);
