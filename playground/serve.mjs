// npm run playground: serves the repository on 127.0.0.1 and prints the playground's URL.
import { serve } from "../scripts/serve.mjs";

const root = new URL("..", import.meta.url).pathname;
const { url } = await serve(root, Number(process.env.PORT ?? 8123));
console.log(`softmax-wasm playground: ${url}/playground/index.html   (Ctrl-C to stop)`);
