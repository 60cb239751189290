// A local stand-in for the Hugging Face Hub and a plain file host, on 127.0.0.1: it answers exactly the requests
// node-llama-cpp 3.21.1's resolver makes (GET {endpoint}v2/{user}/{repo}/manifests/{tag} -> {"ggufFile":{"rfilename"}};
// GET/HEAD {endpoint}{user}/{repo}/resolve/main/{file}?download=true with byte ranges, as ipull asks for them) and
// logs every request, so tests can assert what was downloaded and when.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ServedRequest {
  method: string;
  path: string;
  range: string | undefined;
  /** Body bytes the server wrote for this request. */
  bytes: number;
}

export interface ModelServerOptions {
  /** Repositories: "user/repo" -> file name -> local file served under that name. */
  repos: Record<string, Record<string, string>>;
  /** Plain files: URL path ("/files/x.gguf") -> local file. */
  files?: Record<string, string>;
  /** Manifest answers: "user/repo:tag" (tag as the resolver sends it, e.g. Q8_0 or latest) -> file name in the repo. */
  manifests?: Record<string, string>;
}

export interface ModelServer {
  /** http://127.0.0.1:<port>/ : give it to the CLI as HF_ENDPOINT. */
  url: string;
  requests: ServedRequest[];
  /** Requests that transferred file content (GET of a file, any range). */
  fileDownloads(): ServedRequest[];
  /** While set, a ranged GET starting at or after this byte gets its headers and then hangs (a stalled connection). */
  stallRangesFrom: number | undefined;
  close(): Promise<void>;
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const requests: ServedRequest[] = [];
  const state: { stallRangesFrom: number | undefined } = { stallRangesFrom: undefined };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const record: ServedRequest = { method: req.method ?? "GET", path: url.pathname, range: req.headers.range, bytes: 0 };
    requests.push(record);
    const parts = url.pathname.split("/").map(decodeURIComponent);
    // /v2/{user}/{repo}/manifests/{tag}
    if (parts[1] === "v2" && parts[4] === "manifests") {
      const file = options.manifests?.[`${parts[2]}/${parts[3]}:${parts[5]}`];
      if (file === undefined) return void res.writeHead(404).end();
      const body = JSON.stringify({ ggufFile: { rfilename: file, size: fs.statSync(options.repos[`${parts[2]}/${parts[3]}`]![file]!).size } });
      return void res.writeHead(200, { "content-type": "application/json" }).end(body);
    }
    // /{user}/{repo}/resolve/main/{file}
    let local: string | undefined;
    if (parts[3] === "resolve" && parts[4] === "main") local = options.repos[`${parts[1]}/${parts[2]}`]?.[parts.slice(5).join("/")];
    else local = options.files?.[url.pathname];
    if (local === undefined) return void res.writeHead(404).end();
    sendFile(local, req, res, record, state.stallRangesFrom);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    fileDownloads: () => requests.filter((r) => r.method === "GET" && !r.path.startsWith("/v2/")),
    get stallRangesFrom() {
      return state.stallRangesFrom;
    },
    set stallRangesFrom(value: number | undefined) {
      state.stallRangesFrom = value;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A file with Accept-Ranges and single byte ranges (206 + Content-Range), as the Hub's CDN serves it. */
function sendFile(file: string, req: http.IncomingMessage, res: http.ServerResponse, record: ServedRequest, stallFrom: number | undefined): void {
  const size = fs.statSync(file).size;
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end) return void res.writeHead(416, { "content-range": `bytes */${size}` }).end();
  }
  const headers = { "accept-ranges": "bytes", "content-length": String(end - start + 1), "content-type": "application/octet-stream", ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}) };
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD") return void res.end();
  if (range && stallFrom !== undefined && start >= stallFrom) return void res.flushHeaders();
  const stream = fs.createReadStream(file, { start, end });
  stream.on("data", (chunk) => (record.bytes += chunk.length));
  stream.pipe(res);
}
