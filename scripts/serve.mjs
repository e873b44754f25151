// A static server on 127.0.0.1 only, for the browser tests and the playground. Paths under /csp/
// are served with a Content-Security-Policy lacking 'wasm-unsafe-eval', so compiling WebAssembly
// throws there.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

export function serve(root, port = 0) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const csp = url.pathname.startsWith("/csp/");
    const path = normalize(csp ? url.pathname.slice(4) : url.pathname);
    try {
      const body = await readFile(join(root, path));
      const headers = { "content-type": TYPES[extname(path)] ?? "application/octet-stream" };
      if (csp) headers["content-security-policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'";
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}
