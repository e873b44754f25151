// npm run playground (and npm run bench:browser): serves the repository on 127.0.0.1 and prints
// the URLs of the playground and of the browser benchmark page.
import { serve } from "../scripts/serve.mjs";

const root = new URL("..", import.meta.url).pathname;
const { url } = await serve(root, Number(process.env.PORT ?? 8123));
console.log(`softmax-wasm playground:     ${url}/playground/index.html`);
console.log(`browser benchmark page:     ${url}/bench/browser/index.html   (Ctrl-C to stop)`);
